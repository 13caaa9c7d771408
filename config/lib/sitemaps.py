"""Sitemaps: an index of sections, each split into files of at most `LIMIT` URLs.

Written without django.contrib.sitemaps' views: at 100,000 articles they spent about 2.5 s
on one 50,000-URL file (a `reverse()`, a method call per field and a template loop for every
URL) and 16 queries on the index. Here a section reads only the columns it needs, builds each
location from one reversed pattern and writes the XML with string joins; what a section
holds and when it last changed (`Section.stats`) is kept per cache generation, like the
pagination counts. A 5,000-URL file costs about 20 ms, the index nothing after a write's
first request.

Sections live beside their models (articles/public/sitemaps.py, models_catalog/sitemaps.py); this
module has the framework and the two views.
"""

import math
from datetime import UTC
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.http import http_date

from config.lib.cache import generational
from config.lib.seo import absolute_url

LIMIT = 5_000  # URLs per file (the protocol allows 50,000; smaller files are cheap to build)
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_SLUG = "0sitemapslug0"  # a stand-in that no URL pattern contains


def latest(*stamps):
    """The newest of `stamps`, ignoring None (None when there are none)."""
    return max((stamp for stamp in stamps if stamp), default=None)


def path_for(viewname):
    """A function slug -> path for `viewname`, reversing the pattern once."""
    before, after = reverse(viewname, kwargs={"slug": _SLUG}).split(_SLUG)
    return lambda slug: before + quote(slug, safe="") + after


class Section:
    """One sitemap section: its URLs as (path, lastmod) and what they depend on."""

    halves = ("articles",)  # the cache generations the section is computed from

    def cached_stats(self):
        """`stats()`, kept until the next write to one of `halves`."""
        return generational(f"sitemap:{type(self).__qualname__}:stats", self.halves, self.stats)

    def stats(self):
        """(number of URLs, newest lastmod)."""
        raise NotImplementedError

    def entries(self, page):
        """(path, lastmod) for the URLs of file `page` (1-based, LIMIT each), in a stable order."""
        raise NotImplementedError

    def keyset_file(self, queryset, page, *fields):
        """`fields` of the rows in file `page` of `queryset` (id-ordered), read by id range.

        The id after which each file starts is kept per generation, so file N is
        `pk > starts[N - 1]` with a LIMIT, which costs the same for the last file as for the
        first (an OFFSET would walk every row before it: 64 ms for the 19th file of 100,000
        articles).
        """

        def starts():
            ids = list(queryset.values_list("pk", flat=True))
            return [0, *ids[LIMIT - 1 : -1 : LIMIT]]

        name = f"sitemap:{type(self).__qualname__}:starts"
        found = generational(name, self.halves, starts)
        if page > len(found):
            return []
        return queryset.filter(pk__gt=found[page - 1]).values_list(*fields)[:LIMIT]


class SmallSection(Section):
    """A section small enough to build whole (categories, tags …): kept per generation."""

    def all_entries(self):
        raise NotImplementedError

    def _cached(self):
        name = type(self).__qualname__
        return generational(f"sitemap:{name}:all", self.halves, lambda: list(self.all_entries()))

    def stats(self):
        rows = self._cached()
        return len(rows), latest(*(stamp for _, stamp in rows))

    def entries(self, page):
        return self._cached()[(page - 1) * LIMIT : page * LIMIT]


def _w3c(stamp):
    return stamp.astimezone(UTC).isoformat(timespec="seconds")


def _xml(body, modified):
    response = HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n',
        content_type="application/xml; charset=utf-8",
    )
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response


def index(request, sections):
    """The sitemap index: every file of every section that has URLs, with its lastmod."""
    parts, stamps = [], []
    for name, section in sections.items():
        count, newest = section.cached_stats()
        stamps.append(newest if count else None)
        base = absolute_url(reverse("sitemap-section", kwargs={"section": name}))
        stamp = f"<lastmod>{_w3c(newest)}</lastmod>" if newest else ""
        for page in range(1, math.ceil(count / LIMIT) + 1):
            loc = escape(base if page == 1 else f"{base}?p={page}")
            parts.append(f"<sitemap><loc>{loc}</loc>{stamp}</sitemap>")
    body = f'<sitemapindex xmlns="{XMLNS}">\n' + "\n".join(parts) + "\n</sitemapindex>"
    return _xml(body, latest(*stamps))


def section(request, section, sections):
    """One file of one section: `?p=` picks the file (1 when absent)."""
    chosen = sections.get(section)
    if chosen is None:
        raise Http404("No such sitemap section.")
    raw = request.GET.get("p", "1")
    if not (raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0):
        raise Http404("No such sitemap page.")
    page = int(raw)
    count, _ = chosen.cached_stats()
    if page > max(1, math.ceil(count / LIMIT)):
        raise Http404("No such sitemap page.")
    origin = absolute_url("/").rstrip("/")
    rows, stamps = [], []
    for path, stamp in chosen.entries(page):
        stamps.append(stamp)
        lastmod = f"<lastmod>{_w3c(stamp)}</lastmod>" if stamp else ""
        rows.append(f"<url><loc>{escape(origin + path)}</loc>{lastmod}</url>")
    body = f'<urlset xmlns="{XMLNS}">\n' + "\n".join(rows) + "\n</urlset>"
    return _xml(body, latest(*stamps))
