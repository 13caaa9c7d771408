"""The European Open Source AI Index's own grades, as imported (`manage.py import_osai`).

The index (osai-index.eu, CC-BY 4.0, doi:10.5281/zenodo.15386042) keeps one file per
system; the file keeps its name as the family moves on, and its grades describe one exact
model, its `endmodelname`. A system is linked to the catalog entry of that model only; the
entry's own grades (OpennessGrade) stay ModelPress's, shown beside the index's where they
differ.
"""

from django.db import models

from config.lib.text import CleanTextMixin
from models_catalog.announce import AnnouncedOnWrite
from models_catalog.models.openness import DIMENSION_GROUPS, OPTIONAL_DIMENSIONS, Grade

CITATION = "doi:10.5281/zenodo.15386042"
CITATION_URL = "https://doi.org/10.5281/zenodo.15386042"
INDEX_URL = "https://osai-index.eu/"
# The file's key for each dimension, where it differs from ours.
FILE_KEYS = {"license": "licenses"}


class IndexRelease(CleanTextMixin, models.Model):
    """One version of the index's files: a git commit, or the day they were read."""

    version = models.CharField(max_length=100, unique=True)
    date = models.DateField(help_text="The commit's date, or the day the files were read.")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.short_version} ({self.date.isoformat()})"

    @property
    def short_version(self):
        """A git hash shortened as git does; any other version as given."""
        is_hash = len(self.version) == 40 and all(c in "0123456789abcdef" for c in self.version)
        return self.version[:8] if is_hash else self.version


class IndexSystem(AnnouncedOnWrite, CleanTextMixin, models.Model):
    """One system the index assesses (one of its files), graded on its dimensions.

    `grades` is {dimension: {"grade": open|partial|closed|"" (not applicable), "links":
    [{"url", "text"}], "notes"}}, dimensions named as in Dimension.
    """

    file = models.CharField(max_length=255, unique=True, help_text="The file's name.")
    release = models.ForeignKey(IndexRelease, on_delete=models.PROTECT, related_name="systems")
    aimodel = models.OneToOneField(
        "models_catalog.AIModel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="index_system",
        help_text="The catalog entry of the exact model graded (its end model).",
    )
    name = models.CharField(max_length=255)
    endmodelname = models.CharField("end model", max_length=255, blank=True)
    basemodelname = models.CharField("base model", max_length=255, blank=True)
    organization = models.CharField(max_length=255, blank=True)
    link = models.URLField(max_length=500, blank=True)
    type = models.CharField(max_length=100, blank=True)
    performanceclass = models.CharField(max_length=50, blank=True)
    license = models.CharField("end model licence", max_length=500, blank=True)
    releasedate = models.CharField("release date as written", max_length=50, blank=True)
    notes = models.TextField(blank=True)
    grades = models.JSONField(default=dict)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.endmodelname or 'no end model'})"

    def announced_entries(self):
        return [self.aimodel_id] if self.aimodel_id else []

    def grade_map(self):
        """{dimension: grade}, "" for not applicable."""
        return {key: found["grade"] for key, found in self.grades.items()}

    def breakdown(self, own):
        """[(group, [row])]: the index's dimensions in index order, package and api only
        where the file grades them. A row is {label, key, grade, grade_label, links, notes,
        own}; `own` is ModelPress's OpennessGrade where it differs from the index's
        (`own_grades` is {dimension: OpennessGrade})."""
        groups = []
        for group, dimensions in DIMENSION_GROUPS.items():
            rows = []
            for d in dimensions:
                found = self.grades.get(d.value)
                if found is None and d in OPTIONAL_DIMENSIONS:
                    continue
                rows.append(_row(d, found, own.get(d.value)))
            groups.append((group, rows))
        return groups


def _row(dimension, found, own):
    found = found or {"grade": None, "links": [], "notes": ""}
    grade = found["grade"]
    return {
        "label": dimension.label,
        "key": dimension.value,
        "grade": grade,
        "grade_label": GRADE_LABELS.get(grade, "Not graded"),
        "links": found["links"],
        "notes": found["notes"],
        "own": own if own is not None and own.grade != grade else None,
    }


GRADE_LABELS = {**dict(Grade.choices), "": "Not applicable"}
