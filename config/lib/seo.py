"""Absolute links and structured data shared by pages, feeds and the sitemap."""

import json

from django.conf import settings
from django.utils.safestring import mark_safe

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute_url(path):
    """`path` on the canonical origin (`settings.SITE_URL`), whatever host served the request."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


def json_ld(data):
    """A JSON-LD <script> element; `<`, `>` and `&` are escaped so no text can close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
