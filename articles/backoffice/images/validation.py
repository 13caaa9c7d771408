"""Is an upload a sound JPEG, PNG, WebP or GIF within the limits? Checked by content.

Validation looks at the bytes, never the file name, and measures what decoding would cost from
the headers (limits.py) before Pillow decodes anything.
"""

import re
import warnings

from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from articles.backoffice.images.limits import MAX_FRAMES, MAX_PIXELS, Shape, measure

MAX_BYTES = 20 * 1024 * 1024
ALLOWED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}
# A picture that also reads as HTML or SVG (a polyglot) is refused even when the image part
# is sound: the stored copy is re-encoded anyway, but the upload shows intent (issue 8).
MARKUP = re.compile(rb"<(?:script|html|body|svg|iframe|object|embed)[\s>/]", re.I)


def validate_image_upload(upload):
    """Raise ValidationError unless `upload` is a sound JPEG, PNG, WebP or GIF within limits.

    The decoding budget (pixels over every frame, frame count) is checked from the headers
    before Pillow decodes anything. Returns the Pillow format name ("JPEG", …).
    """
    if upload.size > MAX_BYTES:
        raise ValidationError("The file is larger than 20 MB.", code="too_large")
    if _contains_markup(upload):
        raise ValidationError("The file contains HTML or script.", code="markup")
    shape = check_decode_budget(upload)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat it as refusal.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            upload.seek(0)
            with PILImage.open(upload) as image:
                fmt = image.format
                if fmt not in ALLOWED_FORMATS:
                    raise ValidationError(
                        "Only JPEG, PNG, WebP and GIF images are accepted.", code="format"
                    )
                check_shape(Shape(fmt, *image.size, shape.frames if shape else 1))
                image.load()  # the first frame: truncated or corrupt files fail here
    except ValidationError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise too_many_pixels() from error
    except UnidentifiedImageError as error:
        raise ValidationError(
            "This file is not an image (JPEG, PNG, WebP or GIF).", code="not_image"
        ) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise damaged() from error
    finally:
        upload.seek(0)
    return fmt


def too_many_pixels(shape=None):
    detail = ""
    if shape is not None and shape.frames > 1:
        # The headers are read only until the budget is spent: "at least" that many frames.
        detail = f" (at least {shape.frames} frames of {shape.width} × {shape.height})"
    return ValidationError(
        f"The image is larger than 40 megapixels{detail}; an animation counts every frame.",
        code="too_many_pixels",
    )


def damaged():
    return ValidationError("The image file is damaged or truncated.", code="damaged")


def check_shape(shape):
    if shape.frames > MAX_FRAMES:
        raise ValidationError(
            f"The animation has more than {MAX_FRAMES} frames.", code="too_many_frames"
        )
    if shape.pixels > MAX_PIXELS:
        raise too_many_pixels(shape)


def check_decode_budget(fileobj):
    """Raise ValidationError if decoding every frame of `fileobj` would pass the limits.

    Reads headers only (limits.py). Returns the `Shape`, or None for a file
    that is none of the four formats (Pillow then says what it is).
    """
    fileobj.seek(0)
    data = fileobj.read(MAX_BYTES + 1)
    fileobj.seek(0)
    if len(data) > MAX_BYTES:
        raise ValidationError("The file is larger than 20 MB.", code="too_large")
    shape = measure(data)
    if shape is not None:
        check_shape(shape)
    return shape


def _contains_markup(upload, chunk_size=1024 * 1024):
    upload.seek(0)
    tail = b""
    for chunk in iter(lambda: upload.read(chunk_size), b""):
        if MARKUP.search(tail + chunk):
            upload.seek(0)
            return True
        tail = chunk[-16:]
    upload.seek(0)
    return False
