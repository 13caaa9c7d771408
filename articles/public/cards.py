"""Social cards for articles and tag pages (drawing and serving: config/lib/cards.py)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article
from config.lib.cache import generational
from config.lib.cards import Card, card_response
from models_catalog.models import AIModel


def article_card(article):
    """(card, url) for an article loaded with its author and category."""
    facts = (
        ("Category", article.category.name),
        ("By", article.author.name),
        ("Published", f"{article.published_at:%-d %B %Y}" if article.published_at else "draft"),
    )
    card = Card("Article", article.title, facts)
    return card, reverse("articles:card", args=[article.slug, card.version])


def tag_counts(tag):
    """(published articles, catalog entries) carrying `tag`, kept until the next write.

    The articles count shares its key with the tag page's paginator (`count:tag:<pk>`).
    """
    # The querysets are built only when a count is computed, not on every read (a lambda).
    articles = generational(
        f"count:tag:{tag.pk}",
        ("articles",),
        lambda: Article.objects.published().filter(tags=tag).count(),
    )
    models = generational(
        f"count:tag-models:{tag.pk}", ("catalog",), lambda: AIModel.objects.filter(tags=tag).count()
    )
    return articles, models


def tag_card(tag):
    articles, models = tag_counts(tag)
    facts = (("Articles", str(articles)), ("AI models", str(models)))
    card = Card("Tag", tag.name, facts)
    return card, reverse("articles:tag-card", args=[tag.slug, card.version])


def article_card_view(request, slug, version):
    article = get_object_or_404(
        Article.objects.published().select_related("author", "category"), slug=slug
    )
    card, url = article_card(article)
    return card_response(card, version, url)


def tag_card_view(request, slug, version):
    # Every tag has a page (an unused one says so), so every tag has a card.
    card, url = tag_card(get_object_or_404(Tag, slug=slug))
    return card_response(card, version, url)
