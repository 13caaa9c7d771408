from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles import sitemaps as article_sitemaps
from config.cache import public_page
from config.views import ping, robots_txt
from models_catalog import sitemaps as catalog_sitemaps

SITEMAPS = {
    "home": article_sitemaps.HomeSitemap,
    "articles": article_sitemaps.ArticleSitemap,
    "categories": article_sitemaps.CategorySitemap,
    "authors": article_sitemaps.AuthorSitemap,
    "tags": article_sitemaps.TagSitemap,
    "catalog": catalog_sitemaps.CatalogSitemap,
    "models": catalog_sitemaps.AIModelSitemap,
}

urlpatterns = [
    # DJANGO_ADMIN_PATH moves the back office away from the address every bot tries.
    path(settings.ADMIN_PATH, admin.site.urls),
    # An index of per-section sitemaps: a section past 50,000 URLs is split into pages
    # (?p=2…) that the index lists, so a site of any size is fully covered.
    path(
        "sitemap.xml",
        public_page()(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page()(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("_ping/", ping, name="ping"),
    path("", include("models_catalog.urls")),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
