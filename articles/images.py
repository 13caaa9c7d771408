"""The image library: upload validation, metadata stripping, renditions, inline references.

Everything expensive happens once, when an image is uploaded: pages only read the stored
rendition names. Validation looks at the content, never the file name.
"""

import io
import re
import warnings
from pathlib import PurePosixPath
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import escape, format_html
from PIL import Image as PILImage
from PIL import ImageOps, ImageSequence, UnidentifiedImageError

from articles.image_limits import MAX_FRAMES, MAX_PIXELS, Shape, measure

MAX_BYTES = 20 * 1024 * 1024
RENDITION_WIDTHS = (480, 960, 1600)
ALLOWED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}
DEFAULT_SIZES = "(min-width: 60rem) 48rem, 100vw"
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
                _check_shape(Shape(fmt, *image.size, shape.frames if shape else 1))
                image.load()  # the first frame: truncated or corrupt files fail here
    except ValidationError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except UnidentifiedImageError as error:
        raise ValidationError(
            "This file is not an image (JPEG, PNG, WebP or GIF).", code="not_image"
        ) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise _damaged() from error
    finally:
        upload.seek(0)
    return fmt


def _too_many_pixels(shape=None):
    detail = ""
    if shape is not None and shape.frames > 1:
        # The headers are read only until the budget is spent: "at least" that many frames.
        detail = f" (at least {shape.frames} frames of {shape.width} × {shape.height})"
    return ValidationError(
        f"The image is larger than 40 megapixels{detail}; an animation counts every frame.",
        code="too_many_pixels",
    )


def _damaged():
    return ValidationError("The image file is damaged or truncated.", code="damaged")


def _check_shape(shape):
    if shape.frames > MAX_FRAMES:
        raise ValidationError(
            f"The animation has more than {MAX_FRAMES} frames.", code="too_many_frames"
        )
    if shape.pixels > MAX_PIXELS:
        raise _too_many_pixels(shape)


def check_decode_budget(fileobj):
    """Raise ValidationError if decoding every frame of `fileobj` would pass the limits.

    Reads headers only (articles/image_limits.py). Returns the `Shape`, or None for a file
    that is none of the four formats (Pillow then says what it is).
    """
    fileobj.seek(0)
    data = fileobj.read(MAX_BYTES + 1)
    fileobj.seek(0)
    if len(data) > MAX_BYTES:
        raise ValidationError("The file is larger than 20 MB.", code="too_large")
    shape = measure(data)
    if shape is not None:
        _check_shape(shape)
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


def _encode(image, fmt, **options):
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
        _check_shape(Shape(fmt, *source.size, shape.frames))
        if fmt == "GIF" and source.is_animated:  # looks at the second frame's header only
            frames = _decode_frames(source)
            keep = {k: v for k, v in source.info.items() if k in ("duration", "loop")}
            buffer = io.BytesIO()
            frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], **keep)
            return buffer.getvalue(), fmt, frames[0].size
        image = ImageOps.exif_transpose(source)
        return _encode(image, fmt), fmt, image.size


def _decode_frames(source):
    """Every frame of an animation, counting as it goes: the headers may have lied."""
    frames = []
    for count, frame in enumerate(ImageSequence.Iterator(source), start=1):
        _check_shape(Shape(source.format, *frame.size, count))
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
        raise _too_many_pixels() from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise _damaged() from error
    finally:
        upload.seek(0)


def _first_frame(handle):
    """The first frame of a stored image, decoded once the whole file is known to be in budget."""
    shape = check_decode_budget(handle)
    source = PILImage.open(handle)
    try:
        _check_shape(Shape(source.format, *source.size, shape.frames if shape else 1))
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
                data = _encode(resized, out.upper())
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


def img_tag(image, alt=None, sizes=DEFAULT_SIZES):
    """A responsive, lazy `<img>` for Markdown bodies (which allow no `<picture>`)."""
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" '
        'loading="lazy" decoding="async">',
        image.fallback_url,
        image.webp_srcset or image.original_srcset,
        sizes,
        image.width,
        image.height,
        image.alt if alt is None else alt,
    )


FENCED_CODE = re.compile(r"(^(?:```|~~~).*?^(?:```|~~~)[ \t]*$)", re.M | re.S)
INLINE_IMAGE = re.compile(r"!\[(?P<alt>[^\]\n]*)\]\(image:(?P<id>\d{1,12})\)")


def image_preprocessor(text):
    """Turn `![alt](image:<id>)` into a responsive image from the library.

    An image alone on its line becomes a figure with its caption and credit; an unknown id
    leaves only the alt text, so a deleted image never breaks the page.
    """
    from articles.models import Image

    ids = {int(match["id"]) for match in INLINE_IMAGE.finditer(text)}
    if not ids:
        return text
    images = Image.objects.in_bulk(ids)

    def replace(match):
        image = images.get(int(match["id"]))
        alt = match["alt"].strip() or None
        if image is None:
            return escape(match["alt"])
        tag = img_tag(image, alt=alt)
        line_start = match.start() == 0 or text[match.start() - 1] == "\n"
        line_end = match.end() == len(text) or text[match.end()] == "\n"
        if not (line_start and line_end):
            return tag
        caption = " · ".join(escape(part) for part in (image.caption, image.credit) if part)
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f"\n<figure>{tag}{figcaption}</figure>\n"

    # Leave fenced code alone: an article explaining the syntax must be able to show it.
    parts = FENCED_CODE.split(text)
    return "".join(
        part if index % 2 else INLINE_IMAGE.sub(replace, part) for index, part in enumerate(parts)
    )
