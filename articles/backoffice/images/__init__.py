"""The image library's intake: everything expensive happens once, when an image is uploaded.

- limits.py: what decoding would cost, read from the headers before anything is decoded;
- validation.py: a sound JPEG, PNG, WebP or GIF within the limits, judged by content;
- metadata.py: re-encoded without EXIF, GPS or comments;
- renditions.py: resized copies, and `image_ingest`, which stores an upload with them.

Pages only read the stored rendition names (articles/models/images.py).
"""

from articles.backoffice.images.metadata import image_clean_upload, strip_metadata
from articles.backoffice.images.renditions import image_ingest, make_renditions
from articles.backoffice.images.validation import validate_image_upload

__all__ = [
    "image_clean_upload",
    "image_ingest",
    "make_renditions",
    "strip_metadata",
    "validate_image_upload",
]
