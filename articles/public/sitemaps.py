"""Sitemap sections for the publication: home, articles, categories, authors, tags, and the
footer's pages (About, corrections, the archive by year).

`lastmod` is when a reader last saw something change: an article's edit or its going live
(a scheduled article goes live after its last edit), and for a list page, the latest of
those among what it lists. The framework and the views are in config/lib/sitemaps.py.
"""

from django.db.models import Count, Max
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, TaggedArticle
from articles.public.pages import archive_years, corrected_articles
from config.lib.sitemaps import Section, SmallSection, latest, path_for
from models_catalog.models import TaggedModel


class ArticleSection(Section):
    def stats(self):
        found = Article.objects.published().aggregate(
            count=Count("pk"), edited=Max("updated_at"), went_live=Max("published_at")
        )
        return found["count"], latest(found["edited"], found["went_live"])

    def entries(self, page):
        published = Article.objects.published().order_by("pk")
        fields = ("slug", "updated_at", "published_at")
        rows = self.keyset_file(published, page, *fields)
        path = path_for("articles:detail")
        return [(path(slug), latest(edited, went_live)) for slug, edited, went_live in rows]


class _WithPublishedArticles(SmallSection):
    """Categories or authors with published articles, each dated by the newest of those."""

    field = None
    viewname = None

    def all_entries(self):
        # Grouped from the article side, so the per-category and per-author indexes (which
        # carry the dates) answer it without reading article rows.
        path = path_for(self.viewname)
        rows = (
            Article.objects.published()
            .order_by()
            .values(f"{self.field}_id", f"{self.field}__slug")
            .annotate(edited=Max("updated_at"), went_live=Max("published_at"))
            .order_by(f"{self.field}_id")
            .values_list(f"{self.field}__slug", "edited", "went_live")
        )
        return [(path(slug), latest(edited, went_live)) for slug, edited, went_live in rows]


class CategorySection(_WithPublishedArticles):
    field = "category"
    viewname = "articles:category"


class AuthorSection(_WithPublishedArticles):
    field = "author"
    viewname = "articles:author"


class TagSection(SmallSection):
    """Tags that lead somewhere: on a published article or a catalog entry."""

    halves = ("articles", "catalog")

    def all_entries(self):
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
            stamps[row["tag"]] = latest(stamps.get(row["tag"]), row["edited"], row.get("went_live"))
        path = path_for("articles:tag")
        tags = Tag.objects.order_by("slug").values_list("pk", "slug").iterator()
        return [(path(slug), stamps[pk]) for pk, slug in tags if pk in stamps]


class HomeSection(SmallSection):
    def all_entries(self):
        return [(reverse("articles:home"), ArticleSection().cached_stats()[1])]


class PagesSection(SmallSection):
    """The footer's pages: About and methodology, corrections, the archive and its years."""

    def all_entries(self):
        years = archive_years()
        corrected = corrected_articles().values_list("updated_at", flat=True).first()
        year_path = lambda year: reverse("articles:archive-year", args=[year])  # noqa: E731
        return [
            (reverse("articles:about"), None),
            (reverse("articles:corrections"), corrected),
            (reverse("articles:archive"), latest(*(latest(e, w) for _, _, e, w in years))),
            *((year_path(year), latest(edited, live)) for year, _, edited, live in years),
        ]
