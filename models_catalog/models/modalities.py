"""What a model takes in and gives out: text, images, audio, video, code."""

from django.apps import apps as global_apps
from django.db import models


class Modality(models.Model):
    """One kind of input or output. Entries link to these rows twice (inputs, outputs).

    The rows are fixed: a migration seeds them, and `ensure_modalities` puts back any that a
    flush removed (tests, `restore --replace`), as Django does for content types.
    """

    class Code(models.TextChoices):
        TEXT = "text", "Text"
        IMAGE = "image", "Image"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"
        CODE = "code", "Code"

    # The code is the key: links, exports and backups name a modality the same everywhere.
    code = models.CharField(
        primary_key=True,
        max_length=10,
        choices=Code,
        error_messages={
            "invalid_choice": f"Unknown modality %(value)s; use {', '.join(Code.values)}."
        },
    )
    position = models.PositiveSmallIntegerField(unique=True, help_text="Where it is listed.")

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "modalities"

    def __str__(self):
        return self.get_code_display()


MODALITIES = Modality.Code.values  # in the order they are listed


def ensure_modalities(using="default", apps=None, **kwargs):
    """Create any missing modality row (connected to post_migrate, which flush sends too)."""
    try:  # the state migrate ended at: the table may not exist (yet, or any more)
        model = (apps or global_apps).get_model("models_catalog", "Modality")
    except LookupError:
        return
    model.objects.using(using).bulk_create(
        [model(code=code, position=n) for n, code in enumerate(MODALITIES)],
        ignore_conflicts=True,
    )


def in_order(codes):
    """`codes` de-duplicated, in the order modalities are listed (unknown ones last)."""
    chosen = list(dict.fromkeys(codes))
    return [c for c in MODALITIES if c in chosen] + [c for c in chosen if c not in MODALITIES]
