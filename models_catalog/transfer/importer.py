"""Read catalog entries from JSON, JSON Lines or CSV, validate every row, then write them all.

Nothing is written unless every row is valid. Entries are matched by slug (the slugified name
when there is no slug), so importing the same file twice changes nothing. The file is the
truth for the entries it names: their tags and openness grades are replaced by the file's.

A row is read in two steps. Its values are first turned into Python values (values.py: text
only where text belongs, `7B`, `2024-07`, yes/no…); the models then judge them with their own
fields and validators (entries.entry_problems: lengths, ranges, choices, URLs and
config/lib/text.py's rule, names refused and long text stripped), and each problem becomes a
row-numbered error. Slugs are lower-cased before they are compared with the file's other rows
and with the database. Reading the file itself is files.py's job; writing is writes.py's.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models.functions import Lower

from config.lib.text import slug_from_title
from models_catalog import announce, formatting, writes
from models_catalog.changes import WriteContext
from models_catalog.entries import Entry, InvalidEntries, entry_problems
from models_catalog.models import PRICE_COLUMNS, AIModel, current_prices
from models_catalog.transfer import values as check
from models_catalog.transfer.files import (
    FORMATS,  # noqa: F401 - part of the importer's interface (export_models)
    ImportFailed,
    RowError,
    detect_format,
    read_rows,
    read_text,
)
from models_catalog.transfer.values import COLUMNS, OPENNESS_COLUMNS, SOURCE_COLUMNS, Row

FILE_COLUMNS = [*COLUMNS, *SOURCE_COLUMNS, *OPENNESS_COLUMNS]
KNOWN_COLUMNS = {*FILE_COLUMNS, "openness", "sources"}
# Errors are listed in the file's column order, whichever step found them.
COLUMN_ORDER = {
    name: n
    for n, name in enumerate([*COLUMNS, "sources", *SOURCE_COLUMNS, "openness", *OPENNESS_COLUMNS])
}
# The column a model field's value came from, where the names differ.
COLUMN_OF = {"release_date_precision": "release_date", "fact_sources": "sources"}
_field = AIModel._meta.get_field


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list = field(default_factory=list)  # changes.Change, one per entry

    @classmethod
    def of(cls, changes):
        created = sum(1 for change in changes if change.created)
        updated = sum(1 for change in changes if change.changed) - created
        return cls(created, updated, len(changes) - created - updated, changes)

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def parse_rows(rows, progress=None):
    """[Entry] for valid `rows`; ImportFailed listing every error of every row otherwise."""
    found, errors, seen = [], [], {}
    for done, (where, raw) in enumerate(rows, start=1):
        entry, row_errors = parse_row(where, raw)
        if entry and entry.slug in seen:
            message = f"duplicate slug {entry.slug!r} (also {seen[entry.slug]})"
            row_errors.append(RowError(where, "slug", message))
        if entry and not row_errors:
            seen[entry.slug] = where
            found.append((where, entry))
        errors.extend(row_errors)
        if progress:
            progress("Validating", done, len(rows))
    errors.extend(_match_stored(found))
    if errors:
        raise ImportFailed(errors)
    return [entry for _, entry in found]


def parse_row(where, raw):
    """(Entry or None, [RowError]) for one row of the file."""
    if not isinstance(raw, dict):
        return None, [RowError(where, "", "expected an object with a name")]
    row = Row(where, raw)
    for key in raw:
        if key not in KNOWN_COLUMNS:
            row.error(key, "unknown column")
    entry = _convert(row)
    _validate(row, entry)
    if row.errors:
        return None, sorted(row.errors, key=lambda e: COLUMN_ORDER.get(e.field, len(COLUMN_ORDER)))
    return entry, []


def _convert(row):
    """The row's values as Python values, in an Entry (errors recorded on `row`)."""
    texts = {key: row.text(key) for key in check.TEXT_COLUMNS}
    values = {key: texts[key] for key in ("name", "family", "summary", "description")}
    values["kind"] = texts["kind"].lower() or _field("kind").default
    values["weights"] = texts["weights"].lower()
    date = row.check("release_date", formatting.parse_release_date, texts["release_date"])
    values["release_date"], values["release_date_precision"] = date or (None, "")
    values["not_applicable"] = [
        key for key in check.NOT_APPLICABLE_COLUMNS if check.not_applicable(row.raw.get(key))
    ]
    for key in check.COUNT_COLUMNS:
        if key not in values["not_applicable"]:
            values[key] = row.check(key, check.count, row.raw.get(key))
    values["api"] = row.check("api", check.yes_no, row.raw.get("api"))
    for key in [*check.URL_FIELDS, "source_url"]:
        values[key] = texts[key]
    values["as_of"] = row.check("as_of", check.day, texts["as_of"])
    values["fact_sources"] = check.sources(row)
    return Entry(
        slug=_row_slug(row, texts),
        values=values,
        organization=texts["organization"],
        license=texts["license"],
        tags=row.check("tags", check.tags, row.raw.get("tags")) or [],
        grades=check.grades(row),
        input_modalities=check.codes(texts["input_modalities"]),
        output_modalities=check.codes(texts["output_modalities"]),
        prices=_prices(row, values),
    )


def _prices(row, values):
    """The row's price points: `prices`, else one point per current-price column (dated the
    entry's as-of, else its release, else today). Given both, the columns must agree."""
    points = check.prices(row)
    columns = {}
    for key in check.PRICE_COLUMNS:
        raw = row.raw.get(key)
        if key not in values["not_applicable"]:
            columns[key] = row.check(key, check.price, raw)
    if row.raw.get("prices") not in (None, "", []):
        derived = current_prices([p for p in points if None not in p[:2] and p[3]])
        for key, amount in columns.items():
            if amount is not None and amount != derived[key]:
                row.error(key, f"{amount} is not the latest price point ({derived[key]})")
        return points
    day = values["as_of"] or values["release_date"] or datetime.date.today()
    given = [key for key, amount in columns.items() if amount is not None]
    # A problem with point N is the problem of the column it came from.
    row.columns_of_prices = {f"prices.{n}.amount": key for n, key in enumerate(given, start=1)}
    return [(PRICE_COLUMNS[key], columns[key], "", day, values["source_url"]) for key in given]


def _row_slug(row, texts):
    """The given slug lower-cased, else derived from the name."""
    slug = texts["slug"].lower() or slug_from_name(texts["name"])
    if texts["name"] and not slug:
        row.error("slug", "cannot be derived from the name; give one")
    return slug


def _validate(row, entry):
    """Record what the models' own fields say of `entry`, one error per column.

    Columns that could not even be read are left out: their problem is already named.
    """
    failed = row.failed()
    skip = {*failed, *(name for name, column in COLUMN_OF.items() if column in failed)}
    if not entry.slug:
        skip.add("slug")  # no name to derive it from: the name's error says so
    renamed = {**COLUMN_OF, **getattr(row, "columns_of_prices", {})}
    for name, messages in entry_problems(entry, skip=skip).items():
        column = renamed.get(name, name)
        if column not in failed:
            failed.add(column)
            row.error(column, _as_clause(messages[0]))


def _as_clause(message):
    """'Enter a valid URL.' -> 'enter a valid URL.', to follow 'line 3, homepage_url: '."""
    if message[1:2].islower():
        return message[0].lower() + message[1:]
    return message


def _match_stored(found):
    """Point each entry at the stored entry whose slug differs only in case.

    [RowError] for a slug that several stored entries share up to case (made before slugs
    were normalised): which one the row means cannot be known.
    """
    stored = {}
    slugs = [entry.slug for _, entry in found]
    matches = AIModel.objects.annotate(key=Lower("slug")).filter(key__in=slugs)
    for key, slug in matches.values_list("key", "slug"):
        stored.setdefault(key, []).append(slug)
    errors = []
    for where, entry in found:
        slugs = sorted(stored.get(entry.slug, []))
        if len(slugs) > 1:
            message = f"{entry.slug!r} matches entries that differ only in case: {', '.join(slugs)}"
            errors.append(RowError(where, "slug", message))
        elif slugs:
            entry.slug = slugs[0]
    return errors


def slug_from_name(name):
    """'Llama 3.1 8B' -> 'llama-3-1-8b' (dots separate, as in version numbers)."""
    return slug_from_title(name, _field("slug").max_length)


def import_file(path, progress=None, context=None):
    """Validate then write the file at `path`; returns a Result or raises ImportFailed.

    `context` says who or what imports (by default, an import named by the file).
    """
    fmt = detect_format(path)
    rows = read_rows(read_text(path), fmt, FILE_COLUMNS)
    context = context or WriteContext(source=f"import:{Path(path).name}")
    return import_rows(rows, progress=progress, context=context)


def import_rows(rows, progress=None, context=None):
    entries = parse_rows(rows, progress=progress)
    context = context or WriteContext(source="import")
    try:
        changes = writes.entries_write(entries, context, progress=progress)
    except (DatabaseError, OverflowError) as error:
        # Validation leaves the database nothing to refuse; should it refuse anyway, the
        # transaction is rolled back and the reason shown rather than a traceback.
        raise ImportFailed([RowError("file", "", f"the database refused it: {error}")]) from None
    except InvalidEntries as invalid:  # parse_rows asked the same models: not expected
        raise ImportFailed(_entry_errors(invalid.problems)) from None
    return Result.of(changes)


def _entry_errors(problems):
    return [
        RowError(f"entry {slug!r}", fact, _as_clause(messages[0]))
        for slug, found in problems.items()
        for fact, messages in found.items()
    ]


def import_dry_run(rows, context=None):
    """What `import_rows` would do, changing nothing: a Result, or ImportFailed.

    The very same code runs, in a transaction that is rolled back; its announcements are
    dropped (announce.superseded), so neither the search index nor the cache hears of it.
    """
    with transaction.atomic(), announce.superseded():
        result = import_rows(rows, context=context)
        transaction.set_rollback(True)
    return result
