"""The history of the catalog's facts: every change, old -> new, when, by whom, from where.

writes.py records each write's Changes here (`record`), whatever the path (admin, import,
demo, restore). A row's `effective_on` is when the new value became true (the fact's own
"as of", else the entry's, else the day it was written); `recorded_at` is when it was
written. `?as_of=` pages rewind an entry's facts through the rows effective after the day.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from models_catalog import formatting
from models_catalog.models.organisations import License, Organization
from models_catalog.models.provenance import SOURCED_FACTS, current_prices, latest_points

# Facts whose changes readers see in a changelog, with their labels.
SHOWN_FACTS = {
    "name": "Name",
    "release_date": "Release date",
    "license": "Licence",
    "organization": "Organisation",
    "weights": "Weights",
    "parameters": "Parameters",
    "active_parameters": "Active parameters",
    "context_window": "Context window",
    "api": "API",
    "price_input_per_mtok": "Input price",
    "price_output_per_mtok": "Output price",
    "input_modalities": "Input",
    "output_modalities": "Output",
    "not_applicable": "Not applicable",
    "openness_score": "Openness score",
}


class FactChangeQuerySet(models.QuerySet):
    def shown(self):
        """What readers are shown: entries added or removed, and the facts they read."""
        return self.filter(~models.Q(kind="changed") | models.Q(fact__in=list(SHOWN_FACTS)))


class FactChange(models.Model):
    """One fact of one entry changed (or the entry was created or deleted)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"

    aimodel = models.ForeignKey(
        "models_catalog.AIModel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fact_changes",
    )
    slug = models.CharField(max_length=150, help_text="The entry's slug when it changed.")
    name = models.CharField(max_length=150, help_text="The entry's name when it changed.")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.CHANGED)
    fact = models.CharField(max_length=60, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    effective_on = models.DateField(help_text="When the new value became true.")
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=200, help_text="The write: admin, import:<file>, demo…")
    source_url = models.URLField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FactChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_on", "-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["aimodel", "-effective_on"], name="factchange_model_day"),
            models.Index(fields=["-recorded_at", "-id"], name="factchange_recent"),
        ]

    def __str__(self):
        return f"{self.name}: {self.summary}"

    @property
    def label(self):
        return SHOWN_FACTS.get(self.fact, self.fact.replace("_", " ").capitalize())

    @property
    def summary(self):
        """'Input price $5 → $2.50', 'created', 'deleted'."""
        if self.kind != self.Kind.CHANGED:
            return self.get_kind_display().lower()
        return f"{self.label} {show(self.fact, self.old)} → {show(self.fact, self.new)}"


def show(fact, value):
    """A stored value as a reader reads it."""
    if value is None or value == "" or value == []:
        return "unknown"
    if fact.startswith("price_"):
        return formatting.money(Decimal(str(value)))
    if fact in ("parameters", "active_parameters"):
        return formatting.compact_count(int(value))
    if fact == "context_window":
        return formatting.human_tokens(int(value))
    if fact == "api":
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return value.get("name") or ", ".join(sorted(value))
    return str(value)


def stored(value):
    """A fact's value as JSON can hold it."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return formatting.plain_decimal(value)
    if isinstance(value, tuple):
        return [stored(v) for v in value]
    return value


# Columns kept under the name readers know, and the sourced fact whose date they take.
_RENAMED = {"organization_id": "organization", "license_id": "license"}
_SOURCE_OF = {
    "release_date_precision": "release_date",
    "input_modalities": "modalities",
    "output_modalities": "modalities",
}
_PRICE_UNITS = {"price_input_per_mtok": "input-mtok", "price_output_per_mtok": "output-mtok"}


def record(changes, context, models):
    """Keep `changes` (changes.Change) made in `context` (changes.WriteContext); `models`
    are the entries as written, {pk: AIModel with price_points prefetched}."""
    now = timezone.now()
    names = _names(changes)
    rows = []
    for change in changes:
        if change.recorded:
            continue
        change.recorded = True
        model = models.get(change.pk)
        base = {
            "aimodel_id": None if change.deleted else change.pk,
            "slug": change.slug,
            "name": model.name if model else _old_name(change),
            "recorded_at": now,
            "source": context.source[:200],
            "actor": getattr(context, "actor", None) if _is_user(context) else None,
        }
        if change.created or change.deleted:
            kind = FactChange.Kind.CREATED if change.created else FactChange.Kind.DELETED
            day = (model.as_of if model and model.as_of else None) or now.date()
            url = model.source_url if model else ""
            rows.append(FactChange(kind=kind, effective_on=day, source_url=url, **base))
            continue
        for column, (old, new) in change.fields.items():
            fact = _RENAMED.get(column, column)
            day, url = _effective(model, column, now.date())
            rows.append(
                FactChange(
                    fact=fact,
                    old=_value(column, old, names),
                    new=_value(column, new, names),
                    effective_on=day,
                    source_url=url,
                    **base,
                )
            )
    FactChange.objects.bulk_create(rows, batch_size=500)


def _is_user(context):
    actor = getattr(context, "actor", None)
    return actor is not None and getattr(actor, "is_authenticated", False)


def _old_name(change):
    old = change.fields.get("name", (None, None))[0]
    return old or change.slug


def _effective(model, column, today):
    """(day, source url) the new value of `column` holds from, and where that is said."""
    if model is None:
        return today, ""
    if column in _PRICE_UNITS:
        points = [p for p in model.price_points.all() if p.unit == _PRICE_UNITS[column]]
        latest = max(points, key=lambda p: p.as_of, default=None)
        return (latest.as_of, latest.source_url) if latest else (today, model.source_url)
    if column == "prices":
        latest = max(model.price_points.all(), key=lambda p: p.as_of, default=None)
        return (latest.as_of, latest.source_url) if latest else (today, model.source_url)
    fact = _SOURCE_OF.get(column, _RENAMED.get(column, column))
    if fact not in SOURCED_FACTS:
        return today, ""
    # The fact's own source, else the entry's: the day it says the new value held.
    source = model.source_of(fact)
    day = datetime.date.fromisoformat(source["as_of"]) if source["as_of"] else today
    return day, source["url"]


def _names(changes):
    """{("organization"|"license", pk): name} for the ids the changes name."""
    found = {}
    for column, model_class in (("organization_id", Organization), ("license_id", License)):
        ids = {v for c in changes for v in c.fields.get(column, ()) if v is not None}
        for pk, name in model_class.objects.filter(pk__in=ids).values_list("pk", "name"):
            found[(column, pk)] = name
    return found


def _value(column, value, names):
    if column in _RENAMED and value is not None:
        return {"id": value, "name": names.get((column, value), "")}
    return stored(value)


# What `rewind` puts back: the entry's own columns (tags, modalities and grades stay as they
# are now; the page says so). Prices are rewound from their dated points.
REWOUND = [
    "name", "family", "kind", "release_date", "release_date_precision", "weights",
    "parameters", "active_parameters", "context_window", "api", "summary", "source_url",
    "as_of", "fact_sources", "not_applicable", "license",
]  # fmt: skip
_DATES = {"release_date", "as_of"}


def changes_after(models, day):
    """{pk: [FactChange]} effective after `day`, newest first: one query for all `models`."""
    found = {model.pk: [] for model in models}
    later = FactChange.objects.filter(
        aimodel__in=list(found), effective_on__gt=day, kind=FactChange.Kind.CHANGED,
        fact__in=REWOUND,
    )  # fmt: skip
    for change in later.order_by("-effective_on", "-recorded_at", "-pk"):
        found[change.aimodel_id].append(change)
    return found


def rewind(model, day, later, licenses):
    """Set `model`'s facts to what they were on `day`, undoing `later` (its changes
    effective after it, newest first); `licenses` {pk: License} for the licences it had."""
    for change in later:
        value = change.old
        if change.fact == "license":
            model.license = licenses.get(value["id"]) if value else None
            continue
        if change.fact in _DATES and value:
            value = datetime.date.fromisoformat(value)
        setattr(model, change.fact, value)
    points = model.price_points.all()
    for column, amount in current_prices(points, day).items():
        setattr(model, column, amount)
    model.prices_then = latest_points(points, day)


def rewound_licenses(later):
    """{pk: License} for the licences `later` (changes_after's values) take entries back to."""
    ids = {c.old["id"] for changes in later.values() for c in changes if c.fact == "license"
           and c.old}  # fmt: skip
    return License.objects.in_bulk(ids) if ids else {}


def began(model):
    """The first day `model` has facts for: its release, else the day it was added."""
    return model.release_date or timezone.localtime(model.created_at).date()


def rewind_all(models, day):
    """Set each of `models` (price points prefetched) to its facts on `day`: two queries."""
    later = changes_after(models, day)
    licenses = rewound_licenses(later)
    for model in models:
        rewind(model, day, later[model.pk], licenses)
    return models
