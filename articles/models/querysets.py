"""The one definition of "visible to readers", and the other shared names for article queries."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

PUBLISHED = "published"  # Article.Status.PUBLISHED, which the model module defines beside us


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Live to the public: marked published and the publish time has passed.

        This is the single definition of "visible to readers"; a future `published_at` is how
        an article is scheduled, so nothing has to run for it to go live.
        """
        return self.filter(
            status=PUBLISHED,
            published_at__lte=timezone.now(),
            deleted_at__isnull=True,
        )

    def scheduled(self):
        """Published with a time still to come: they go live by themselves (the page cache
        learns when from articles/models/drafts.py `next_go_live`)."""
        return self.filter(status=PUBLISHED, published_at__gt=timezone.now())

    def neighbours(self, at, pk):
        """(the one just before, the one just after) an article published `at` with id `pk`,
        in the order of every list (newest first, ties by id): two rows or None. The plain
        range on `published_at` is what lets the index be walked from the article; the OR
        alone made it a 20 ms scan."""
        previous = (
            self.filter(published_at__lte=at)
            .filter(Q(published_at__lt=at) | Q(pk__lt=pk))
            .order_by("-published_at", "-pk")
            .first()
        )
        following = (
            self.filter(published_at__gte=at)
            .filter(Q(published_at__gt=at) | Q(pk__gt=pk))
            .order_by("published_at", "pk")
            .first()
        )
        return previous, following

    def not_trashed(self):
        return self.filter(deleted_at__isnull=True)

    def trashed(self):
        return self.filter(deleted_at__isnull=False)

    # What a card never shows: about 25 KB of Markdown and HTML per row, left in the table.
    LISTING_DEFERRED = ("body", "body_html", "toc_html", "review_comment")

    def for_sidebar(self):
        """Title, link, date and dek only (the "Recent posts" list)."""
        return self.only("title", "slug", "published_at", "dek")

    def for_listing(self):
        """Cards and lists: author, category and tags, without the body columns."""
        return self.for_detail().defer(*self.LISTING_DEFERRED)

    def for_detail(self):
        """The article page: every column (body_html, toc_html), author, category and tags."""
        return self.select_related("author", "category").prefetch_related("tags")


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    """The default manager: articles in the trash are left out of everything."""

    def get_queryset(self):
        return super().get_queryset().not_trashed()


class TrashManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=False)
