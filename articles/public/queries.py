"""Reads that need more than one line of ORM."""

import re
from dataclasses import dataclass
from itertools import zip_longest

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from taggit.models import Tag

from articles.models import Article, TaggedArticle
from articles.rendering.comparisons import compare_slugs
from config.lib.cache import generational
from models_catalog.models import AIModel, TaggedModel
from models_catalog.public.comparison import MAX_MODELS

# How many of the newest articles (by id) carrying a tag are weighed for "related" lists:
# enough to rank sensibly, and what keeps the cost flat however many articles share a tag.
RELATED_CANDIDATES = 400
_NAMED = re.compile(r"\[\[(model|compare):([A-Za-z0-9_, -]{1,2000})\]\]")


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
    return published.neighbours(article.published_at, article.pk)


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


# Entries an article's panel shows by tags alone, after every one its body references.
TAGGED_MODELS = 4


@dataclass(frozen=True)
class ArticleModels:
    """An article's "Models in this article": what its body references, then tag matches."""

    referenced: list  # every entry the body references, in the order it names them
    tagged: list  # entries sharing its tags, most shared first, labelled apart and capped

    @property
    def all(self):
        return [*self.referenced, *self.tagged]


def models_for_article(article, limit=TAGGED_MODELS):
    """ArticleModels for `article` (its tags prefetched): two queries at most.

    Every referenced entry ([[model:…]] or a compare set) is shown, however many; the
    tag matches leave those out and are ranked by shared tags inside the database, from the
    tag rows alone (a popular tag is on thousands of entries), then by name.
    """
    mentions = Article.mentioned_models.through.objects.filter(article_id=article.pk)
    rows = (
        AIModel.objects.select_related("organization")
        .defer("description", "description_html")
        .order_by("name", "pk")
    )
    order = _named_order(article.body)
    referenced = sorted(
        rows.filter(pk__in=mentions.values("aimodel_id")),
        key=lambda m: order.get(m.slug, len(order)),
    )
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return ArticleModels(referenced, [])
    return ArticleModels(referenced, _tag_matches(rows, tag_ids, referenced, limit))


def _tag_matches(rows, tag_ids, referenced, limit):
    """The best `limit` of `rows` by tags shared with `tag_ids`, `referenced` left out."""
    tagged = TaggedModel.objects.filter(tag_id__in=tag_ids).exclude(
        content_object_id__in=[m.pk for m in referenced]
    )
    best = (
        tagged.values("content_object_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "content_object__name", "content_object_id")
        .values("content_object_id")[:limit]
    )
    shared = (
        tagged.filter(content_object=OuterRef("pk"))
        .order_by()
        .values("content_object")
        .annotate(n=Count("pk"))
        .values("n")
    )
    matches = (
        rows.filter(pk__in=best)
        .annotate(shared_tags=Coalesce(Subquery(shared, output_field=IntegerField()), Value(0)))
        .order_by("-shared_tags", "name", "pk")
    )
    return list(matches)


def _named_order(body):
    """{slug: position} of the entries `body` names, inline or in a compare set."""
    order = {}
    for kind, slug in _NAMED.findall(body or ""):
        for name in slug.split(",") if kind == "compare" else [slug]:
            order.setdefault(name.strip().lower(), len(order))
    return order


def compare_choice(article, models):
    """The slugs "Compare these models" takes: the body's first compare set if it has one,
    else every referenced entry up to the compare page's max; over the max, open and
    closed entries are taken in turn, so neither side falls off (issue 15)."""
    known = {m.slug for m in models}
    sets = compare_slugs(article.body)
    if sets:
        return [slug for slug in sets[0] if slug in known][:MAX_MODELS]
    if len(models) <= MAX_MODELS:
        return [m.slug for m in models]
    closed = [m for m in models if m.weights == "closed"]
    others = [m for m in models if m.weights != "closed"]
    turns = [m for pair in zip_longest(others, closed) for m in pair if m is not None]
    chosen = {m.slug for m in turns[:MAX_MODELS]}
    return [m.slug for m in models if m.slug in chosen]


# "Articles about X" on a catalog page.
REFERENCING_ARTICLES = 10
TAGGED_ARTICLES = 4
# A tag on more than 1 in GENERIC_SHARE tagged catalog entries ("LLM", "Open weights") says
# little about one of them: while the entry has more specific tags, it makes no match alone.
GENERIC_SHARE = 4


@dataclass(frozen=True)
class ArticlesAbout:
    referencing: list  # published articles whose bodies reference the entry, newest first
    tagged: list  # other published articles sharing its specific tags, most shared first


def articles_about(obj):
    """ArticlesAbout `obj` (anything with a `tags` manager, its tags prefetched).

    For a catalog entry, the articles that reference it come first. Then, labelled apart,
    articles that only share tags: they must share one of its specific tags (see
    GENERIC_SHARE) and are ranked by how many specific tags, then how many tags, they
    share, newest first on a tie, among the newest RELATED_CANDIDATES carrying one. Three
    queries at most, however many articles match.
    """
    published = Article.objects.published().only("title", "slug", "dek", "published_at")
    referencing, mentions = [], None
    if obj._meta.label == "models_catalog.AIModel":
        through = Article.mentioned_models.through.objects.filter(aimodel_id=obj.pk)
        mentions = through.values("article_id")
        referencing = list(
            published.filter(pk__in=mentions).order_by("-published_at", "-pk")[
                :REFERENCING_ARTICLES
            ]
        )
    tag_ids = [tag.pk for tag in obj.tags.all()]
    specific = specific_tags(tag_ids)
    if not specific:
        return ArticlesAbout(referencing, [])
    candidates = (
        TaggedArticle.objects.filter(tag_id__in=specific)
        .order_by("-content_object_id")
        .values("content_object_id")[:RELATED_CANDIDATES]
    )
    tagged = published.filter(pk__in=candidates)
    if mentions is not None:
        tagged = tagged.exclude(pk__in=mentions)
    tagged = tagged.annotate(
        specific=Count("tags", filter=Q(tags__in=specific), distinct=True),
        shared=Count("tags", filter=Q(tags__in=tag_ids), distinct=True),
    ).order_by("-specific", "-shared", "-published_at", "-pk")
    return ArticlesAbout(referencing, list(tagged[:TAGGED_ARTICLES]))


def specific_tags(tag_ids):
    """The ids among `tag_ids` that are not generic; all of them if every one is.

    Generic: carried by more than one catalog entry and by more than 1 in GENERIC_SHARE of
    the entries that carry any tag. One query (a count per tag and the total).
    """
    if not tag_ids:
        return []
    counts = TaggedModel.objects.aggregate(
        total=Count("content_object", distinct=True),
        **{f"t{pk}": Count("pk", filter=Q(tag_id=pk)) for pk in tag_ids},
    )
    total = counts["total"]
    specific = [
        pk for pk in tag_ids if counts[f"t{pk}"] <= 1 or counts[f"t{pk}"] * GENERIC_SHARE <= total
    ]
    return specific or list(tag_ids)
