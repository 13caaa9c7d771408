"""An entry as the bulk write path takes it, and what the models' own fields say of it."""

from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError

from models_catalog.changes import MODALITY_LINKS
from models_catalog.models import (
    PRICE_COLUMNS,
    AIModel,
    License,
    Modality,
    OpennessGrade,
    Organization,
    PricePoint,
    in_order,
)


@dataclass
class Entry:
    """One entry for the bulk path, matched to a stored one by slug.

    `values` are AIModel field values by name; the organisation and licence are names (or a
    licence's SPDX id), created when new; `grades` maps a dimension to (grade, link, notes);
    the modalities are codes; `prices` are (unit, amount, condition, as_of, source) tuples.
    """

    slug: str
    values: dict
    organization: str = ""
    license: str = ""
    tags: list = field(default_factory=list)
    grades: dict = field(default_factory=dict)
    input_modalities: list = field(default_factory=list)
    output_modalities: list = field(default_factory=list)
    prices: list = field(default_factory=list)
    # Set by entry_problems when the models accept the entry as it stands.
    checked: bool = field(default=False, repr=False, compare=False)


class InvalidEntries(ValueError):
    """Entries the models refuse; `problems` is {slug: {fact: [messages]}}. Nothing written."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} invalid entries: {', '.join(sorted(problems))}")


# What an Entry's values do not set: its organisation and licence are names, the rest derived.
_NOT_TYPED = [
    "organization", "license", "description_html", "openness_score", "openness_class",
    "price_input_per_mtok", "price_output_per_mtok",
]  # fmt: skip


def entry_problems(entry, skip=()):
    """{fact: [messages]} for what `entry` would store, judged by the models' own fields and
    validators (lengths, ranges, choices, URLs, the text rule); empty when it may be written.

    Cleans `entry` the way those fields do (long text loses forbidden characters). `skip`
    names facts not to judge. Uniqueness is the bulk path's: entries are matched by slug.
    """
    problems = {}
    model = AIModel(slug=entry.slug, **entry.values)
    _judge(problems, model, exclude=[*skip, *_NOT_TYPED])
    entry.values = {name: getattr(model, name) for name in entry.values}
    for key, model_class in (("organization", Organization), ("license", License)):
        if getattr(entry, key) and key not in skip:
            for message in _name_problems(model_class, getattr(entry, key)):
                problems.setdefault(key, []).append(message)
    for name in (name for name in MODALITY_LINKS if name not in skip):
        codes = in_order(getattr(entry, name))
        setattr(entry, name, codes)
        for message in (m for code in codes for m in _modality_problems(code)):
            problems.setdefault(name, []).append(message)
    if "prices" not in skip:
        _price_problems(problems, entry)
    for key, (grade, link, notes) in list(entry.grades.items()):
        row = OpennessGrade(dimension=key, grade=grade, link=link, notes=notes)
        column = f"openness.{key}"
        names = {"dimension": column, "grade": column}
        _judge(problems, row, exclude=["aimodel"], names=names, prefix=f"{column}.")
        entry.grades[key] = (row.grade, row.link, row.notes)
    entry.checked = not problems and not skip
    return problems


def _price_problems(problems, entry):
    """Judge each price point with the PricePoint model; one point per unit, condition, day."""
    seen, cleaned = set(), []
    for number, (unit, amount, condition, as_of, source) in enumerate(entry.prices, start=1):
        row = PricePoint(
            unit=unit, amount=amount, condition=condition, as_of=as_of, source_url=source
        )
        _judge(problems, row, exclude=["aimodel"], prefix=f"prices.{number}.")
        key = (row.unit, row.condition, str(row.as_of))
        if key in seen:
            message = f"Two prices {row.unit} {row.condition!r} from the same day {row.as_of}."
            problems.setdefault("prices", []).append(message)
        seen.add(key)
        cleaned.append((row.unit, row.amount, row.condition, row.as_of, row.source_url))
    entry.prices = cleaned
    priced = {unit for unit, *_ in cleaned}
    for column, unit in PRICE_COLUMNS.items():
        if unit in priced and column in (entry.values.get("not_applicable") or ()):
            message = "Has price points, so it cannot be not applicable."
            problems.setdefault(column, []).append(message)


@lru_cache(maxsize=64)
def _modality_problems(code):
    problems = {}
    _judge(problems, Modality(code=code), exclude=["position"])
    return tuple(problems.get("code", ()))


@lru_cache(maxsize=1024)  # a file names the same few organisations on thousands of rows
def _name_problems(model_class, name):
    """What `model_class`'s name field says of `name`, as a tuple of messages."""
    problems = {}
    others = [f.name for f in model_class._meta.fields if f.name != "name"]
    _judge(problems, model_class(name=name), exclude=others)
    return tuple(problems.get("name", ()))


def _judge(problems, obj, exclude, names=None, prefix=""):
    """Add what `obj.full_clean` finds to `problems`, under `names` (or prefixed names)."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            fact = (names or {}).get(name, prefix + name)
            problems.setdefault(fact, []).extend(messages)
