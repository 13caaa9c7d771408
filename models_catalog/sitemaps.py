from django.db.models import Max
from django.urls import reverse

from config.seo import SiteSitemap
from models_catalog.models import AIModel


class AIModelSitemap(SiteSitemap):
    def items(self):
        return AIModel.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return AIModel.objects.aggregate(latest=Max("updated_at"))["latest"]


class CatalogSitemap(SiteSitemap):
    def items(self):
        return ["catalog:list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return AIModel.objects.aggregate(latest=Max("updated_at"))["latest"]
