"""Telling the site that article-side data changed: cached pages and the search index.

Every write of the articles app ends here, in one of three words: `articles_changed(pks)`
(their pages, search entries and the lists that show them), `pages_changed()` (something
article pages show, such as a category or an image; no search entry holds it) and
`everything_changed()` (a restore: rebuild the whole index, invalidate both halves).

The write path (articles/writes.py) calls them directly, and so do the handlers of writes
that come from outside the app (articles/signals.py). `announcing()` gathers what several
writes announce and says it once, when the outermost block ends: an admin save writes the
article, its tags and the bodies that reference it, and the search index hears of all of
them in one call and the cached pages are invalidated once; a restore rebuilds the index once.
A block that fails announces nothing (its writes are rolled back with it).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from config.lib import cache, indexing

ARTICLE = "article"  # the search kind of articles (articles/search/indexing.py registers it)


@dataclass
class Announcement:
    """What a block of writes changed, said once when it ends."""

    articles: set[int] = field(default_factory=set)
    pages: bool = False
    everything: bool = False

    def flush(self):
        if self.everything:
            indexing.rebuild()
            cache.bump()
            return
        if self.articles:
            indexing.changed(ARTICLE, sorted(self.articles))
        if self.articles or self.pages:
            cache.bump("articles")


_current = ContextVar("articles_announcement", default=None)


@contextmanager
def announcing():
    """Collect the announcements made inside; the outermost block makes them once, at its end.

    Open it inside the transaction of the writes it covers, so that the search entries it
    writes commit or roll back with them.
    """
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    batch = Announcement()
    token = _current.set(batch)
    try:
        yield batch
    finally:
        _current.reset(token)
    batch.flush()


def articles_changed(pks):
    """These articles were written, retagged, re-rendered or deleted."""
    with announcing() as batch:
        batch.articles.update(pks)


def pages_changed():
    """Something article pages show changed, though no article did."""
    with announcing() as batch:
        batch.pages = True


def everything_changed():
    """Rows were replaced wholesale (a restore): rebuild the index, invalidate every page."""
    with announcing() as batch:
        batch.everything = True


def schedule_changed():
    """A moment at which something goes live by itself was set or withdrawn (draft changes of
    a live article scheduled or sent back): no page changed, the page cache re-reads when."""
    cache.due_changed()


class AnnouncedOnWrite:
    """For models whose rows article pages show: each save or delete announces it.

    Deleting several rows at once (`QuerySet.delete`) skips this; the admin deletes them one
    by one inside `announcing()` (articles/backoffice/admin/base.py).
    """

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        pages_changed()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        pages_changed()
        return deleted
