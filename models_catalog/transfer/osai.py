"""Import the European Open Source AI Index (`manage.py import_osai DIR`, and the demo).

Read every file (osai_files.py), link each system to the catalog entry of the exact model
it grades, make an entry for each system the catalog lacks, then write it all in one
transaction (writes.index_write) or nothing at all.

A system is matched by its `endmodelname`, normalised (case, punctuation, and a closing
"Instruct", "Chat" or "IT": the catalog's "Llama 3.1 405B" is the release the index grades
as "Llama-3.1-405B-Instruct"), against each entry's name and slug. Never by family: the
index's `Qwen.yaml` grades Qwen3.5-397B-A17B, so it links to that model and never to
Qwen2. A system with no end model, or one whose end model another file also names (two
fine-tunes that both wrote their base model there), is matched by its own name instead.
A system already linked keeps its entry while its end model stays the same.
"""

import datetime
import re
import subprocess
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError

from models_catalog import writes
from models_catalog.entries import Entry, entry_problems
from models_catalog.models import AIModel, IndexSystem, Modality
from models_catalog.transfer.files import ImportFailed, RowError
from models_catalog.transfer.importer import slug_from_name
from models_catalog.transfer.osai_files import read_index

_VARIANT = re.compile(r"-(instruct|chat|it)$")
_UNNAMED = {"", "undisclosed", "unknown", "n-a"}
KINDS = {"text": "language", "code": "code", "image": "image", "audio": "audio", "video": "video"}
_SEVERAL = {False: "language", True: "multimodal"}  # no type given; several types
NO_LICENCE = {"", "unknown", "undisclosed", "unclear", "various", "mixed"}


@dataclass
class Result:
    version: str
    date: datetime.date
    systems: int = 0
    created: int = 0
    changed: int = 0
    by_name: list = field(default_factory=list)  # files matched by system name (see above)

    def __str__(self):
        return (
            f"index {self.version} ({self.date.isoformat()}): {self.systems} systems, "
            f"{self.created} entries created, {self.changed} entries changed"
        )


def key(name):
    """'Llama-3.1-405B-Instruct' and 'Llama 3.1 405B' -> 'llama-3-1-405b'."""
    return _VARIANT.sub("", slug_from_name(name))


def index_version(directory, today=None):
    """(version, date): the newest git commit of `directory` if it is a checkout, else today."""
    try:
        found = subprocess.run(
            ["git", "-C", str(directory), "log", "-1", "--format=%H %cs", "--", "."],
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout.split()  # fmt: skip
        return found[0], datetime.date.fromisoformat(found[1])
    except (OSError, subprocess.SubprocessError, IndexError, ValueError):
        today = today or datetime.date.today()
        return today.isoformat(), today


def import_index(directory, context, version=None, progress=None, date=None):
    """Read, match and write the index in `directory`; a Result, or ImportFailed.

    `version` and `date` default to index_version's (the date follows the folder even when
    the version is given)."""
    if version is None or date is None:
        found_version, found_date = index_version(directory)
        version, date = version or found_version, date or found_date
    systems = read_index(directory, progress)
    rows, entries, by_name = _plan(systems)
    try:
        changes = writes.index_write(version, date, rows, entries, context, progress)
    except DatabaseError as error:
        raise ImportFailed(
            [RowError(str(directory), "", f"the database refused it: {error}")]
        ) from None
    result = Result(version, date, systems=len(rows), by_name=by_name)
    created = {change.pk for change in changes if change.created}
    result.created = len(created)
    result.changed = len({c.pk for c in changes if c.changed and c.pk not in created})
    return result


def _plan(systems):
    """(IndexSystem rows, Entries to create, files matched by name); ImportFailed naming
    each file and field the models refuse."""
    keys = [key(s.endmodelname) for s in systems]
    shared = {k for k in keys if keys.count(k) > 1}
    catalog = _catalog_keys()
    linked = {s.file: s for s in IndexSystem.objects.select_related("aimodel")}
    rows, entries, by_name, errors, used = [], [], [], [], {}
    for system, found in zip(systems, keys, strict=True):
        name = system.endmodelname
        if found in shared or found in _UNNAMED:
            name, found = system.name, key(system.name)
            by_name.append(system.file)
        row = _row(system, errors)
        stored = linked.get(system.file)
        if stored and stored.aimodel and stored.endmodelname == system.endmodelname:
            row.aimodel_slug = stored.aimodel.slug
        elif found in catalog:
            row.aimodel_slug = catalog[found]
        else:
            entry = _entry(system, name, errors)
            row.aimodel_slug = entry.slug
            catalog[found] = entry.slug
            entries.append(entry)
        if row.aimodel_slug in used:
            message = f"grades the same catalog entry as {used[row.aimodel_slug]}"
            errors.append(RowError(system.file, "system.endmodelname", message))
        used[row.aimodel_slug] = system.file
        rows.append(row)
    if errors:
        raise ImportFailed(errors)
    return rows, entries, by_name


def _catalog_keys():
    """{key: slug} for every entry, by its slug and by its name (the slug wins a tie)."""
    found = {}
    stored = AIModel.objects.order_by("pk").values_list("name", "slug")
    for name, slug in stored:
        found.setdefault(key(name), slug)
    for _, slug in stored:
        found[key(slug)] = slug
    return found


def _row(system, errors):
    row = IndexSystem(
        file=system.file,
        name=system.name,
        endmodelname=system.endmodelname,
        basemodelname=system.basemodelname,
        organization=system.texts["org.name"],
        link=system.link,
        type=system.type,
        performanceclass=system.performanceclass,
        license=system.endmodellicense,
        releasedate=system.releasedate,
        notes=system.notes,
        grades=system.grades,
    )
    try:
        row.full_clean(exclude=["release", "aimodel"], validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.append(RowError(system.file, f"system.{name}", messages[0]))
    return row


def _entry(system, name, errors):
    """The entry `name` for a system the catalog lacks, with the facts its file gives."""
    types = [t.strip().lower() for t in system.type.split(",") if t.strip()]
    date, precision = system.release
    licence = system.endmodellicense
    entry = Entry(
        slug=slug_from_name(name),
        values={
            "name": name,
            "family": system.name,
            "kind": KINDS.get(types[0], "multimodal") if len(types) == 1 else _SEVERAL[bool(types)],
            "release_date": date,
            "release_date_precision": precision,
            "homepage_url": system.link,
        },
        organization=system.texts["org.name"],
        license="" if licence.lower() in NO_LICENCE else licence[:150],
        output_modalities=[t for t in types if t in Modality.Code.values],
    )
    for fact, messages in entry_problems(entry).items():
        errors.append(RowError(system.file, f"(catalog entry) {fact}", messages[0]))
    return entry
