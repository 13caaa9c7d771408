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

Since issue 18 the cache hears exactly what changed (config/lib/dependencies.py): for each
article written, `article:<id>` and, when it is or was visible to readers, the lists that show
it (`list:articles`, `list:category:<id>`, `list:author:<id>`, `list:tag:<id>`); when what a
list holds changed (published or withdrawn, dated, moved, retagged, deleted, or nothing is
known of its state before), also `tagged:<tag id>`, which the "related" lists of other article
pages rank by, and `mentions:model:<id>` of the catalog entries it names (their "Articles
about" panels). What surrounds every article page changes only when an article takes a new
place in time (published, moved, or its state before is not known; `order_keys`):
`recent:articles` when it lands among the newest, `next-to:<id>` of the two articles it lands
between, and `order:articles`. An article leaving a place needs none of them: every page that
listed it there showed it, and its own `article:<id>` reaches them. A body re-rendered (a
reference changed) is no such change. The writes say the state before (`articles_before`), so
an article moved out of a category still leaves that category's list. Rows the pages show
beside articles say their own keys (`AnnouncedOnWrite`); a change whose reach is not known
invalidates every page of the half (`pages_changed`).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone

from config.lib import cache, indexing
from config.lib.batching import Batching

ARTICLE = "article"  # the search kind of articles (articles/search/indexing.py registers it)
PUBLISHED = "published"  # Article.Status.PUBLISHED; this module names no model
RECENT = 5  # "Recent posts" lists the newest five, leaving out the article it is beside
AROUND = "around:articles"  # what surrounds every article page, when too many moved at once
MAX_PLACED = 20  # articles placed one by one (`order_keys`); more: every surrounding (AROUND)


@dataclass(frozen=True)
class State:
    """What decides which lists show an article."""

    visible: bool
    published_at: object
    category: int
    author: int
    tags: frozenset
    scheduled: bool = False  # published with a time to come: the page cache's due moment


def states(pks):
    """{pk: State} of these articles as stored now (two queries; deleted ones are absent)."""
    article = apps.get_model("articles", "Article")
    tagged = apps.get_model("articles", "TaggedArticle")
    tags = {}
    for pk, tag in tagged.objects.filter(content_object_id__in=pks).values_list(
        "content_object_id", "tag_id"
    ):
        tags.setdefault(pk, set()).add(tag)
    now = timezone.now()
    rows = article.all_objects.filter(pk__in=pks).values_list(
        "pk", "status", "published_at", "deleted_at", "category_id", "author_id"
    )
    return {
        pk: State(
            status == PUBLISHED and at is not None and at <= now and deleted is None,
            at,
            category,
            author,
            frozenset(tags.get(pk, ())),
            status == PUBLISHED and at is not None and at > now and deleted is None,
        )
        for pk, status, at, deleted, category, author in rows
    }


def list_keys(state, structural):
    """The keys of the lists showing an article in `state` (none unless readers see it)."""
    if state is None or not state.visible:
        return set()
    keys = {"list:articles", f"list:category:{state.category}", f"list:author:{state.author}"}
    keys.update(f"list:tag:{tag}" for tag in state.tags)
    if structural:
        keys.update(f"tagged:{tag}" for tag in state.tags)
    return keys


def placed(before, after):
    """Whether an article readers see now took a new place in time with this write."""
    if after is None or not after.visible:
        return False
    return before is None or not before.visible or before.published_at != after.published_at


def order_keys(placements):
    """The keys of the article pages' surroundings (articles/public/views.py `_recent`,
    `_neighbours`) that articles taking a new place change: `placements` is [(pk,
    published_at)] of articles readers see now. Two queries for each article; more than
    MAX_PLACED at once (an import) change every page's surroundings (`around:articles`)."""
    if not placements:
        return set()
    if len(placements) > MAX_PLACED:
        return {"order:articles", AROUND}
    published = apps.get_model("articles", "Article").objects.published()
    floor = list(published.values_list("published_at", flat=True)[RECENT : RECENT + 1])
    keys = {"order:articles"}
    for pk, at in placements:
        if not floor or at >= floor[0]:  # among the newest: in every "Recent posts"
            keys.add("recent:articles")
        neighbours = published.only("pk").neighbours(at, pk)
        keys.update(f"next-to:{row.pk}" for row in neighbours if row is not None)
    return keys


def mention_keys(pks):
    """`mentions:model:<id>` of the catalog entries these articles name (one query): a
    model's "Articles about" panel lists the articles naming it, so it changes when one of
    them is published, withdrawn or moves in time, not only when what it names changes
    (articles/writes.py `_store_references`)."""
    if not pks:
        return set()
    through = apps.get_model("articles", "Article").mentioned_models.through
    rows = through.objects.filter(article_id__in=pks).values_list("aimodel_id", flat=True)
    return {f"mentions:model:{pk}" for pk in set(rows)}


def came_due_keys(since):
    """The keys of articles that went live by themselves from `since` to now (the page
    cache's due source: articles/apps.py)."""
    article = apps.get_model("articles", "Article")
    pks = list(
        article.objects.published()
        .filter(published_at__gte=since)
        .values_list("pk", flat=True)[:MAX_DUE]
    )
    if len(pks) == MAX_DUE:
        return {"half:articles"}  # a backlog come due at once: every page
    keys, placements = set(), []
    for pk, state in states(pks).items():
        keys |= {f"article:{pk}", *list_keys(state, structural=True)}
        placements.append((pk, state.published_at))
    return keys | mention_keys(pks) | order_keys(placements)


MAX_DUE = 1000


@dataclass
class Announcement:
    """What a block of writes changed, said once when it ends."""

    articles: set[int] = field(default_factory=set)
    rerendered: set[int] = field(default_factory=set)
    before: dict = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    mentions: dict = field(default_factory=dict)  # article pk -> catalog entries named or not
    pages: bool = False
    everything: bool = False

    def flush(self):
        if self.everything:
            indexing.rebuild()
            cache.bump()
            return
        written = self.articles | self.rerendered
        if written:
            indexing.changed(ARTICLE, sorted(written))
        keys, seen = self.article_keys(written | set(self.before) | set(self.mentions))
        keys |= self.keys
        if self.pages:
            keys.add("half:articles")  # reach unknown: every page of the half
        if keys:
            # Pages that name nothing (feeds, search, the tag index, the sitemap) show only
            # what readers see: articles no reader saw before or sees after (drafts, articles
            # in review, trashed ones), with nothing else announced, change only their own
            # `article:<id>` (their 404).
            seen = seen or bool(self.keys) or self.pages
            cache.invalidate(keys, ("articles",) if seen else ())

    def article_keys(self, pks):
        """(the keys of the articles `pks` and of what shows them, whether a reader saw any
        of them before or sees it now)."""
        after = states(pks) if pks else {}
        if any(state.scheduled for state in [*self.before.values(), *after.values()]):
            cache.due_changed()  # the next moment something goes live by itself moved
        keys, moved, placements, seen = set(), [], [], False
        for pk in pks:
            before, now = self.before.get(pk), after.get(pk)
            structural = pk not in self.rerendered or pk in self.articles
            structural = structural and (before is None or before != now)
            keys.add(f"article:{pk}")
            keys |= list_keys(before, structural) | list_keys(now, structural)
            visible = any(state and state.visible for state in (before, now))
            seen = seen or visible
            if structural and visible:
                moved.append(pk)
            if structural and placed(before, now):
                placements.append((pk, now.published_at))
            if visible:  # the panels list what readers see: a draft's names change none
                keys.update(f"mentions:model:{model}" for model in self.mentions.get(pk, ()))
        return keys | mention_keys(moved) | order_keys(placements), seen


_batches = Batching("articles_announcement", Announcement)


def announcing():
    """Collect the announcements made inside; the outermost block makes them once, at its end.

    Open it inside the transaction of the writes it covers, so that the search entries it
    writes commit or roll back with them.
    """
    return _batches.collecting()


def articles_changed(pks):
    """These articles were written, retagged, re-rendered or deleted."""
    with announcing() as batch:
        batch.articles.update(pks)


def articles_before(pks):
    """These articles are about to be written: their state now says which lists show them."""
    pks = [pk for pk in pks if pk is not None]
    with announcing() as batch:
        found = states([pk for pk in pks if pk not in batch.before]) if pks else {}
        batch.before.update(found)


def articles_rerendered(pks):
    """These articles' derived fields changed (a reference did), nothing lists depend on."""
    with announcing() as batch:
        batch.rerendered.update(pks)


def mentions_changed(pk, model_pks):
    """The article `pk` came to name, or stopped naming, these catalog entries: their
    "Articles about" panels change if a reader sees the article, before or after the write."""
    if model_pks:
        with announcing() as batch:
            batch.mentions.setdefault(pk, set()).update(model_pks)


def keys_changed(keys):
    """What pages show beside articles changed: these dependency keys (config/lib/cache.py)."""
    with announcing() as batch:
        batch.keys.update(keys)


def pages_changed():
    """Something article pages show changed, though no article did; reach unknown."""
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

    `dependency_keys()` names the pages' keys the row shows in; None (the default) means
    not known, and every article page is invalidated.

    Deleting several rows at once (`QuerySet.delete`) skips this; the admin deletes them one
    by one inside `announcing()` (articles/backoffice/admin/base.py).
    """

    def dependency_keys(self):
        return None

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._announce(self.dependency_keys())

    def delete(self, *args, **kwargs):
        keys = self.dependency_keys()  # before its key is gone
        deleted = super().delete(*args, **kwargs)
        self._announce(keys)
        return deleted

    @staticmethod
    def _announce(keys):
        if keys is None:
            pages_changed()
        else:
            keys_changed(keys)
