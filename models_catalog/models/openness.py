"""How open a model is: graded per dimension of the European Open Source AI Index, and the
score and class derived from those grades and from whether the weights can be downloaded."""

from django.db import models

from config.lib.text import CleanTextMixin
from models_catalog.announce import AnnouncedOnWrite
from models_catalog.models.validation import WEB_URL


class Grade(models.TextChoices):
    OPEN = "open", "Open"
    PARTIAL = "partial", "Partial"
    CLOSED = "closed", "Closed"


class Weights(models.TextChoices):
    """Whether a model's weights can be downloaded (AIModel.weights)."""

    OPEN = "open", "Open"
    GATED = "gated", "Gated"
    CLOSED = "closed", "Closed"


class Dimension(models.TextChoices):
    """The twelve dimensions of the European Open Source AI Index (osai-index.eu), and the
    two (package, api) that older releases of the index graded: optional, never scored."""

    DATASOURCES_BASEMODEL = "datasources_basemodel", "Base model data"
    DATASOURCES_ENDMODEL = "datasources_endmodel", "End user model data"
    WEIGHTS_BASEMODEL = "weights_basemodel", "Base model weights"
    WEIGHTS_ENDMODEL = "weights_endmodel", "End user model weights"
    TRAININGCODE = "trainingcode", "Training code"
    CODE = "code", "Code documentation"
    HARDWARE_ARCHITECTURE = "hardware_architecture", "Hardware architecture"
    PREPRINT = "preprint", "Preprint"
    PAPER = "paper", "Paper"
    MODELCARD = "modelcard", "Model card"
    DATASHEET = "datasheet", "Datasheet"
    PACKAGE = "package", "Package"
    API = "api", "API and meta prompts"
    LICENSE = "license", "Licence"


DIMENSION_GROUPS = {
    "Availability": [
        Dimension.DATASOURCES_BASEMODEL,
        Dimension.DATASOURCES_ENDMODEL,
        Dimension.WEIGHTS_BASEMODEL,
        Dimension.WEIGHTS_ENDMODEL,
        Dimension.TRAININGCODE,
    ],
    "Documentation": [
        Dimension.CODE,
        Dimension.HARDWARE_ARCHITECTURE,
        Dimension.PREPRINT,
        Dimension.PAPER,
        Dimension.MODELCARD,
        Dimension.DATASHEET,
    ],
    "Access": [Dimension.LICENSE, Dimension.PACKAGE, Dimension.API],
}
# The index's current twelve; package and api are shown where graded, never scored.
OPTIONAL_DIMENSIONS = [Dimension.PACKAGE, Dimension.API]
SCORED_DIMENSIONS = [d for d in Dimension if d not in OPTIONAL_DIMENSIONS]
GRADE_POINTS = {Grade.OPEN: 1, Grade.PARTIAL: 0.5, Grade.CLOSED: 0}
NOT_APPLICABLE = ""  # the index's empty class: the dimension does not apply to the system
# Open source needs more than downloadable weights: the licence, the weights, the training
# code and the training data must all be graded open (the spirit of the OSI's definition).
OPEN_SOURCE_DIMENSIONS = [
    Dimension.LICENSE,
    Dimension.WEIGHTS_BASEMODEL,
    Dimension.TRAININGCODE,
    Dimension.DATASOURCES_BASEMODEL,
]


class OpennessClass(models.TextChoices):
    OPEN_SOURCE = "open-source", "Open source"
    OPEN_WEIGHTS = "open-weights", "Open weights"
    CLOSED = "closed", "Closed"


def derive_openness(grades, weights):
    """(score 0-100 or None, OpennessClass) from {dimension: grade} and the weights field.

    Score: open counts 1, partial 0.5, closed 0, averaged over the twelve dimensions that
    are graded; a dimension graded not applicable ("") or not graded at all is left out,
    and so are package and api. With no such grade the score is None.
    Class: closed unless weights can be downloaded (open or gated); open source when the
    weights are open and every dimension in OPEN_SOURCE_DIMENSIONS is graded open.
    """
    score = None
    points = [GRADE_POINTS[g] for d in SCORED_DIMENSIONS if (g := grades.get(d)) in GRADE_POINTS]
    if points:
        score = round(100 * sum(points) / len(points))
    if weights not in (Weights.OPEN, Weights.GATED):
        return score, OpennessClass.CLOSED
    if weights == Weights.OPEN and all(grades.get(d) == Grade.OPEN for d in OPEN_SOURCE_DIMENSIONS):
        return score, OpennessClass.OPEN_SOURCE
    return score, OpennessClass.OPEN_WEIGHTS


class OpennessGrade(AnnouncedOnWrite, CleanTextMixin, models.Model):
    """How open one model is on one dimension, with the evidence."""

    aimodel = models.ForeignKey(
        "models_catalog.AIModel", on_delete=models.CASCADE, related_name="openness_grades"
    )
    dimension = models.CharField(
        max_length=30,
        choices=Dimension,
        error_messages={"invalid_choice": "Unknown openness dimension %(value)r."},
    )
    grade = models.CharField(
        max_length=10,
        choices=Grade,
        error_messages={
            "invalid_choice": "%(value)r is not open, partial or closed.",
            "blank": "Give a grade: open, partial or closed.",
        },
    )
    link = models.URLField("evidence link", max_length=500, blank=True, validators=[WEB_URL])
    notes = models.TextField(blank=True)
    reason = models.TextField(
        blank=True,
        help_text="Where this grade differs from the index's: why ModelPress grades otherwise.",
    )

    class Meta:
        ordering = ["aimodel", "dimension", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["aimodel", "dimension"], name="unique_openness_grade_dimension"
            )
        ]

    def __str__(self):
        return f"{self.aimodel}: {self.get_dimension_display()} {self.grade}"

    def announced_entries(self):
        """Its entry: the entry's pages show the grade (and the score it counts in)."""
        return [self.aimodel_id] if self.aimodel_id else []
