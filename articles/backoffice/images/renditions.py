"""Resized copies made once, at upload, so that page views never resize anything."""

from pathlib import PurePosixPath
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from articles.backoffice.images.limits import Shape
from articles.backoffice.images.metadata import encode, strip_metadata
from articles.backoffice.images.validation import (
    ALLOWED_FORMATS,
    EXTENSIONS,
    check_decode_budget,
    check_shape,
)

RENDITION_WIDTHS = (480, 960, 1600)


def _first_frame(handle):
    """The first frame of a stored image, decoded once the whole file is known to be in budget."""
    shape = check_decode_budget(handle)
    source = PILImage.open(handle)
    try:
        check_shape(Shape(source.format, *source.size, shape.frames if shape else 1))
        source.load()
    except BaseException:
        source.close()
        raise
    return source


def make_renditions(image):
    """Resize the stored original to RENDITION_WIDTHS, as WebP and in its own format."""
    fmt = image.original_format
    stem = PurePosixPath(image.file.name).stem
    folder = f"images/renditions/{uuid4().hex[:12]}"
    renditions = []
    with image.file.open("rb") as handle, _first_frame(handle) as source:
        widths = sorted({min(width, source.width) for width in RENDITION_WIDTHS})
        for width in widths:
            height = max(1, round(source.height * width / source.width))
            resized = source.copy()
            if resized.mode == "P":
                resized = resized.convert("RGBA")
            resized = resized.resize((width, height), PILImage.Resampling.LANCZOS)
            for out in ("webp", fmt) if fmt != "webp" else ("webp",):
                name = f"{folder}/{stem}-{width}.{EXTENSIONS[out]}"
                data = encode(resized, out.upper())
                saved = default_storage.save(name, ContentFile(data))
                renditions.append({"format": out, "width": width, "height": height, "name": saved})
    return renditions


def image_ingest(image, upload, user=None, stripped=None):
    """Store a validated `upload` into `image` without metadata, and make its renditions.

    `stripped` is what `image_clean_upload` already returned for it, if the caller has it.
    """
    data, fmt, (width, height) = stripped or strip_metadata(upload)
    stem = PurePosixPath(getattr(upload, "name", "") or "image").stem[:60] or "image"
    image.file.save(f"{stem}.{EXTENSIONS[ALLOWED_FORMATS[fmt]]}", ContentFile(data), save=False)
    image.width, image.height = width, height
    if user is not None and image.uploaded_by_id is None:
        image.uploaded_by = user
    image.renditions = make_renditions(image)
    image.save()
    return image
