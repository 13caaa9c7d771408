"""A catalog entry: one AI model, its facts, its tags and what is derived from them."""

from functools import lru_cache

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from taggit.models import TaggedItemBase

from config.lib.rendering import render_markdown
from config.lib.tagging import SharedTags
from config.lib.text import CleanTextMixin
from models_catalog import formatting
from models_catalog.announce import AnnouncedOnWrite
from models_catalog.models.modalities import Modality
from models_catalog.models.openness import (
    DIMENSION_GROUPS,
    OPTIONAL_DIMENSIONS,
    OpennessClass,
    Weights,
    derive_openness,
)
from models_catalog.models.organisations import License, Organization
from models_catalog.models.provenance import (
    NOT_APPLICABLE_FACTS,
    current_prices,
    sources_problems,
)
from models_catalog.models.validation import WEB_URL, unknown_choice


@lru_cache(maxsize=256)  # bulk writes (imports, generate_site) meet the same text again
def describe(markdown):
    """Sanitised HTML for a description (skipping the renderer's set-up when it is empty)."""
    return render_markdown(markdown).html if markdown.strip() else ""


def _current_price(tokens):
    """The column of one current price (`tokens`: input or output), derived from price points."""
    return models.DecimalField(
        f"{tokens} price",
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        editable=False,
        help_text=f"US dollars per million {tokens} tokens now: the latest price point.",
    )


class TaggedModel(TaggedItemBase):
    """Typed join between catalog entries and the shared tag table."""

    content_object = models.ForeignKey(
        "AIModel", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_aimodel_tag")
        ]
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_model_tag_obj")]


# What a model's page shows beside its row and its one-to-one neighbours (`for_page`).
DETAIL_PREFETCHED = (
    "tags",
    "openness_grades",
    "input_modalities",
    "output_modalities",
    "price_points",
)


class AIModelQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("organization", "license").prefetch_related("tags")

    def for_page(self):
        """The row and its one-to-one neighbours; the rest is prefetched only if needed."""
        return self.select_related("organization", "license", "index_system__release")

    def for_detail(self):
        return self.for_page().prefetch_related(*DETAIL_PREFETCHED)


class AIModel(AnnouncedOnWrite, CleanTextMixin, models.Model):
    """One model in the catalog. Unknown facts are NULL and shown as unknown, never as 0."""

    class Kind(models.TextChoices):
        LANGUAGE = "language", "Language"
        IMAGE = "image", "Image"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"
        CODE = "code", "Code"
        MULTIMODAL = "multimodal", "Multimodal"
        FRAMEWORK = "framework", "Framework or tool"

    Weights = Weights  # defined beside the openness it decides

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    name = models.CharField(
        max_length=150, error_messages={"blank": "Required: every entry has a name."}
    )
    slug = models.SlugField(max_length=150, unique=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="models"
    )
    family = models.CharField(
        max_length=150, blank=True, help_text="Siblings share it, e.g. “Llama 3.1”."
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind,
        default=Kind.LANGUAGE,
        error_messages={"invalid_choice": unknown_choice("kind", Kind)},
    )
    release_date = models.DateField(
        null=True,
        blank=True,
        help_text="For a month or a year only, enter its first day and set the precision.",
    )
    release_date_precision = models.CharField(
        max_length=5, choices=Precision, blank=True, help_text="How much of the date is known."
    )
    # A TextField's max_length reaches forms only; the validator holds it for every path.
    summary = models.TextField(max_length=600, blank=True, validators=[MaxLengthValidator(600)])
    description = models.TextField(blank=True, help_text="Markdown.")
    description_html = models.TextField(blank=True, editable=False)
    license = models.ForeignKey(
        License, null=True, blank=True, on_delete=models.PROTECT, related_name="models"
    )
    weights = models.CharField(
        max_length=10,
        choices=Weights,
        blank=True,
        error_messages={"invalid_choice": unknown_choice("weights", Weights)},
        help_text="Open: anyone can download. Gated: after accepting terms. Blank: unknown.",
    )
    parameters = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Total parameters. Blank when undisclosed."
    )
    active_parameters = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Per token, for mixture-of-experts models."
    )
    # The column's range on every database: SQLite would take any 64-bit number, PostgreSQL
    # stops at 2**31 - 1, so a value checked against SQLite alone could not be restored there.
    context_window = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(2**31 - 1)], help_text="Tokens."
    )
    input_modalities = models.ManyToManyField(Modality, blank=True, related_name="input_of")
    output_modalities = models.ManyToManyField(Modality, blank=True, related_name="output_of")
    api = models.BooleanField("API available", null=True, blank=True)
    # The current prices, derived from the price points (the latest of each unit), so lists
    # sort and filter on a column.
    price_input_per_mtok = _current_price("input")
    price_output_per_mtok = _current_price("output")
    source_url = models.URLField(
        "source",
        max_length=500,
        blank=True,
        validators=[WEB_URL],
        help_text="Where the facts come from, unless a fact names its own source.",
    )
    as_of = models.DateField(
        "as of", null=True, blank=True, help_text="When the facts were checked against it."
    )
    fact_sources = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per fact: {"context_window": {"url": "https://…", "as_of": "2024-06-27"}}.',
    )
    not_applicable = models.JSONField(
        default=list,
        blank=True,
        help_text=f"Facts that do not apply (not unknown): {', '.join(NOT_APPLICABLE_FACTS)}.",
    )
    homepage_url = models.URLField("homepage", max_length=500, blank=True, validators=[WEB_URL])
    model_card_url = models.URLField("model card", max_length=500, blank=True, validators=[WEB_URL])
    paper_url = models.URLField("paper", max_length=500, blank=True, validators=[WEB_URL])
    weights_url = models.URLField("weights", max_length=500, blank=True, validators=[WEB_URL])
    tags = SharedTags(through=TaggedModel, blank=True)  # normalised names, see config/tagging
    openness_score = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="Derived from the openness grades."
    )
    openness_class = models.CharField(
        max_length=15, choices=OpennessClass, default=OpennessClass.CLOSED, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AIModelQuerySet.as_manager()

    class Meta:
        verbose_name = "AI model"
        ordering = [F("release_date").desc(nulls_last=True), "name", "pk"]
        permissions = [("tag_aimodel", "Can add and remove tags on catalog entries")]
        indexes = [
            models.Index(fields=["family"], name="aimodel_family"),
            # Tag pages list a tag's models most open first: walked in this order, probing
            # the tag, instead of joining and sorting every model carrying the tag.
            models.Index(F("openness_score").desc(), "name", "id", name="aimodel_openness_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(release_date__isnull=True, release_date_precision="")
                | Q(release_date__isnull=False) & ~Q(release_date_precision=""),
                name="aimodel_release_precision",
                violation_error_message="A release date needs a precision, and only then.",
            ),
            models.CheckConstraint(
                condition=Q(openness_score__isnull=True) | Q(openness_score__lte=100),
                name="aimodel_openness_score_range",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Whatever path saves a row stores derived fields that agree with it, and announces
        # it (AnnouncedOnWrite). The catalog's own writes go through models_catalog/writes.py,
        # which also validates and says what changed.
        self.derive()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("catalog:detail", kwargs={"slug": self.slug})

    def announced_entries(self):
        return [self.pk]

    def clean(self):
        if self.parameters is not None and (self.active_parameters or 0) > self.parameters:
            message = "Cannot be larger than the total parameters."
            raise ValidationError({"active_parameters": message}, code="active_over_total")
        # An emptied admin box is nothing given, not a malformed value.
        self.fact_sources = {} if self.fact_sources in (None, "") else self.fact_sources
        self.not_applicable = [] if self.not_applicable in (None, "") else self.not_applicable
        values = {name: getattr(self, name) for name in NOT_APPLICABLE_FACTS}
        if problems := sources_problems(self.fact_sources, self.not_applicable, values):
            raise ValidationError(problems)

    def derive(self, grades=None, render=True, prices=None):
        """Set every derived field from what was typed: `description_html` (when `render`),
        the release date's precision, the openness score and class.

        `grades` is {dimension: grade}, `prices` price points (or their tuples); None reads
        the stored ones. The index's grades of the exact model (IndexSystem) count where
        ModelPress has no grade of its own. The one derivation, for save() and for
        writes.py's bulk path alike.
        """
        if render:
            self.description_html = describe(self.description)
        if self.release_date and not self.release_date_precision:
            self.release_date_precision = self.Precision.DAY
        if not self.release_date:
            self.release_date_precision = ""
        if grades is None:
            grades = self.grade_map() if self.pk else {}
        else:
            grades = {**self.index_grade_map(), **grades}
        self.openness_score, self.openness_class = derive_openness(grades, self.weights)
        if prices is not None or self.pk:
            points = self.price_points.all() if prices is None else prices
            for column, amount in current_prices(points).items():
                setattr(self, column, amount)

    def grade_map(self):
        """{dimension: grade}: ModelPress's own grades (prefetched when they are), over the
        index's grades of this exact model ("" where the index says not applicable)."""
        own = {g.dimension: g.grade for g in self.openness_grades.all()}
        return {**self.index_grade_map(), **own}

    def index_grade_map(self):
        system = self.index_system_or_none
        return system.grade_map() if system else {}

    @property
    def index_system_or_none(self):
        """The index's assessment of this exact model, or None (select_related it)."""
        if not self.pk:
            return None
        try:
            return self.index_system
        except ObjectDoesNotExist:
            return None

    def refresh_openness(self):
        """Derive the score, the class and the current prices again from the stored grades
        and price points, and store them."""
        self.openness_score, self.openness_class = derive_openness(self.grade_map(), self.weights)
        prices = current_prices(self.price_points.all())
        for column, amount in prices.items():
            setattr(self, column, amount)
        AIModel.objects.filter(pk=self.pk).update(
            openness_score=self.openness_score, openness_class=self.openness_class, **prices
        )

    def openness_breakdown(self):
        """ModelPress's own grades: [(group, [(dimension label, key, grade or None), ...]),
        ...] in index order; package and api only where graded."""
        by_dimension = {g.dimension: g for g in self.openness_grades.all()}
        return [
            (group, [(d.label, d.value, by_dimension.get(d.value)) for d in dimensions
                     if d not in OPTIONAL_DIMENSIONS or d.value in by_dimension])
            for group, dimensions in DIMENSION_GROUPS.items()
        ]  # fmt: skip

    def index_breakdown(self):
        """The index's grades beside ModelPress's where they differ (IndexSystem.breakdown);
        [] when the index does not assess this exact model."""
        system = self.index_system_or_none
        if system is None:
            return []
        return system.breakdown({g.dimension: g for g in self.openness_grades.all()})

    @property
    def release_date_display(self):
        return formatting.format_release_date(
            self.release_date, self.release_date_precision, style="human"
        )

    @property
    def release_date_iso(self):
        return formatting.format_release_date(self.release_date, self.release_date_precision)

    def is_not_applicable(self, fact):
        return fact in (self.not_applicable or ())

    def _unknown(self, fact, word="unknown"):
        return "not applicable" if self.is_not_applicable(fact) else word

    @property
    def parameters_display(self):
        return _or(
            formatting.compact_count(self.parameters), self._unknown("parameters", "undisclosed")
        )

    @property
    def active_parameters_display(self):
        if self.active_parameters is None:
            return self._unknown("active_parameters", "undisclosed")
        return formatting.compact_count(self.active_parameters)

    @property
    def context_window_display(self):
        return _or(formatting.human_tokens(self.context_window), self._unknown("context_window"))

    @property
    def input_modality_list(self):
        """Codes of what it takes in, listed in order (prefetch `input_modalities`)."""
        return [modality.code for modality in self.input_modalities.all()]

    @property
    def output_modality_list(self):
        return [modality.code for modality in self.output_modalities.all()]

    @property
    def api_display(self):
        return {True: "Yes", False: "No"}.get(self.api, "unknown")

    @property
    def price_input_display(self):
        return _price(self.price_input_per_mtok, self._unknown("price_input_per_mtok"))

    @property
    def price_output_display(self):
        return _price(self.price_output_per_mtok, self._unknown("price_output_per_mtok"))

    def source_of(self, fact):
        """{"url", "as_of"} for a fact: its own, else the entry's (either may be empty)."""
        own = (self.fact_sources or {}).get(fact) or {}
        entry_day = self.as_of.isoformat() if self.as_of else ""
        return {"url": own.get("url") or self.source_url, "as_of": own.get("as_of") or entry_day}


def _or(value, fallback):
    return value if value else fallback


def _price(value, fallback):
    return formatting.money(value) if value is not None else fallback
