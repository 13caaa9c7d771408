from django.urls import path

from config.lib.cache import public_page
from models_catalog.public import cards, feeds, views

app_name = "catalog"

urlpatterns = [
    path("models/", views.aimodel_list, name="list"),
    path("models/compare/", views.aimodel_compare, name="compare"),
    path("models/methodology/", views.methodology, name="methodology"),
    path("models/feed/", public_page("catalog")(feeds.CatalogFeed()), name="feed"),
    path("models/feed/atom/", public_page("catalog")(feeds.CatalogAtomFeed()), name="feed-atom"),
    path("models/changes/", views.changes_list, name="changes"),
    path("models/changes/feed/", public_page("catalog")(feeds.ChangesFeed()), name="changes-feed"),
    path(
        "models/changes/feed/atom/",
        public_page("catalog")(feeds.ChangesAtomFeed()),
        name="changes-feed-atom",
    ),
    path("models/<slug:slug>/", views.aimodel_detail, name="detail"),
    path("cards/models/<slug:slug>/<slug:version>.png", cards.aimodel_card_view, name="card"),
    path(
        "cards/compare/<str:slugs>/<slug:version>.png",
        cards.compare_card_view,
        name="compare-card",
    ),
    path("models.json", views.aimodel_export, {"fmt": "json"}, name="export-json"),
    path("models.csv", views.aimodel_export, {"fmt": "csv"}, name="export-csv"),
]
