from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles.public import sitemaps as article_sitemaps
from config.lib import sitemaps
from config.lib.cache import public_page
from config.lib.cache_keys import page_number
from config.views import ping, robots_txt
from models_catalog.public import sitemaps as catalog_sitemaps

SITEMAPS = {
    "home": article_sitemaps.HomeSection(),
    "articles": article_sitemaps.ArticleSection(),
    "categories": article_sitemaps.CategorySection(),
    "authors": article_sitemaps.AuthorSection(),
    "tags": article_sitemaps.TagSection(),
    "pages": article_sitemaps.PagesSection(),
    "catalog": catalog_sitemaps.CatalogSection(),
    "models": catalog_sitemaps.AIModelSection(),
}

# A 403 inside the admin keeps the admin's look (issue 16); elsewhere the site's 403.html.
handler403 = "config.views.permission_denied"

urlpatterns = [
    # DJANGO_ADMIN_PATH moves the back office away from the address every bot tries.
    path(settings.ADMIN_PATH, admin.site.urls),
    # An index of per-section sitemaps: a section past sitemaps.LIMIT URLs is split into
    # files (?p=2…) that the index lists, so a site of any size is fully covered.
    path("sitemap.xml", public_page()(sitemaps.index), {"sections": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        public_page(params={"p": page_number(strict=True)})(sitemaps.section),
        {"sections": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("_ping/", ping, name="ping"),
    path("", include("models_catalog.public.urls")),
    path("", include("articles.public.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
