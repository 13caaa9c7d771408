"""Uploads re-encoded without metadata (no EXIF, GPS, XMP or comments), upright as EXIF asked."""

import io

from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from PIL import ImageOps, ImageSequence

from articles.backoffice.images.limits import Shape
from articles.backoffice.images.validation import (
    check_decode_budget,
    check_shape,
    damaged,
    too_many_pixels,
    validate_image_upload,
)


def encode(image, fmt, **options):
    """Encode `image` as `fmt` with no metadata (no EXIF, GPS, XMP or comments)."""
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    image.info = {}
    buffer = io.BytesIO()
    if fmt == "JPEG":
        options.setdefault("quality", 85)
        options.setdefault("optimize", True)
    elif fmt == "WEBP":
        options.setdefault("quality", 80)
        if image.mode == "P":
            image = image.convert("RGBA")
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def strip_metadata(upload):
    """Re-encode the upload without metadata, upright as EXIF asked: (bytes, format, size).

    Measures first and refuses what is over the decoding budget, whoever calls it.
    """
    shape = check_decode_budget(upload)
    if shape is None:
        raise ValidationError("Only JPEG, PNG, WebP and GIF images are accepted.", code="format")
    with PILImage.open(upload) as source:
        fmt = source.format
        check_shape(Shape(fmt, *source.size, shape.frames))
        if fmt == "GIF" and source.is_animated:  # looks at the second frame's header only
            frames = _decode_frames(source)
            keep = {k: v for k, v in source.info.items() if k in ("duration", "loop")}
            buffer = io.BytesIO()
            frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], **keep)
            return buffer.getvalue(), fmt, frames[0].size
        image = ImageOps.exif_transpose(source)
        return encode(image, fmt), fmt, image.size


def _decode_frames(source):
    """Every frame of an animation, counting as it goes: the headers may have lied."""
    frames = []
    for count, frame in enumerate(ImageSequence.Iterator(source), start=1):
        check_shape(Shape(source.format, *frame.size, count))
        frames.append(frame.copy())
    return frames


def image_clean_upload(upload):
    """Validate `upload` and strip its metadata: (bytes, format, size), or ValidationError.

    Everything that decodes happens here, before anything is written, so a file that only
    fails on a later frame is a form error too, never a server error with half its files
    stored.
    """
    validate_image_upload(upload)
    try:
        return strip_metadata(upload)
    except ValidationError:
        raise
    except PILImage.DecompressionBombError as error:
        raise too_many_pixels() from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise damaged() from error
    finally:
        upload.seek(0)
