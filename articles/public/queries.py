"""Reads that need more than one line of ORM."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from taggit.models import Tag

from articles.models import Article, TaggedArticle
from config.lib.cache import generational
from models_catalog.models import AIModel, TaggedModel

# How many of the newest articles (by id) carrying a tag are weighed for "related" lists:
# enough to rank sensibly, and what keeps the cost flat however many articles share a tag.
RELATED_CANDIDATES = 400


def related_articles(article, limit=3, exclude=()):
    """Published articles sharing the most tags with `article` (uses its prefetched tags).

    Ranked among the newest RELATED_CANDIDATES articles carrying any of its tags; the ids in
    `exclude` (what the page already lists as recent posts, issue 17) are left out.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return Article.objects.none()
    candidates = (
        TaggedArticle.objects.filter(tag_id__in=tag_ids)
        .exclude(content_object_id=article.pk)
        .order_by("-content_object_id")
        .values("content_object_id")[:RELATED_CANDIDATES]
    )
    return (
        Article.objects.published()
        .select_related("category")
        .only("title", "slug", "published_at", "category")
        .filter(pk__in=candidates, tags__in=tag_ids)
        .exclude(pk__in=list(exclude))
        .annotate(shared_tags=Count("tags"))
        .order_by("-shared_tags", "-published_at", "-pk")[:limit]
    )


def article_neighbours(article):
    """The published articles just before and just after `article`: (previous, next)."""
    published = Article.objects.published().only("title", "slug", "published_at")
    # Ties broken by id, as every list orders them. The plain range on published_at is what
    # lets the index be walked from this article; the OR alone made it a 20 ms scan.
    at = article.published_at
    previous = (
        published.filter(published_at__lte=at)
        .filter(Q(published_at__lt=at) | Q(pk__lt=article.pk))
        .order_by("-published_at", "-pk")
        .first()
    )
    following = (
        published.filter(published_at__gte=at)
        .filter(Q(published_at__gt=at) | Q(pk__gt=article.pk))
        .order_by("published_at", "pk")
        .first()
    )
    return previous, following


@dataclass(frozen=True)
class TagUse:
    """A tag with how many published articles and catalog entries carry it."""

    pk: int
    name: str
    slug: str
    article_count: int
    model_count: int

    @property
    def use_count(self):
        return self.article_count + self.model_count


def tags_in_use(order="use"):
    """Every tag carried by a published article or a catalog entry, with both counts: a list.

    `order` is "use" (most used first) or "name" (A–Z). Kept until the next write to either
    half (`generational`), and computed with one grouped count over each join table rather
    than two counting subqueries per tag (2.5 s for 5,000 tags at 100,000 articles; this is
    about 70 ms, once per write).
    """
    halves = ("articles", "catalog")
    if order == "name":
        key = lambda tag: (tag.name.lower(), tag.pk)  # noqa: E731
    else:
        key = lambda tag: (-tag.use_count, tag.name.lower(), tag.pk)  # noqa: E731

    def sort():  # the counts are computed once per write, whichever orders are asked for
        return sorted(generational("tags:in-use", halves, _tags_in_use), key=key)

    return generational(f"tags:in-use:{order}", halves, sort)


def _tags_in_use():
    def counts(rows):
        return dict(
            rows.order_by().values("tag_id").annotate(n=Count("pk")).values_list("tag_id", "n")
        )

    articles = counts(TaggedArticle.objects.filter(content_object__in=Article.objects.published()))
    models = counts(TaggedModel.objects.all())
    return [
        TagUse(pk, name, slug, articles.get(pk, 0), models.get(pk, 0))
        for pk, name, slug in Tag.objects.order_by().values_list("pk", "name", "slug").iterator()
        if pk in articles or pk in models
    ]


def related_tags(tag, limit=12):
    """Tags that co-occur most with `tag` on published articles and catalog entries.

    Counted over the newest RELATED_CANDIDATES published articles and catalog entries
    carrying `tag` (by id), so the cost does not grow with how many carry it.
    """
    tagged_articles = (
        Article.objects.published()
        .filter(tags=tag)
        .order_by("-pk")
        .values("pk")[:RELATED_CANDIDATES]
    )
    tagged_models = (
        AIModel.objects.filter(tags=tag).order_by("-pk").values("pk")[:RELATED_CANDIDATES]
    )
    parts, params = [], []
    for rows in (
        TaggedArticle.objects.filter(content_object__in=tagged_articles),
        TaggedModel.objects.filter(content_object__in=tagged_models),
    ):
        sql, part_params = rows.exclude(tag=tag).order_by().values("tag_id").query.sql_with_params()
        parts.append(sql)
        params.extend(part_params)
    # One grouped, ranked and limited query over both halves: only `limit` rows come back.
    # The tag table is Tag's own (taggit), quoted by the backend.
    table = connection.ops.quote_name(Tag._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.name, t.slug, COUNT(*) AS n FROM ({' UNION ALL '.join(parts)}) AS co "
            f"JOIN {table} AS t ON t.id = co.tag_id "
            "GROUP BY t.id, t.name, t.slug ORDER BY n DESC, LOWER(t.name), t.id LIMIT %s",
            [*params, limit],
        )
        return [{"name": name, "slug": slug, "count": n} for name, slug, n in cursor.fetchall()]


def models_for_article(article, limit=8):
    """Catalog entries referenced inline in `article` or sharing its tags.

    Most specific first: inline references, then the number of shared tags, then name.
    One query (the article's tags must be prefetched). The candidates are the article's
    references and the best `limit` by shared tags, a union of two small subqueries, and only
    those are ranked as whole rows.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    mentions = Article.mentioned_models.through.objects.filter(article_id=article.pk)
    tagged = TaggedModel.objects.filter(tag_id__in=tag_ids)
    # The candidates: every reference, plus the `limit` best by shared tags (then name),
    # picked inside the database from the tag rows alone. A popular tag is on thousands of
    # entries; ranking all of them as whole rows cost 5 ms, this about 1.5.
    best_tagged = (
        tagged.values("content_object_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "content_object__name", "content_object_id")
        .values("content_object_id")[:limit]
    )
    best = AIModel.objects.filter(pk__in=best_tagged).values("pk")  # SQLite: no LIMIT in UNION
    shared = (
        tagged.filter(content_object=OuterRef("pk"))
        .order_by()
        .values("content_object")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        AIModel.objects.filter(pk__in=mentions.values("aimodel_id").union(best, all=True))
        .select_related("organization")
        .defer("description", "description_html")
        .annotate(
            shared_tags=Coalesce(Subquery(shared, output_field=IntegerField()), Value(0)),
            is_referenced=Exists(mentions.filter(aimodel_id=OuterRef("pk"))),
        )
        .order_by("-is_referenced", "-shared_tags", "name", "pk")[:limit]
    )


def articles_about(obj, limit=6):
    """Published articles sharing `obj`'s tags, or referencing it inline when it is a model.

    Works for any object with a `tags` manager (its tags should be prefetched). The matches
    are `IN` subqueries on the join tables (no DISTINCT over whole article rows), and only
    the columns the panel shows are read.
    """
    tag_ids = [tag.pk for tag in obj.tags.all()]
    condition = Q(pk__in=TaggedArticle.objects.filter(tag_id__in=tag_ids).values("content_object"))
    if obj._meta.label == "models_catalog.AIModel":
        mentions = Article.mentioned_models.through.objects.filter(aimodel_id=obj.pk)
        condition |= Q(pk__in=mentions.values("article_id"))
    return (
        Article.objects.published()
        .filter(condition)
        .only("title", "slug", "dek", "published_at")
        .order_by("-published_at", "-pk")[:limit]
    )
