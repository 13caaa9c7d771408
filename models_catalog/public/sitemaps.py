"""Sitemap sections for the catalog: its list page and one URL per model."""

from django.db.models import Count, Max
from django.urls import reverse

from config.lib.sitemaps import Section, SmallSection, path_for
from models_catalog.models import AIModel


class AIModelSection(Section):
    halves = ("catalog",)

    def stats(self):
        found = AIModel.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
        return found["count"], found["latest"]

    def entries(self, page):
        models = AIModel.objects.order_by("pk")
        rows = self.keyset_file(models, page, "slug", "updated_at")
        path = path_for("catalog:detail")
        return [(path(slug), edited) for slug, edited in rows]


class CatalogSection(SmallSection):
    halves = ("catalog",)

    def all_entries(self):
        return [(reverse("catalog:list"), AIModelSection().cached_stats()[1])]
