"""RSS 2.0 and Atom feeds of the entries most recently added to the catalog.

As in the articles' feeds: names are plain text, RSS descriptions and Atom summaries are HTML.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.html import escape

from config.lib.seo import absolute_url
from config.lib.syndication import AtomFeed, RssFeed
from models_catalog.models import AIModel, FactChange

ITEMS = 20


class CatalogFeed(Feed):
    url_name = "catalog:feed"
    feed_type = RssFeed
    title = f"{settings.SITE_NAME}: new in the model catalog"
    subtitle = "AI models most recently added to the ModelPress catalog."  # plain text
    description = escape(subtitle)  # HTML

    def link(self):
        return absolute_url(reverse("catalog:list"))

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def items(self):
        return AIModel.objects.for_listing().order_by("-created_at", "-pk")[:ITEMS]

    def item_title(self, item):
        return item.name

    def item_description(self, item):
        return escape(item.summary)  # descriptions are HTML; ours is plain text

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_author_name(self, item):
        return item.organization.name if item.organization_id else None

    def item_author_link(self, item):
        return (item.organization.homepage or None) if item.organization_id else None

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display(), *(tag.name for tag in item.tags.all())]


class CatalogAtomFeed(CatalogFeed):
    feed_type = AtomFeed
    url_name = "catalog:feed-atom"


class ChangesFeed(Feed):
    """The latest changes to catalog facts: "GPT-4o: Input price $5 → $2.50"."""

    url_name = "catalog:changes-feed"
    feed_type = RssFeed
    title = f"{settings.SITE_NAME}: changes to catalog facts"
    subtitle = "Every change to a fact in the ModelPress model catalog, newest first."
    description = escape(subtitle)

    def link(self):
        return absolute_url(reverse("catalog:changes"))

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def items(self):
        return FactChange.objects.shown().order_by("-recorded_at", "-pk")[:ITEMS]

    def item_title(self, item):
        return f"{item.name}: {item.summary}"

    def item_description(self, item):
        when = f"True from {item.effective_on.isoformat()}; recorded by {item.source}."
        source = f" Source: {item.source_url}" if item.source_url else ""
        return escape(when + source)

    def item_link(self, item):
        path = reverse("catalog:detail", args=[item.slug]) if item.aimodel_id else None
        return absolute_url(path or reverse("catalog:changes")) + f"#change-{item.pk}"

    def item_guid(self, item):
        return absolute_url(reverse("catalog:changes")) + f"#change-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.recorded_at


class ChangesAtomFeed(ChangesFeed):
    feed_type = AtomFeed
    url_name = "catalog:changes-feed-atom"
