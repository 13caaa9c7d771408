"""Sitemap sections for the publication: home, articles, categories, authors and tags.

`lastmod` is when a reader last saw something change: an article's edit or its going live
(a scheduled article goes live after its last edit), and for a list page, the latest of
those among what it lists.
"""

from django.db.models import Max
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author, Category, TaggedArticle
from config.seo import SiteSitemap
from models_catalog.models import TaggedModel


def _latest(*stamps):
    return max((stamp for stamp in stamps if stamp), default=None)


class ArticleSitemap(SiteSitemap):
    def items(self):
        return Article.objects.published().only("slug", "published_at", "updated_at")

    def lastmod(self, item):
        return _latest(item.updated_at, item.published_at)

    def get_latest_lastmod(self):
        # One aggregate instead of Sitemap's default walk over every article.
        latest = Article.objects.published().aggregate(
            edited=Max("updated_at"), went_live=Max("published_at")
        )
        return _latest(latest["edited"], latest["went_live"])


class _WithPublishedArticles(SiteSitemap):
    model = None

    def items(self):
        return (
            self.model.objects.filter(articles__in=Article.objects.published())
            .annotate(edited=Max("articles__updated_at"), went_live=Max("articles__published_at"))
            .only("slug")
            .order_by("pk")
        )

    def lastmod(self, item):
        return _latest(item.edited, item.went_live)


class CategorySitemap(_WithPublishedArticles):
    model = Category


class AuthorSitemap(_WithPublishedArticles):
    model = Author


class TagSitemap(SiteSitemap):
    """Tags that lead somewhere: on a published article or a catalog entry."""

    def items(self):
        stamps = {}
        articles = (
            TaggedArticle.objects.filter(content_object__in=Article.objects.published())
            .values("tag")
            .annotate(
                edited=Max("content_object__updated_at"),
                went_live=Max("content_object__published_at"),
            )
        )
        models = TaggedModel.objects.values("tag").annotate(
            edited=Max("content_object__updated_at")
        )
        for row in [*articles, *models]:
            stamps[row["tag"]] = _latest(
                stamps.get(row["tag"]), row["edited"], row.get("went_live")
            )
        tags = Tag.objects.filter(pk__in=stamps).order_by("slug")
        return [(tag, stamps[tag.pk]) for tag in tags]

    def location(self, item):
        return reverse("articles:tag", kwargs={"slug": item[0].slug})

    def lastmod(self, item):
        return item[1]


class HomeSitemap(SiteSitemap):
    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        latest = Article.objects.published().aggregate(
            edited=Max("updated_at"), went_live=Max("published_at")
        )
        return _latest(latest["edited"], latest["went_live"])
