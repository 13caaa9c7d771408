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


def tags_in_use(order="use"):
    """Every tag carried by a published article or a catalog entry, with both counts.

    `order` is "use" (most used first) or "name" (A–Z).
    """
    from django.db.models import F, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce, Lower
    from taggit.models import Tag

    from articles.models import TaggedArticle
    from models_catalog.models import TaggedModel

    def count_of(rows):
        counted = rows.filter(tag=OuterRef("pk")).order_by().values("tag")
        return Coalesce(
            Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        )

    published = Article.objects.published().values("pk")
    tags = (
        Tag.objects.annotate(
            article_count=count_of(TaggedArticle.objects.filter(content_object__in=published)),
            model_count=count_of(TaggedModel.objects.all()),
        )
        .annotate(use_count=F("article_count") + F("model_count"))
        .filter(use_count__gt=0)
    )
    if order == "name":
        return tags.order_by(Lower("name"), "pk")
    return tags.order_by("-use_count", Lower("name"), "pk")


def related_tags(tag, limit=12):
    """Tags that co-occur most with `tag` on published articles and catalog entries."""
    from collections import Counter

    from articles.models import TaggedArticle
    from models_catalog.models import AIModel, TaggedModel

    tagged_articles = Article.objects.published().filter(tags=tag).values("pk")
    tagged_models = AIModel.objects.filter(tags=tag).values("pk")
    counts, names = Counter(), {}
    for rows in (
        TaggedArticle.objects.filter(content_object__in=tagged_articles),
        TaggedModel.objects.filter(content_object__in=tagged_models),
    ):
        grouped = (
            rows.exclude(tag=tag)
            .values("tag", "tag__name", "tag__slug")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in grouped:
            counts[row["tag"]] += row["n"]
            names[row["tag"]] = (row["tag__name"], row["tag__slug"])
    ranked = sorted(counts.items(), key=lambda item: (-item[1], names[item[0]][0].lower()))
    return [{"name": names[pk][0], "slug": names[pk][1], "count": n} for pk, n in ranked[:limit]]


def models_for_article(article, limit=8):
    """Catalog entries referenced inline in `article` or sharing its tags.

    Most specific first: inline references, then the number of shared tags, then name.
    One query (the article's tags must be prefetched).
    """
    from django.db.models import Q

    from models_catalog.models import AIModel

    tag_ids = [tag.pk for tag in article.tags.all()]
    referenced = Q(mentioned_in=article)
    return (
        AIModel.objects.filter(referenced | Q(tags__in=tag_ids))
        .select_related("organization")
        .annotate(
            shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True),
            is_referenced=Count("mentioned_in", filter=Q(mentioned_in=article), distinct=True),
        )
        .order_by("-is_referenced", "-shared_tags", "name", "pk")[:limit]
    )


def articles_about(obj, limit=6):
    """Published articles sharing `obj`'s tags, or referencing it inline when it is a model.

    Works for any object with a `tags` manager (its tags should be prefetched).
    """
    from django.db.models import Q

    tag_ids = [tag.pk for tag in obj.tags.all()]
    condition = Q(tags__in=tag_ids)
    if obj._meta.label == "models_catalog.AIModel":
        condition |= Q(mentioned_models=obj)
    return (
        Article.objects.published()
        .filter(condition)
        .select_related("category", "author")
        .distinct()
        .order_by("-published_at", "-pk")[:limit]
    )
