"""RSS 2.0 and Atom feeds: every article, per category, author and tag, and new catalog entries.

Links are absolute on `settings.SITE_URL`, like the sitemap and canonical links, so feed
readers see one address for an article whichever host they fetched the feed from.

Every text we hold is plain text. Titles, categories and author names are plain text in both
formats; an RSS description (channel and item) and an Atom summary are HTML, so those are
HTML-escaped here, while an Atom subtitle is plain text and is not (config/lib/syndication.py
makes every value XML-safe and the writer escapes it for XML).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import escape
from taggit.models import Tag

from articles.models import Article, Author, Category
from config.lib.seo import absolute_url as absolute
from config.lib.syndication import AtomFeed, RssFeed

ITEMS = 20


class ArticleFeed(Feed):
    """All published articles, newest first."""

    url_name = "articles:feed"
    feed_type = RssFeed

    def get_object(self, request, **kwargs):
        return None

    def title(self, obj):
        return f"{settings.SITE_NAME}: latest articles"

    def description_text(self, obj):
        return "Explainers about AI from ModelPress."

    def description(self, obj):
        return escape(self.description_text(obj))  # an RSS description is HTML

    def link(self, obj):
        return absolute(reverse("articles:home"))

    def feed_url(self, obj):
        return absolute(reverse(self.url_name))

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj):
        return self.articles(obj).for_listing()[:ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return escape(item.dek)  # descriptions are HTML; ours is plain text

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_author_name(self, item):
        return item.author.name

    def item_author_link(self, item):
        return absolute(item.author.get_absolute_url())

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_categories(self, item):
        return [item.category.name, *(tag.name for tag in item.tags.all())]


class AtomMixin:
    feed_type = AtomFeed

    def subtitle(self, obj):
        return self.description_text(obj)  # an Atom subtitle is plain text


class ArticleAtomFeed(AtomMixin, ArticleFeed):
    url_name = "articles:feed-atom"


class CategoryFeed(ArticleFeed):
    url_name = "articles:category-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description_text(self, obj):
        return obj.description or f"Articles in {obj.name}."

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute(reverse(self.url_name, kwargs={"slug": obj.slug}))

    def articles(self, obj):
        return Article.objects.published().filter(category=obj)


class CategoryAtomFeed(AtomMixin, CategoryFeed):
    url_name = "articles:category-feed-atom"


class AuthorFeed(CategoryFeed):
    url_name = "articles:author-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def description_text(self, obj):
        return f"Articles by {obj.name}."

    def articles(self, obj):
        return Article.objects.published().filter(author=obj)


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    url_name = "articles:author-feed-atom"


class TagFeed(CategoryFeed):
    url_name = "articles:tag-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def description_text(self, obj):
        return f"Articles tagged “{obj.name}”."

    def link(self, obj):
        return absolute(reverse("articles:tag", kwargs={"slug": obj.slug}))

    def articles(self, obj):
        return Article.objects.published().filter(tags=obj)


class TagAtomFeed(AtomMixin, TagFeed):
    url_name = "articles:tag-feed-atom"
