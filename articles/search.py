"""Site search over published articles and catalog entries.

Each searchable object has one `SearchEntry` row, written here whenever the object, its tags
or its organisation change (the signal handlers at the bottom). The full-text index is the
database's own: a weighted tsvector with a GIN index on PostgreSQL, an FTS5 table with the
porter stemmer on SQLite (migration 0004 creates both). Both get the same parsed query, so a
quoted phrase, a prefix (`mixtr`) and a stem (`licences`) behave alike on either.

Visibility is decided when searching, not when indexing: article hits are filtered through
`Article.objects.published()`, so a scheduled article appears on time and a trashed one never.
"""

import html
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import lru_cache
from itertools import islice

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from taggit.models import Tag

from articles.models import Article, SearchEntry, TaggedArticle
from models_catalog.models import AIModel, TaggedModel

MAX_QUERY_LENGTH = 200  # characters kept from the reader's input; the rest is dropped
# How many matches are ranked and counted. A word found in most bodies ("mixtral" matches
# ~88,000 entries at 100,000 articles) would otherwise be ranked and counted in full on
# every search: the newest MAX_RANKED matches are ranked, and counts stop at MAX_RANKED + 1
# (shown as "1,000+").
MAX_RANKED = 1000
# PostgreSQL checks a quoted phrase's word order row by row (its GIN index only knows which
# words an entry holds), so a rare phrase of common words would be verified against most of
# the archive (0.7 s at 100,000 articles). Phrases are looked for among this many of the
# newest entries holding all their words. SQLite's FTS5 index knows positions: no bound.
PHRASE_WINDOW = 5_000
NEWEST_FIRST = (F("date").desc(nulls_last=True), "-pk")  # the `searchentry_date` index
MAX_WORDS = 12
CONFIG = "english"
# Highlight markers: control characters that never survive `_plain()`, swapped for <mark>
# only after the text around them has been HTML-escaped.
START, STOP = "\x02", "\x03"
FTS_TABLE = "articles_searchentry_fts"
FTS_WEIGHTS = "10.0, 4.0, 2.0, 1.0"  # title, subtitle, tags, body: the A-D of PostgreSQL

_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedQuery:
    """The reader's input reduced to plain words: `terms` match as prefixes, `phrases` exactly."""

    terms: tuple = ()
    phrases: tuple = ()
    truncated: bool = False

    def __bool__(self):
        return bool(self.terms or self.phrases)

    def as_fts5(self):
        """An FTS5 MATCH expression; every word is quoted, so no input is read as syntax."""
        parts = [f'"{term}"*' for term in self.terms]
        parts += ['"{}"'.format(" ".join(phrase)) for phrase in self.phrases]
        return " AND ".join(parts)

    def as_tsquery(self):
        """A `to_tsquery` string: `word:*` for terms, `a <-> b` for phrases, all ANDed."""
        parts = [f"{term}:*" for term in self.terms]
        parts += ["({})".format(" <-> ".join(phrase)) for phrase in self.phrases]
        return " & ".join(parts)

    def as_tsquery_words(self):
        """`as_tsquery` without word order: every word of every phrase, ANDed."""
        parts = [f"{term}:*" for term in self.terms]
        parts += [word for phrase in self.phrases for word in phrase]
        return " & ".join(parts)


def parse_query(text):
    """Split input into quoted phrases and bare words, keeping only letters and digits.

    Whatever the input (operators, quotes, SQL, emoji, 10 KB of text), the result holds at
    most MAX_WORDS alphanumeric words, which is what makes it safe to hand to either engine.
    """
    text = text or ""
    truncated = len(text) > MAX_QUERY_LENGTH
    terms, phrases, budget = [], [], MAX_WORDS
    for match in _TOKEN.finditer(text[:MAX_QUERY_LENGTH]):
        quoted, bare = match.groups()
        words = [w.lower() for w in _WORD.findall(quoted if quoted is not None else bare)]
        words = words[:budget]
        budget -= len(words)
        if quoted is not None and len(words) > 1:
            phrases.append(tuple(words))
        else:
            terms.extend(w for w in words if w not in terms)
    return ParsedQuery(tuple(terms), tuple(dict.fromkeys(phrases)), truncated)


def highlighted(text):
    """HTML-escape `text`, then turn the engine's highlight markers into <mark> tags."""
    if not text:
        return ""
    escaped = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(escaped)  # noqa: S308 - escaped above; only our own tags are added


# -- Querying -------------------------------------------------------------------------------


def visible_entries():
    """Entries a reader may see: published articles (per the one rule) and catalog entries.

    Checked per entry, on the article's primary key: a scalar subquery with LIMIT 1, which
    PostgreSQL cannot turn into a hash of every published article's id (10-15 ms at 100,000
    articles), so a search that stops after a few hundred rows pays for those rows only.
    """
    published = Article.objects.published().filter(pk=OuterRef("object_id")).order_by()
    published = published.values("pk")[:1]
    return SearchEntry.objects.alias(live_article=Subquery(published)).filter(
        Q(kind=SearchEntry.Kind.ARTICLE, live_article__isnull=False)
        | ~Q(kind=SearchEntry.Kind.ARTICLE)
    )


def _fts_rows(ids, parsed):
    """SQLite: entries whose id is in `ids`, joined to their FTS5 row for the MATCH.

    FTS5's ranking and highlighting functions only work in a query that has the MATCH; the
    `+ 0` keeps SQLite from handing `ids` to FTS5 as rowid lookups, one MATCH each (7 s for
    1,000 ids), and makes them a filter on the single pass over the matches.
    """
    match = RawSQL(f"{FTS_TABLE} MATCH %s", [parsed.as_fts5()], output_field=BooleanField())
    return (
        SearchEntry.objects.filter(fts__isnull=False)
        .filter(match)
        .alias(fts_id=F("fts__pk") + 0)
        .filter(fts_id__in=ids)
    )


def find(parsed, kind=None):
    """({kind: matches, exact up to MAX_RANKED}, the entries for `ranked`) for a search."""
    if connection.vendor == "postgresql" and parsed.phrases:
        return _find_phrase(parsed, kind)
    return kind_counts(matching(parsed)), candidates(parsed, kind)


def _find_phrase(parsed, kind):
    """PostgreSQL, a query with a phrase: per kind, one pass over the newest PHRASE_WINDOW
    visible entries of that kind holding all the words, each checked for word order on the
    same visit (per kind, so that thousands of articles cannot crowd the catalog out)."""
    words = SearchQuery(parsed.as_tsquery_words(), search_type="raw", config=CONFIG)
    in_order = ExpressionWrapper(Q(search_vector=_tsquery(parsed)), output_field=BooleanField())
    counts, matches = {}, []
    for entry_kind in SearchEntry.Kind.values:
        window = (
            visible_entries()
            .filter(kind=entry_kind, search_vector=words)
            .annotate(in_order=in_order)
            .order_by(*NEWEST_FIRST)
            .values_list("pk", "date", "in_order")[:PHRASE_WINDOW]
        )
        found = [(pk, date) for pk, date, ok in window if ok]
        counts[entry_kind] = len(found)
        if not kind or kind == entry_kind:
            matches += found
    # Newest first across kinds, as `newest` orders them (undated entries last).
    matches.sort(key=lambda row: (row[1] is not None, row[1] or 0, row[0]), reverse=True)
    ids = [pk for pk, _ in matches[:MAX_RANKED]]
    return counts, SearchEntry.objects.filter(pk__in=ids)


def matching(parsed):
    """Visible entries matching `parsed`, with no ranking (cheap: used for counts).

    On SQLite the match is a standalone `id + 0 IN (SELECT rowid … MATCH …)`, which stays
    valid inside a subquery (where Django renames the tables). The `+ 0` is deliberate: it
    stops SQLite driving the query from the list of matches (one row lookup per match, then a
    sort of all of them: 0.7 s for a word in 88,000 entries) and makes the list a membership
    test, so an index that is already in the wanted order (`searchentry_date`) is walked and
    the walk stops at the LIMIT (20 ms).
    """
    entries = visible_entries()
    if connection.vendor == "postgresql":
        return entries.filter(search_vector=_tsquery(parsed))
    rowids = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [parsed.as_fts5()])
    return entries.alias(fts_probe=F("pk") + 0).filter(fts_probe__in=rowids)


def newest(parsed, kind=None):
    """The ids of the newest MAX_RANKED visible entries matching `parsed`: what gets ranked.

    A subquery, ordered by date (the `searchentry_date` index) and cut before any rank is
    computed.
    """
    entries = matching(parsed)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by(*NEWEST_FIRST).values("pk")[:MAX_RANKED]


def candidates(parsed, kind=None):
    """What the results page ranks: the `newest` matches, ready for `ranked`.

    The ids are read first (one query), then ranked by id: as a subquery, PostgreSQL's
    planner misjudged how many rows it yields and ranked every entry in the index before
    joining (60 ms for 235 matches among 11,000 entries). `newest` has already matched and
    checked visibility, so on PostgreSQL the ranking query only looks rows up by id;
    SQLite's ranking functions need the MATCH again.
    """
    ids = [row["pk"] for row in newest(parsed, kind)]
    if connection.vendor == "postgresql":
        return SearchEntry.objects.filter(pk__in=ids)
    return _fts_rows(ids, parsed)


def ranked(entries, parsed):
    """`entries` (from `candidates`) best first, annotated with `rank`.

    No highlights here: they cost a pass over each row's body, and a database computes
    them before sorting, so for every candidate (up to MAX_RANKED) rather than for the page
    shown; `hits` adds them to one page's rows.
    """
    if connection.vendor == "postgresql":
        entries = entries.annotate(rank=SearchRank(F("search_vector"), _tsquery(parsed)))
    else:
        entries = entries.annotate(rank=RawSQL(f"-bm25({FTS_TABLE}, {FTS_WEIGHTS})", []))
    newest_first = F("date").desc(nulls_last=True)
    return entries.defer("body", "search_vector").order_by("-rank", newest_first, "pk")


def hits(entries, parsed):
    """`Hit`s for `entries` (one page of `ranked`), in order, highlighted in one query."""
    entries = list(entries)
    if not entries:
        return []
    ids = [entry.pk for entry in entries]
    if connection.vendor == "postgresql":
        query = _tsquery(parsed)
        rows = SearchEntry.objects.filter(pk__in=ids).annotate(
            title_hl=_headline("title", query, HighlightAll=True),
            subtitle_hl=_headline("subtitle", query, HighlightAll=True),
            body_hl=_headline("body", query, MaxFragments=2, MaxWords=30, MinWords=12),
        )
    else:  # FTS5's auxiliary functions need the MATCH in the same query
        marks = [START, STOP]
        rows = _fts_rows(ids, parsed).annotate(
            title_hl=RawSQL(f"highlight({FTS_TABLE}, 0, %s, %s)", marks),
            subtitle_hl=RawSQL(f"highlight({FTS_TABLE}, 1, %s, %s)", marks),
            body_hl=RawSQL(f"snippet({FTS_TABLE}, 3, %s, %s, %s, 28)", [*marks, "…"]),
        )
    found = {
        pk: marks for pk, *marks in rows.values_list("pk", "title_hl", "subtitle_hl", "body_hl")
    }
    return [Hit.from_entry(entry, *found.get(entry.pk, ("", "", ""))) for entry in entries]


def _tsquery(parsed):
    return SearchQuery(parsed.as_tsquery(), search_type="raw", config=CONFIG)


def _headline(field, query, **options):
    names = {"HighlightAll": "highlight_all", "MaxFragments": "max_fragments"}
    names |= {"MaxWords": "max_words", "MinWords": "min_words"}
    kwargs = {names[key]: value for key, value in options.items()}
    if "max_fragments" in kwargs:
        kwargs["fragment_delimiter"] = " … "
    return SearchHeadline(field, query, config=CONFIG, start_sel=START, stop_sel=STOP, **kwargs)


def kind_counts(entries):
    """{kind: number of matches, at most MAX_RANKED + 1} for the type filter, in one query.

    Each kind is counted over a subquery that stops after MAX_RANKED + 1 rows, so a word in
    every entry costs no more than a rarer one.
    """
    kinds = list(SearchEntry.Kind.values)
    parts, params = [], []
    for kind in kinds:
        rows = entries.filter(kind=kind).order_by().values("pk")[: MAX_RANKED + 1]
        sql, part_params = rows.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS {kind}_rows)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return dict(zip(kinds, cursor.fetchone(), strict=True))


def shown_count(n):
    """A count as the page shows it: exact up to MAX_RANKED, then "1,000+"."""
    return n if n <= MAX_RANKED else f"{MAX_RANKED:,}+"


@dataclass
class Hit:
    """One result as the template shows it; every *_html value is escaped but for <mark>."""

    entry: SearchEntry
    title_html: str
    subtitle_html: str
    excerpt_html: str

    @classmethod
    def from_entry(cls, entry, title_hl="", subtitle_hl="", body_hl=""):
        body = body_hl or ""
        return cls(
            entry=entry,
            title_html=highlighted(title_hl or entry.title),
            subtitle_html=highlighted(subtitle_hl or entry.subtitle),
            excerpt_html=highlighted(body) if START in body else "",
        )


# -- Indexing -------------------------------------------------------------------------------


def _plain(text):
    """Text for the index: no control characters, single spaces."""
    return _SPACE.sub(" ", _CONTROL.sub(" ", text or "")).strip()


@lru_cache(maxsize=64)  # a bulk rebuild meets the same body more than once
def _text_of(markup):
    """The words of sanitised HTML, e.g. a rendered body."""
    return _plain(html.unescape(strip_tags(markup or "")))


def _tag_names(obj, names=None):
    """`obj`'s tag names, sorted; `names` when the caller already has them (bulk rebuild)."""
    if names is None:
        names = [tag.name for tag in obj.tags.all()]
    return " ".join(sorted(names))


def _article_fields(article, tag_names=None):
    return {
        "slug": article.slug,
        "title": _plain(article.title),
        "subtitle": _plain(article.dek),
        "tags": _plain(_tag_names(article, tag_names)),
        "body": _text_of(article.body_html),
        "label": article.category.name,
        "date": article.published_at,
    }


def _aimodel_fields(model, tag_names=None):
    organization = model.organization.name if model.organization_id else ""
    release = model.release_date
    return {
        "slug": model.slug,
        "title": _plain(model.name),
        "subtitle": _plain(" — ".join(part for part in (organization, model.summary) if part)),
        "tags": _plain(" ".join([_tag_names(model, tag_names), model.family])),
        "body": _text_of(model.description_html),
        "label": model.get_kind_display(),
        "date": datetime.combine(release, time(), tzinfo=UTC) if release else None,
    }


def index_article(article):
    """Write (or remove) the article's entry. Only published ones are kept; drafts never are."""
    if article.status != Article.Status.PUBLISHED:
        return unindex(SearchEntry.Kind.ARTICLE, article.pk)
    return _write(SearchEntry.Kind.ARTICLE, article.pk, _article_fields(article))


def index_aimodel(model):
    """Write the catalog entry's row; the organisation is searched along with the summary."""
    return _write(SearchEntry.Kind.MODEL, model.pk, _aimodel_fields(model))


def _vector():
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("subtitle", weight="B", config=CONFIG)
        + SearchVector("tags", weight="C", config=CONFIG)
        + SearchVector("body", weight="D", config=CONFIG)
    )


def _write(kind, object_id, fields):
    entry, _ = SearchEntry.objects.update_or_create(kind=kind, object_id=object_id, defaults=fields)
    if connection.vendor == "postgresql":
        SearchEntry.objects.filter(pk=entry.pk).update(search_vector=_vector())
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [entry.pk])
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, title, subtitle, tags, body) "
                "VALUES (%s, %s, %s, %s, %s)",
                [entry.pk, entry.title, entry.subtitle, entry.tags, entry.body],
            )
    return entry


def unindex(kind, object_id):
    for pk in SearchEntry.objects.filter(kind=kind, object_id=object_id).values_list(
        "pk", flat=True
    ):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])
        SearchEntry.objects.filter(pk=pk).delete()


def rebuild(batch_size=2000):
    """Index everything from scratch (after a bulk import, or to repair the index).

    Rows go in batches: one INSERT per batch, then one statement that fills the full-text
    index for the batch. On PostgreSQL the body's tsvector is computed once per distinct body
    in the batch (`a || b` of weighted vectors equals the vector of the whole), which is what
    makes a generated site of 100,000 articles index in seconds rather than minutes.
    """
    SearchEntry.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
    articles = (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .select_related("category")
        .defer("body", "toc_html")
        .order_by("pk")
    )
    models = AIModel.objects.select_related("organization").defer("description").order_by("pk")
    count = 0
    for kind, rows, through, fields_of in [
        (SearchEntry.Kind.ARTICLE, articles, TaggedArticle, _article_fields),
        (SearchEntry.Kind.MODEL, models, TaggedModel, _aimodel_fields),
    ]:
        iterator = rows.iterator(chunk_size=batch_size)
        while chunk := list(islice(iterator, batch_size)):
            names = defaultdict(list)
            for object_id, name in through.objects.filter(
                content_object_id__in=[obj.pk for obj in chunk]
            ).values_list("content_object_id", "tag__name"):
                names[object_id].append(name)
            count += _bulk_write(
                [
                    SearchEntry(kind=kind, object_id=obj.pk, **fields_of(obj, names[obj.pk]))
                    for obj in chunk
                ]
            )
    return count


def _bulk_write(entries):
    if not entries:
        return 0
    with transaction.atomic():
        pks = [entry.pk for entry in SearchEntry.objects.bulk_create(entries)]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(_BULK_VECTOR_SQL, [pks, pks])
            elif connection.vendor == "sqlite":
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE} (rowid, title, subtitle, tags, body) "
                    "SELECT id, title, subtitle, tags, body FROM articles_searchentry "
                    f"WHERE id IN ({', '.join(['%s'] * len(pks))})",
                    pks,
                )
    return len(pks)


# The digest is compared as a uuid (bytes), not as text: text comparison goes through the
# collation, which is slow on thousands of 10 KB bodies.
_BULK_VECTOR_SQL = f"""
WITH bodies AS MATERIALIZED (
    SELECT digest, setweight(to_tsvector('{CONFIG}', body), 'D') AS vector
    FROM (SELECT DISTINCT ON (digest) md5(coalesce(body, ''))::uuid AS digest, body
          FROM articles_searchentry WHERE id = ANY(%s) ORDER BY digest) AS distinct_bodies
)
UPDATE articles_searchentry AS e SET search_vector =
    setweight(to_tsvector('{CONFIG}', coalesce(e.title, '')), 'A')
    || setweight(to_tsvector('{CONFIG}', coalesce(e.subtitle, '')), 'B')
    || setweight(to_tsvector('{CONFIG}', coalesce(e.tags, '')), 'C')
    || bodies.vector
FROM bodies
WHERE e.id = ANY(%s) AND md5(coalesce(e.body, ''))::uuid = bodies.digest
"""


# -- Signals --------------------------------------------------------------------------------


def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index_article(instance)


def article_deleted(sender, instance, **kwargs):
    unindex(SearchEntry.Kind.ARTICLE, instance.pk)


def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action != "post_clear" and not pk_set:
        return  # taggit's set() sends post_add even when it added nothing
    if reverse:  # tag.article_set.add(...): `pk_set` holds articles
        articles = Article.objects.filter(pk__in=pk_set or [])
    else:
        articles = [instance]
    for article in articles:
        index_article(article)


def category_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        SearchEntry.objects.filter(
            kind=SearchEntry.Kind.ARTICLE,
            object_id__in=instance.articles.values("pk"),
        ).update(label=instance.name)


def tags_merged(sender, tag_ids, **kwargs):
    """A bulk tag merge or rename bypassed the m2m signals: re-index what carries the tags."""
    for article in Article.objects.filter(tags__in=tag_ids).distinct().select_related("category"):
        index_article(article)
    aimodels_changed(
        sender, pks=AIModel.objects.filter(tags__in=tag_ids).values_list("pk", flat=True)
    )


def aimodel_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index_aimodel(instance)


def aimodel_deleted(sender, instance, **kwargs):
    unindex(SearchEntry.Kind.MODEL, instance.pk)


def aimodel_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action != "post_clear" and not pk_set:
        return  # taggit's set() sends post_add even when it added nothing
    models = AIModel.objects.filter(pk__in=pk_set or []) if reverse else [instance]
    for model in models:
        index_aimodel(model)


def aimodels_changed(sender, pks, batch_size=2000, **kwargs):
    """Re-index what a bulk import touched: per batch, one delete and one bulk insert."""
    pks = list(pks)
    for start in range(0, len(pks), batch_size):
        batch = pks[start : start + batch_size]
        models = (
            AIModel.objects.filter(pk__in=batch)
            .select_related("organization")
            .prefetch_related("tags")
            .order_by("pk")
        )
        entries = [
            SearchEntry(kind=SearchEntry.Kind.MODEL, object_id=model.pk, **_aimodel_fields(model))
            for model in models
        ]
        stale = SearchEntry.objects.filter(kind=SearchEntry.Kind.MODEL, object_id__in=batch)
        with transaction.atomic():
            if connection.vendor == "sqlite":
                old = list(stale.values_list("pk", flat=True))
                with connection.cursor() as cursor:
                    for chunk in range(0, len(old), 500):
                        ids = old[chunk : chunk + 500]
                        cursor.execute(
                            f"DELETE FROM {FTS_TABLE} WHERE rowid IN "
                            f"({', '.join(['%s'] * len(ids))})",
                            ids,
                        )
            stale.delete()
            _bulk_write(entries)


def organization_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        aimodels_changed(sender, pks=instance.models.values_list("pk", flat=True))


def tag_renamed(sender, instance, created=False, raw=False, **kwargs):
    if not (created or raw):
        tags_merged(sender, tag_ids=[instance.pk])


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from articles.models import Category, TaggedArticle
    from articles.signals import tags_changed
    from models_catalog.models import Organization, TaggedModel
    from models_catalog.signals import entries_imported

    uid = "articles.search."
    post_save.connect(article_saved, sender=Article, dispatch_uid=uid + "article")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid=uid + "article-del")
    m2m_changed.connect(article_tags_changed, sender=TaggedArticle, dispatch_uid=uid + "tags")
    post_save.connect(category_saved, sender=Category, dispatch_uid=uid + "category")
    post_save.connect(aimodel_saved, sender=AIModel, dispatch_uid=uid + "aimodel")
    post_delete.connect(aimodel_deleted, sender=AIModel, dispatch_uid=uid + "aimodel-del")
    m2m_changed.connect(aimodel_tags_changed, sender=TaggedModel, dispatch_uid=uid + "mtags")
    post_save.connect(organization_saved, sender=Organization, dispatch_uid=uid + "org")
    entries_imported.connect(aimodels_changed, dispatch_uid=uid + "imported")
    tags_changed.connect(tags_merged, dispatch_uid=uid + "tags-merged")
    post_save.connect(tag_renamed, sender=Tag, dispatch_uid=uid + "tag-renamed")
