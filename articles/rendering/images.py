"""Inline images in Markdown bodies: `![alt](image:<id>)` becomes a responsive `<img>`.

The renditions were made once, at upload (articles/backoffice/images/); rendering only reads
their stored names, in one query for every image a body names.
"""

import re

from django.utils.html import escape, format_html

from articles.models import Image

DEFAULT_SIZES = "(min-width: 60rem) 48rem, 100vw"


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
