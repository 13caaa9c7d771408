"""Reads that need more than one line of ORM."""

from django.db.models import Count

from articles.models import Article


def related_articles(article, limit=3):
    """Published articles sharing the most tags with `article` (uses its prefetched tags)."""
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return Article.objects.none()
    return (
        Article.objects.published()
        .select_related("category")
        .filter(tags__in=tag_ids)
        .exclude(pk=article.pk)
        .annotate(shared_tags=Count("tags"))
        .order_by("-shared_tags", "-published_at", "-pk")[:limit]
    )


def article_neighbours(article):
    """The published articles just before and just after `article`: (previous, next)."""
    published = Article.objects.published().only("title", "slug", "published_at")
    previous = (
        published.filter(published_at__lt=article.published_at)
        .order_by("-published_at", "-pk")
        .first()
    )
    following = (
        published.filter(published_at__gt=article.published_at)
        .order_by("published_at", "pk")
        .first()
    )
    return previous, following
