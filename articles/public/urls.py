from django.urls import path

from articles.backoffice import preview
from articles.public import cards, feeds, pages, views
from articles.search import views as search_views
from config.lib.cache import public_page

app_name = "articles"

# Feeds are public pages too: cached, and invalidated with the articles half.
articles_feed = public_page("articles")

urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", articles_feed(feeds.ArticleFeed()), name="feed"),
    path("feed/atom/", articles_feed(feeds.ArticleAtomFeed()), name="feed-atom"),
    path("category/<slug:slug>/feed/", articles_feed(feeds.CategoryFeed()), name="category-feed"),
    path(
        "category/<slug:slug>/feed/atom/",
        articles_feed(feeds.CategoryAtomFeed()),
        name="category-feed-atom",
    ),
    path("authors/<slug:slug>/feed/", articles_feed(feeds.AuthorFeed()), name="author-feed"),
    path(
        "authors/<slug:slug>/feed/atom/",
        articles_feed(feeds.AuthorAtomFeed()),
        name="author-feed-atom",
    ),
    path("tags/<str:slug>/feed/", articles_feed(feeds.TagFeed()), name="tag-feed"),
    path("tags/<str:slug>/feed/atom/", articles_feed(feeds.TagAtomFeed()), name="tag-feed-atom"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path(
        "search/",
        public_page("articles", "catalog", params=search_views.PARAMS)(search_views.site_search),
        name="search",
    ),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("preview/<str:token>/", preview.article_share_preview, name="preview"),
    path("cards/articles/<slug:slug>/<slug:version>.png", cards.article_card_view, name="card"),
    path("cards/tags/<str:slug>/<slug:version>.png", cards.tag_card_view, name="tag-card"),
    path("about/", pages.about, name="about"),
    path("corrections/", pages.corrections, name="corrections"),
    path("archive/", pages.archive_index, name="archive"),
    path("archive/<int:year>/", views.archive_year, name="archive-year"),
    path("archive/<int:year>/<int:month>/", views.archive_month, name="archive-month"),
]
