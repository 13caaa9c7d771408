"""Telling the site that catalog data changed: cached pages and the search index.

Catalog data shows on catalog pages and on article pages (badges, "Models in this article").
Since issue 18 the cache hears exactly what changed (config/lib/dependencies.py): for each
entry, `model:<id>` (its page, the compares and articles that show it) and `list:models` (the
catalog, its feeds); when its place in other lists may have changed (created, deleted,
renamed, retagged, regraded, or not known: a row saved directly), also `order:models` (the
model lists of tag and article pages) and `names:models` (the compare choices). The write
path says which entries changed only in facts no list orders by (`entries_changed(...,
structural=False)`: a price, a context window). Any catalog write also invalidates what
depends on every write of either half (`any:*`: pages that name nothing, counts). Two
words say what changed:
`entries_changed(pks)` (those entries' pages, search documents and the lists showing them) and
`pages_changed()` (something pages show that no search document holds: a licence, a grade, a
modality).

writes.py says them for its writes, the models' save() and delete() for a row written directly
(a shell, a fixture), and signals.py for writes from outside the app (taggit, the shared tag
table). `announcing()` gathers what a block of writes says and says it once, when the
outermost block ends: an admin save writes the entry, its tags and its grades, and the search
index hears of it in one call. A block that fails says nothing (its writes roll back with it).
This module names no model, so the models can import it.
"""

from dataclasses import dataclass, field

from config.lib import cache, indexing
from config.lib.batching import Batching

KIND = "model"  # the search kind of catalog entries (search.py registers it)


@dataclass
class Announcement:
    """What a block of writes changed, said once when it ends."""

    entries: set[int] = field(default_factory=set)
    plain: set[int] = field(default_factory=set)  # changed in facts no list orders by
    keys: set[str] = field(default_factory=set)
    pages: bool = False

    def flush(self):
        if self.entries:
            indexing.changed(KIND, sorted(self.entries))
        keys = set(self.keys)
        for pk in self.entries:
            keys |= {f"model:{pk}", "list:models"}
            if pk not in self.plain:
                keys |= {"order:models", "names:models"}
        if self.pages:
            keys.add("half:catalog")  # reach unknown: every catalog page
        if keys:
            cache.invalidate(keys, ("articles", "catalog"))


_batches = Batching("catalog_announcement", Announcement)


def announcing():
    """Collect the announcements made inside; the outermost block makes them once, at its end.

    Open it inside the transaction of the writes it covers, so that the search documents it
    writes commit or roll back with them.
    """
    return _batches.collecting()


def superseded():
    """Writes inside say nothing: the caller announces a larger change when it is done.

    For the site generator, which rebuilds the whole search index and invalidates every
    page once at the end; announcing each batch of entries first would index them twice.
    """
    return _batches.muted()  # collected, never flushed


def entries_changed(pks, structural=True):
    """These entries were written, retagged or deleted.

    `structural=False`: only in facts no list orders or filters by (the write path knows),
    however the rows announced themselves on the way.
    """
    pks = [pk for pk in pks if pk is not None]
    with announcing() as batch:
        batch.entries.update(pks)
        if not structural:
            batch.plain.update(pks)


def keys_changed(keys):
    """What pages show beside entries changed: these dependency keys."""
    with announcing() as batch:
        batch.keys.update(keys)


def pages_changed():
    """Something catalog pages show changed, though no entry's search document did."""
    with announcing() as batch:
        batch.pages = True


class AnnouncedOnWrite:
    """For catalog models: saving or deleting one row announces it, whoever does it.

    `announced_entries()` names the entries whose search documents show the row (none: only
    pages). Deleting many rows at once (`QuerySet.delete`) skips this; writes.py announces
    the deletions it makes.
    """

    def announced_entries(self):
        return ()

    def save(self, *args, **kwargs):
        with announcing():
            super().save(*args, **kwargs)
            _row_changed(self.announced_entries())

    def delete(self, *args, **kwargs):
        with announcing():
            entries = list(self.announced_entries())  # before its key is gone
            deleted = super().delete(*args, **kwargs)
            _row_changed(entries)
        return deleted


def _row_changed(entries):
    """A row written directly: its entries, or (none named) every catalog page."""
    entries = list(entries)
    if entries:
        entries_changed(entries)
    else:
        pages_changed()
