import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.models import Article, SearchEntry
from articles.writes import article_save, articles_delete
from models_catalog.transfer.importer import import_rows
from tests.factories import AIModelFactory, ArticleFactory, CategoryFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

FILLER = "Plain words about computers and people, nothing more to say here."


def find(client, q, **params):
    response = client.get(reverse("articles:search"), {"q": q, **params})
    assert response.status_code == 200
    return response


def titles(response):
    return [hit.entry.title for hit in response.context["hits"]]


@pytest.fixture
def corpus():
    """Quantisation appears once each in a title, a dek and a body: that is the ranking."""
    return {
        "body": ArticleFactory(
            title="Running models at home",
            dek="Hardware for local inference.",
            body=f"{FILLER} Quantisation shrinks the weights. {FILLER}",
        ),
        "title": ArticleFactory(
            title="Quantisation without tears", dek="Small numbers.", body=FILLER
        ),
        "dek": ArticleFactory(
            title="Memory on a budget", dek="Why quantisation matters on laptops.", body=FILLER
        ),
        "mixtral": ArticleFactory(
            title="Mixtral and the mixture of experts",
            dek="Sparse models.",
            body="Under an open licence, with open weights for everyone.",
            tags=["Open source"],
        ),
        "other": ArticleFactory(
            title="Benchmarks", dek="Leaderboards.", body="The weights are open, they say."
        ),
    }


def test_title_outranks_dek_outranks_body(client, corpus):
    assert titles(find(client, "quantisation")) == [
        "Quantisation without tears",
        "Memory on a budget",
        "Running models at home",
    ]


def test_prefix_finds_the_whole_word(client, corpus):
    assert titles(find(client, "mixtr")) == ["Mixtral and the mixture of experts"]


def test_stemming_matches_other_forms(client, corpus):
    assert titles(find(client, "licences")) == ["Mixtral and the mixture of experts"]


def test_quoted_phrase_matches_only_in_order(client, corpus):
    assert titles(find(client, '"open weights"')) == ["Mixtral and the mixture of experts"]
    assert set(titles(find(client, "open weights"))) == {
        "Mixtral and the mixture of experts",
        "Benchmarks",
    }


def test_phrase_search_keeps_catalog_entries_behind_many_newer_articles(client, monkeypatch):
    """On PostgreSQL a phrase is checked among the newest PHRASE_WINDOW entries of each kind."""
    monkeypatch.setattr("articles.search.postgres.PHRASE_WINDOW", 2)
    AIModelFactory(name="Grok", summary="Released with open weights.")
    for n in range(3):
        ArticleFactory(title=f"Note {n}", body="The weights are open, or open weights.")
    response = find(client, '"open weights"', type="models")
    assert titles(response) == ["Grok"]
    assert {c["value"]: c["count"] for c in response.context["type_choices"]}["models"] == 1


def test_every_word_must_match(client, corpus):
    assert titles(find(client, "mixtral benchmarks")) == []


def test_tags_are_searchable_and_follow_changes(client, corpus):
    assert titles(find(client, "source")) == ["Mixtral and the mixture of experts"]
    corpus["other"].tags.add("Source code")
    corpus["mixtral"].tags.clear()
    assert titles(find(client, "source")) == ["Benchmarks"]


def test_result_count_and_highlighted_snippets(client, corpus):
    response = find(client, "quantisation")
    content = response.content.decode()
    assert "3 results for" in content
    assert "<mark>Quantisation</mark> without tears" in content
    assert "Why <mark>quantisation</mark> matters" in content
    assert "<mark>Quantisation</mark> shrinks the weights" in content  # body excerpt


def test_long_bodies_are_excerpted_where_their_words_are(client):
    """PostgreSQL looks for an excerpt in a window around the first word as typed, and in
    the whole body when the window holds none (a word matched only in another form)."""
    filler = FILLER * 60  # about 4,000 characters before anything worth finding
    ArticleFactory(title="Deep one", body=f"{filler} Zephyrine shrinks the weights. {filler}")
    ArticleFactory(title="Deep two", body=f"{filler} One careful study of weights. {filler}")
    content = find(client, "zephyrine").content.decode()
    assert "<mark>Zephyrine</mark> shrinks the weights" in content
    content = find(client, "studies").content.decode()  # "study": the stem, not the word
    assert "careful <mark>study</mark> of weights" in content


def test_a_long_body_without_the_words_is_not_parsed_whole(client):
    """An entry found by its title alone shows no excerpt, and its body (its vector's own
    part holds none of the words) is not given to the highlighter whole: the page's marks
    come from one statement, as many as when the window holds the match."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    filler = FILLER * 60
    ArticleFactory(title="Zephyrine at home", body=filler)
    ArticleFactory(title="Deep one", body=f"{filler} Zephyrine shrinks the weights. {filler}")
    ArticleFactory(title="Deep two", body=f"{filler} One careful study of weights. {filler}")
    with CaptureQueriesContext(connection) as queries:
        response = find(client, "zephyrine")
    hits = {hit.entry.title: hit for hit in response.context["hits"]}
    assert hits["Zephyrine at home"].excerpt_html == ""
    assert "<mark>Zephyrine</mark> shrinks" in hits["Deep one"].excerpt_html
    headlines = [q["sql"] for q in queries.captured_queries if "ts_headline" in q["sql"]]
    assert len(headlines) == (1 if connection.vendor == "postgresql" else 0)
    with CaptureQueriesContext(connection) as stemmed:
        assert "careful <mark>study</mark>" in find(client, "studies").content.decode()
    assert len(stemmed) == len(queries)  # the stem's whole body: in the same statement


def test_a_phrase_is_excerpted_where_the_phrase_is():
    """The excerpt window of a long body goes to the phrase as typed, not to the first of its
    words met alone (whose window holds no match and made the whole body be parsed)."""
    from articles.search.postgres import _window
    from articles.search.query import parse_query

    filler = FILLER * 30
    body = f"Open questions first. {filler} Weights too. {filler} Open-weights models. {filler}"
    window, cut = _window(body, parse_query('"open weights" models'))
    assert cut and "Open-weights models" in window
    window, _ = _window(body, parse_query("weights"))
    assert window.startswith("Open questions") or "Weights too" in window


def test_a_model_named_exactly_is_an_index_lookup(catalog):
    """`named_models` compares the expression the `searchentry_name_key` index holds."""
    from django.db import connection

    from articles.models.search import name_key

    entry = SearchEntry.objects.get(kind="model", object_id=catalog["mixtral"].pk)
    assert search.results.named_models("mixtral 8x7b") == [entry.pk]
    assert search.results.named_models("MIXTRAL-8x7B") == [entry.pk]
    SearchEntry.objects.bulk_create(  # a catalog big enough for the planner to choose
        SearchEntry(kind="model", object_id=10_000 + n, slug=f"m{n}", title=f"Model {n}")
        for n in range(500)
    )
    rows = SearchEntry.objects.alias(key=name_key()).filter(kind="model", key="mixtral8x7b")
    sql, params = rows.values_list("pk").query.sql_with_params()
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_searchentry")
        cursor.execute(explain + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "searchentry_name_key" in plan


def test_snippets_escape_everything_but_the_marks(client):
    ArticleFactory(
        title="Tokens <script>alert(1)</script> & more",
        dek="Use <b>bold</b> tokens & friends.",
        body="Plain text with `<img src=x onerror=alert(1)>` tokens inside.",
    )
    content = find(client, "tokens").content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in content
    assert "<b>bold</b>" not in content and "<img src=x" not in content
    assert "<mark>Tokens</mark>" in content


def test_drafts_scheduled_and_trashed_articles_never_appear(client):
    ArticleFactory(title="Zephyr draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Zephyr in review", status=Article.Status.REVIEW, published_at=None)
    scheduled = ArticleFactory(
        title="Zephyr scheduled", published_at=timezone.now() + timedelta(hours=2)
    )
    trashed = ArticleFactory(title="Zephyr trashed")
    Article.all_objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    ArticleFactory(title="Zephyr live")
    assert titles(find(client, "zephyr")) == ["Zephyr live"]
    # Time passes: the scheduled article goes live with no save, and search follows.
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    assert set(titles(find(client, "zephyr"))) == {"Zephyr live", "Zephyr scheduled"}


def test_unpublishing_or_deleting_removes_the_entry(client):
    article = ArticleFactory(title="Falcon notes")
    assert titles(find(client, "falcon")) == ["Falcon notes"]
    article.status = Article.Status.DRAFT
    article_save(article)
    assert titles(find(client, "falcon")) == []
    assert not SearchEntry.objects.filter(object_id=article.pk).exists()
    article.status = Article.Status.PUBLISHED
    article_save(article)
    assert titles(find(client, "falcon")) == ["Falcon notes"]
    articles_delete([article])
    assert titles(find(client, "falcon")) == []


def test_edits_and_category_renames_reach_the_index(client):
    category = CategoryFactory(name="Explainers", slug="explainers")
    article = ArticleFactory(title="Gemma notes", category=category)
    article.title = "Phi notes"
    article_save(article)
    assert titles(find(client, "gemma")) == []
    assert titles(find(client, "phi")) == ["Phi notes"]
    category.name = "Deep dives"
    category.save()
    assert "Deep dives" in find(client, "phi").content.decode()


HOSTILE = [
    "",
    " ",
    '"',
    '""',
    '"unclosed phrase',
    "AND OR NOT",
    "NEAR(a b)",
    "title:quantisation",
    "quantisation*",
    "*",
    "-quantisation",
    "^quantisation",
    "a & b | !c <-> d:*",
    "' OR 1=1 --",
    "'); DROP TABLE articles_article; --",
    "%_%",
    "\\",
    "\x01\x02\x03\x1f",
    "🤖🦙",
    "🤖 quantisation",
    "<script>alert(1)</script>",
    "quantisation " * 2000,
    "x" * 10_000,
]


@pytest.mark.parametrize("q", HOSTILE)
def test_any_input_gives_a_page(client, corpus, q):
    response = find(client, q)
    assert b"<script>alert(1)</script>" not in response.content


def test_nul_bytes_are_refused_or_ignored(client):
    response = client.get(reverse("articles:search"), {"q": "\x00quantisation"})
    assert response.status_code in {200, 400}


def test_hostile_input_still_finds_its_words(client, corpus):
    assert titles(find(client, "'); DROP TABLE x; -- quantisation*")) == []
    assert "Quantisation without tears" in titles(find(client, "quantisation AND tears"))
    assert titles(find(client, "🤖 mixtral")) == ["Mixtral and the mixture of experts"]


def test_long_input_is_truncated_and_said_so(client, corpus):
    content = find(client, "quantisation " + "x" * 10_000).content.decode()
    assert "only its first 200 characters" in content
    assert len(content) < 60_000


def test_empty_and_wordless_queries_explain_themselves(client):
    assert "Type a word or two" in find(client, "").content.decode()
    assert "nothing to search for" in find(client, "🤖 !!!").content.decode()
    assert "Nothing matched" in find(client, "unobtainium").content.decode()


def test_type_filter_and_junk_values(client, corpus):
    assert len(titles(find(client, "quantisation", type="articles"))) == 3
    assert titles(find(client, "quantisation", type="models")) == []
    assert len(titles(find(client, "quantisation", type="'; --"))) == 3


def test_pagination(client):
    ArticleFactory.create_batch(25, title="Whisper transcripts")
    first = find(client, "whisper")
    assert len(first.context["hits"]) == 20 and "25 results" in first.content.decode()
    second = find(client, "whisper", page=2)
    assert len(second.context["hits"]) == 5
    assert "q=whisper&amp;type=all&amp;page=1" in second.content.decode()
    # Results are ranked, not dated: their pages are not "newer" and "older".
    assert "Next →" in first.content.decode() and "Older" not in first.content.decode()
    assert "← Previous" in second.content.decode() and "Newer" not in second.content.decode()
    assert len(find(client, "whisper", page="junk").context["hits"]) == 20


@pytest.mark.parametrize("shown", [3, 20])
def test_query_count_is_flat(client, django_assert_max_num_queries, shown):
    ArticleFactory.create_batch(shown if shown < 20 else 15, title="Claude notes")
    AIModelFactory.create_batch(0 if shown < 20 else 15, name="Claude", tags=["LLM"])
    # The synonym list, counts per type, the ids of the newest matches, a model named
    # exactly, their ranking, the page's highlights.
    with django_assert_max_num_queries(6):
        response = find(client, "claude")
    assert len(response.context["hits"]) == shown


@pytest.fixture
def catalog():
    mistral = OrganizationFactory(name="Mistral AI", slug="mistral-ai")
    return {
        "mixtral": AIModelFactory(
            name="Mixtral 8x7B",
            organization=mistral,
            summary="A sparse mixture-of-experts model under an Apache licence.",
            description="Eight experts, two active per token.",
            tags=["Open source", "MoE"],
        ),
        "whisper": AIModelFactory(
            name="Whisper",
            summary="Speech recognition that transcribes quantisation talks.",
            tags=["Audio"],
        ),
    }


def test_catalog_entries_are_found_by_name_organisation_summary_and_tags(client, catalog):
    assert titles(find(client, "mixtr")) == ["Mixtral 8x7B"]
    assert titles(find(client, "mistral")) == ["Mixtral 8x7B"]
    assert titles(find(client, "experts sparse")) == ["Mixtral 8x7B"]
    assert titles(find(client, "moe")) == ["Mixtral 8x7B"]
    assert titles(find(client, "licences")) == ["Mixtral 8x7B"]  # stem of "licence"
    hit = find(client, "whisper").context["hits"][0]
    assert hit.entry.get_absolute_url() == "/models/" + catalog["whisper"].slug + "/"


def test_both_halves_in_one_ranked_list_with_type_filter(client, corpus, catalog):
    both = find(client, "mixtral")
    assert titles(both) == ["Mixtral 8x7B", "Mixtral and the mixture of experts"] or titles(
        both
    ) == ["Mixtral and the mixture of experts", "Mixtral 8x7B"]
    content = both.content.decode()
    assert "2 results" in content
    assert titles(find(client, "mixtral", type="models")) == ["Mixtral 8x7B"]
    assert titles(find(client, "mixtral", type="articles")) == [
        "Mixtral and the mixture of experts"
    ]
    # The title match outranks a summary match, across kinds.
    assert titles(find(client, "quantisation"))[0] == "Quantisation without tears"
    assert "Whisper" in titles(find(client, "quantisation"))


def test_catalog_changes_reach_the_index(client, catalog):
    model = catalog["whisper"]
    model.name = "Whisper large"
    model.save()
    model.organization.name = "OpenAI"
    model.organization.save()
    model.tags.add("Speech")
    assert titles(find(client, "openai speech large")) == ["Whisper large"]
    model.delete()
    assert titles(find(client, "whisper")) == []


def test_tag_rename_and_merge_reach_the_index(client, catalog):
    from taggit.models import Tag

    from articles.backoffice.tags import tag_merge

    article = ArticleFactory(title="Sparse notes", tags=["Sparsity"])
    tag = Tag.objects.get(name="Sparsity")
    tag.name = "Routing"
    tag.save()
    assert titles(find(client, "routing")) == ["Sparse notes"]
    tag_merge(Tag.objects.get(name="Audio"), [Tag.objects.get(name="Routing")])
    assert set(titles(find(client, "audio"))) == {"Sparse notes", "Whisper"}
    assert article.tags.get().name == "Audio"


def test_bulk_import_is_indexed(client):
    import_rows(
        [
            (
                "item 1",
                {
                    "name": "Falcon 40B",
                    "slug": "falcon-40b",
                    "organization": "TII",
                    "kind": "language",
                    "summary": "An open model from Abu Dhabi.",
                    "tags": "Open source",
                },
            )
        ]
    )
    assert titles(find(client, "falcon abu")) == ["Falcon 40B"]


def test_parse_query_keeps_only_words():
    parsed = search.parse_query("\"Open  Weights\" mixtr* -x OR '1'='1")
    assert parsed.phrases == (("open", "weights"),)
    assert parsed.terms == ("mixtr", "x", "or", "1")
    assert not search.parse_query("🤖 ** --")
    assert len(search.parse_query("word " * 500).terms) == 1
    assert len(search.parse_query(" ".join(f"w{i}" for i in range(50))).terms) == 12


def test_common_words_rank_the_newest_matches_and_cap_the_counts(client, monkeypatch):
    """A word in most entries ranks only the newest MAX_RANKED matches; counts show "N+"."""
    monkeypatch.setattr("articles.search.results.MAX_RANKED", 3)
    now = timezone.now()
    for days in range(5):
        ArticleFactory(title=f"Gemma note {days}", published_at=now - timedelta(days=days + 1))
    ArticleFactory(title="Gemma draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Gemma later", published_at=now + timedelta(days=1))
    response = find(client, "gemma")
    content = response.content.decode()
    assert "3+ results for" in content
    assert sorted(titles(response)) == ["Gemma note 0", "Gemma note 1", "Gemma note 2"]
    monkeypatch.setattr("articles.search.results.MAX_RANKED", 10)
    response = find(client, "gemma")
    assert "5 results for" in response.content.decode()
    assert len(titles(response)) == 5


def test_search_vectors_are_kept_in_their_rows():
    """PostgreSQL keeps each vector in its row (migration 0022: STORAGE MAIN), where the
    search reads it, not in the TOAST table; a long article's vector is written there too."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its index in FTS5")
    ArticleFactory(body=" ".join(f"word{n} topic{n * 7}" for n in range(1500)))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage, reltoastrelid::regclass::text FROM pg_attribute"
            " JOIN pg_class ON pg_class.oid = attrelid"
            " WHERE attrelid = 'articles_searchentry'::regclass AND attname = 'search_vector'"
        )
        storage, toast = cursor.fetchone()
        cursor.execute("SELECT max(pg_column_size(search_vector)) FROM articles_searchentry")
        (vector_bytes,) = cursor.fetchone()
        values_out_of_line = f"SELECT count(DISTINCT chunk_id) FROM {toast}"
        cursor.execute(values_out_of_line)
        (before,) = cursor.fetchone()
        cursor.execute("UPDATE articles_searchentry SET search_vector = search_vector || ''")
        cursor.execute(values_out_of_line)
        (after,) = cursor.fetchone()
    assert storage == "m" and vector_bytes > 4000
    assert after == before  # a new 4 KB vector went into its row (out of line: one more)


def test_only_article_entries_are_checked_against_the_publication_rule(client, corpus, catalog):
    """The catalog's half of a search carries no per-row article subquery (building and
    compiling it was a third of the search page's Python time on the demo)."""
    assert "articles_article" not in str(search.visible_entries("model").query)
    assert "articles_article" in str(search.visible_entries("article").query)
    everything = search.visible_entries()
    assert {kind for (kind,) in everything.values_list("kind")} == {"article", "model"}
    draft = ArticleFactory(title="Unseen draft", status=Article.Status.DRAFT, published_at=None)
    assert not search.visible_entries("article").filter(object_id=draft.pk).exists()


def test_the_catalog_is_searched_through_its_own_index_by_its_own_statistics():
    """A word most articles hold and few catalog entries do: the catalog's part of the
    search reads its own GIN index (migration 0023), as PostgreSQL judges from the catalog's
    words alone, not by reading every catalog entry (what it chose at 100,000 articles when
    the articles' frequent words counted for the catalog's too)."""
    from django.contrib.postgres.search import SearchVector
    from django.db import connection
    from django.db.models import Value
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its index in FTS5")
    SearchEntry.objects.bulk_create(
        SearchEntry(kind=kind, object_id=n, slug=f"{kind}-{n}", title=f"Entry {n}")
        for kind, count in (("article", 3000), ("model", 3000))
        for n in range(1, count + 1)
    )
    common = SearchVector(Value("zebrafish habitats"))
    SearchEntry.objects.filter(kind="article").update(search_vector=common)
    SearchEntry.objects.filter(kind="model", object_id__gt=30).update(
        search_vector=SearchVector(Value("quiet catalog words"))
    )
    SearchEntry.objects.filter(kind="model", object_id__lte=30).update(search_vector=common)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_searchentry")
    with CaptureQueriesContext(connection) as queries:
        counts, _ = search.results.find(search.parse_query("zebrafish"), "model")
    assert counts["model"] == 30
    (statement,) = [q["sql"] for q in queries if "found_1" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + statement)
        plan = [line for (line,) in cursor.fetchall()]
    # The catalog's scan, whichever the planner picks for so small a table: it expects
    # about the 30 entries that hold the word, not half the catalog (half of all entries do).
    scan = next(n for n, line in enumerate(plan) if "CTE found" in line and "_" not in line)
    expected = int(re.search(r"rows=(\d+)", plan[scan + 1]).group(1))
    assert "COALESCE(search_vector" in " ".join(plan)
    assert expected < 300, plan
    # A quoted phrase reads the catalog's words through the same expression (its window).
    with CaptureQueriesContext(connection) as queries:
        counts, _ = search.results.find(search.parse_query('"zebrafish habitats"'), "model")
    assert counts["model"] == 30
    (phrase,) = [q["sql"] for q in queries if "'model'" in q["sql"]]
    assert 'COALESCE("articles_searchentry"."search_vector"' in phrase
