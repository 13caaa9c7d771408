"""What readers type, understood (issue 17): clean snippets, spelling variants and synonyms
from one editable list, "Did you mean", and an exact model name first."""

import pytest
from django.urls import reverse

from articles.models import SearchSynonym, SearchWord
from articles.search import parse_query, rebuild
from articles.search.results import engine, excerpt
from articles.search.spelling import suggestion, with_variants
from config.lib.indexing import text_of
from tests.factories import AIModelFactory, ArticleFactory, OrganizationFactory
from tests.users import make_author, make_editor

pytestmark = pytest.mark.django_db


def find(client, q):
    response = client.get(reverse("articles:search"), {"q": q})
    assert response.status_code == 200
    return response


def slugs(response):
    return [hit.entry.slug for hit in response.context.get("hits", [])]


# -- clean text ----------------------------------------------------------------------------


def test_indexed_text_keeps_words_apart_and_leaves_decorations_out():
    html = (
        '<h2 id="c">Compare<a class="heading-anchor" href="#c">#</a></h2>'
        '<p>Use <a class="model-ref" href="/m/">Mixtral 8x22B<span class="badge badge--open">'
        'Mistral AI · open weights</span></a> now.<br>Then<sup class="footnote-ref">'
        '<a href="#fn1">1</a></sup></p><table><tr><td>a</td><td>b</td></tr></table>'
        '<ol><li>Note <a class="footnote-backref" href="#r">↩</a></li></ol>'
    )
    assert text_of(html) == "Compare Use Mixtral 8x22B now. Then a b Note"


def test_snippets_have_no_badge_text_no_heading_marks_and_one_ellipsis(client):
    AIModelFactory(slug="mixtral-8x22b", name="Mixtral 8x22B")
    body = "## What popular models compare\n\n" + "Filler words here. " * 40
    body += "We compare [[model:mixtral-8x22b]] with others. " + "More filler words. " * 40
    ArticleFactory(title="A comparison", body=body)
    response = find(client, "compare")
    excerpts = [str(hit.excerpt_html) for hit in response.context["hits"] if hit.excerpt_html]
    assert excerpts
    for text in excerpts:
        assert "weights" not in text and "#" not in text
        assert "… …" not in text and "……" not in text
        assert text.startswith("… ") and text.endswith(" …")
        assert text.count("…") == 2 + text.count(" … ", 2, len(text) - 2)
        assert "<mark>" in text


@pytest.mark.parametrize(
    ("snippet", "shown"),
    [
        ("…a cut\x02word\x03 here…", "… a cut\x02word\x03 here …"),
        ("first … … second", "… first … second …"),
        ("whole text", "… whole text …"),
        ("... old style ...", "… old style …"),
    ],
)
def test_excerpt_has_one_ellipsis_at_each_cut(snippet, shown):
    assert excerpt(snippet) == shown


# -- variants and synonyms -------------------------------------------------------------------


def test_letters_and_digits_split_like_the_index_does(client):
    AIModelFactory(slug="gpt-4", name="GPT-4")
    AIModelFactory(slug="gpt-4o", name="GPT-4o")
    assert "gpt-4" in slugs(find(client, "gpt4"))
    assert slugs(find(client, "gpt4o"))[0] == "gpt-4o"


def test_british_and_american_spellings_find_each_other(client):
    ArticleFactory(slug="uk", title="A licence explained", body="The licence terms.")
    ArticleFactory(slug="us", title="A license explained", body="The license terms.")
    assert set(slugs(find(client, "licence"))) == {"uk", "us"}
    assert set(slugs(find(client, "license"))) == {"uk", "us"}


def test_a_one_word_spelling_finds_the_words_written_apart(client):
    ArticleFactory(slug="os", title="Why open source matters", body="Open source code.")
    assert slugs(find(client, "opensource")) == ["os"]
    assert slugs(find(client, "open-source")) == ["os"]


def test_editors_keep_the_synonym_list_in_the_admin(client):
    ArticleFactory(slug="cats", title="All about the cat", body="Cats sleep.")
    assert slugs(find(client, "kitten")) == []
    client.force_login(make_editor())
    add = reverse("admin:articles_searchsynonym_add")
    refused = client.post(add, {"spellings": "kitten"})
    assert refused.status_code == 200 and "at least two" in refused.content.decode()
    assert client.post(add, {"spellings": "kitten, cat, , kitten"}).status_code == 302
    assert SearchSynonym.objects.get(spellings="kitten, cat")
    client.logout()
    assert slugs(find(client, "kitten")) == ["cats"]


def test_authors_may_not_edit_the_synonym_list(client):
    client.force_login(make_author())
    response = client.get(reverse("admin:articles_searchsynonym_add"))
    assert response.status_code == 403


def test_variants_come_from_one_query_of_the_list():
    groups = [{("licence",), ("license",)}, {("opensource",), ("open", "source")}]
    parsed = with_variants(parse_query("licence opensource gpt4"), groups)
    assert parsed.spellings("licence") == (("licence",), ("license",))
    assert parsed.spellings("opensource") == (("opensource",), ("open", "source"))
    assert parsed.spellings("gpt4") == (("gpt4",), ("gpt", "4"))
    assert parsed.as_fts5() == (
        '("licence"* OR "license"*) AND ("opensource"* OR "open source"*) AND ("gpt4"* OR "gpt 4"*)'
    )
    assert parsed.as_tsquery() == (
        "(licence:* | license:*) & (opensource:* | (open <-> source:*)) & (gpt4:* | (gpt <-> 4:*))"
    )


# -- did you mean ----------------------------------------------------------------------------


def test_a_typo_shows_the_results_of_the_nearest_words(client):
    ArticleFactory(slug="moe", title="Mixture of experts explained", body="Routing tokens.")
    AIModelFactory(slug="mixtral", name="Mixtral 8x7B")
    response = find(client, "mixtrel")
    assert response.context["corrected"] == "mixtral"
    assert slugs(response) == ["mixtral"]
    page = response.content.decode()
    assert "Showing results for <strong>mixtral</strong>" in page
    assert "?q=mixtral&amp;type=all" in page


def test_no_suggestion_for_nonsense_or_known_words(client):
    ArticleFactory(title="Mixture of experts explained")
    response = find(client, "qqqzzzxx")
    assert "corrected" not in response.context and slugs(response) == []
    assert suggestion(parse_query("mixture"), engine()) is None


def test_the_word_list_follows_the_index():
    ArticleFactory(title="Quantisation for beginners")
    assert SearchWord.objects.filter(word="quantisation").exists()
    SearchWord.objects.all().delete()
    rebuild()
    assert SearchWord.objects.filter(word="quantisation").exists()


# -- exact names -----------------------------------------------------------------------------


def test_a_model_named_exactly_comes_first(client):
    openai = OrganizationFactory(name="OpenAI")
    AIModelFactory(slug="gpt-4o-mini", name="GPT-4o mini", organization=openai)
    AIModelFactory(slug="gpt-4o", name="GPT-4o", organization=openai)
    for _ in range(3):
        ArticleFactory(title="GPT-4o GPT-4o GPT-4o", dek="GPT-4o", body="GPT-4o " * 50)
    for typed in ("GPT-4o", "gpt4o", "gpt 4o", "Gpt-4O"):
        assert slugs(find(client, typed))[0] == "gpt-4o", typed
    assert slugs(find(client, "gpt-4o mini"))[0] == "gpt-4o-mini"


@pytest.mark.usefixtures("page_cache")
def test_a_synonym_saved_or_deleted_reaches_cached_search_pages(client):
    """Search pages name no keys of their own: a change of the synonym list is announced like
    any write of their half, so a kept results page is not served past it."""
    ArticleFactory(slug="kittens", title="A kitten at home", body="Kittens play.")
    ArticleFactory(slug="cats", title="All about the cat", body="Cats sleep.")
    assert slugs(find(client, "kitten")) == ["kittens"]
    assert find(client, "kitten")["X-Cache"] == "hit"
    synonym = SearchSynonym.objects.create(spellings="kitten, cat")
    response = find(client, "kitten")
    assert response["X-Cache"] == "miss"
    assert sorted(slugs(response)) == ["cats", "kittens"]
    synonym.delete()
    assert slugs(find(client, "kitten")) == ["kittens"]
