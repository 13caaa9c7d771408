"""Issue 15, item 6: the joins between articles and the catalog say only what is true.

"Articles about X" puts the articles that reference X first and the tag matches apart; an
article's panel shows every model it references; `[[compare:…]]` is a live table; the
compare link keeps closed models; the demo's tags agree with the catalog's classes.
"""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command

from articles.models import Article, PendingReference
from articles.rendering.article import article_derive
from config.lib.indexing import text_of
from models_catalog.changes import WriteContext
from models_catalog.models import AIModel, OpennessClass
from models_catalog.public.comparison import MAX_MODELS
from models_catalog.writes import aimodel_save
from tests.articles.test_tags import make_model
from tests.factories import ArticleFactory
from tests.queries import page_queries as _count

pytestmark = pytest.mark.django_db


# Articles about X ------------------------------------------------------------------------


def _llama_catalog():
    """Llama (tags LLM, Llama) among eight other LLMs: "LLM" is generic, "Llama" is not."""
    llama = make_model("llama-3-1-405b", name="Llama 3.1 405B", tags=["LLM", "Llama"])
    for i in range(8):
        make_model(f"other-{i}", tags=["LLM"], org=f"Org {i}")
    return llama


def test_articles_about_lists_references_first_then_tag_matches_apart(client):
    llama = _llama_catalog()
    tagged = ArticleFactory(title="Tagged Llama piece", tags=["Llama", "LLM"])
    referencing = ArticleFactory(title="Referencing piece", body="Try [[model:llama-3-1-405b]].")
    generic = ArticleFactory(title="Generic LLM piece", tags=["LLM"])
    ArticleFactory(title="Draft about Llama", tags=["Llama"], status="draft", published_at=None)
    content = client.get(llama.get_absolute_url()).content.decode()
    assert "Articles about Llama 3.1 405B" in content
    assert "Also tagged like Llama 3.1 405B" in content
    about, _, also = content.partition("Also tagged like Llama 3.1 405B")
    assert referencing.title in about and tagged.title not in about
    assert tagged.title in also and referencing.title not in also
    # Sharing only a generic tag is no match; drafts never show.
    assert generic.title not in content and "Draft about Llama" not in content


def test_tag_matches_ranked_by_tags_shared_and_capped(client):
    llama = make_model("llama", tags=["Llama", "Llama 3.1", "Meta"])
    one = [ArticleFactory(title=f"One tag {i}", tags=["Meta"]) for i in range(5)]
    three = ArticleFactory(title="Three tags", tags=["Llama", "Llama 3.1", "Meta"])
    tagged = client.get(llama.get_absolute_url()).context["tagged"]
    assert tagged[0] == three
    assert len(tagged) == 4 and set(tagged[1:]) <= set(one)


def test_a_model_with_only_generic_tags_matches_on_them(client):
    lonely = make_model("lonely", tags=["LLM"])
    for i in range(8):
        make_model(f"other-{i}", tags=["LLM"], org=f"Org {i}")
    article = ArticleFactory(title="About LLMs", tags=["LLM"])
    assert client.get(lonely.get_absolute_url()).context["tagged"] == [article]


def test_articles_about_query_count_does_not_grow(client):
    llama = _llama_catalog()
    ArticleFactory(tags=["Llama"])
    small = _count(client, llama.get_absolute_url())
    for i in range(15):
        ArticleFactory(tags=["Llama", "LLM"], body="[[model:llama-3-1-405b]]" if i % 2 else "")
    assert _count(client, llama.get_absolute_url()) == small


# Models in this article --------------------------------------------------------------------


def test_panel_shows_every_referenced_model_then_tag_matches_apart(client):
    for i in range(12):
        make_model(f"named-{i:02d}", name=f"Named {i:02d}", org=f"Org {i}")
    for i in range(6):
        make_model(f"tagged-{i}", name=f"Tagged {i}", tags=["Edge"], org=f"Tag org {i}")
    body = " ".join(f"[[model:named-{i:02d}]]" for i in reversed(range(12)))
    article = ArticleFactory(body=body, tags=["Edge"])
    response = client.get(article.get_absolute_url())
    panel = response.context["models_in_article"]
    # All twelve, in the order the body names them; four tag matches, none referenced.
    assert [m.slug for m in panel.referenced] == [f"named-{i:02d}" for i in reversed(range(12))]
    assert len(panel.tagged) == 4 and all(m.slug.startswith("tagged-") for m in panel.tagged)
    content = response.content.decode()
    section = content.partition("Models in this article")[2]
    assert section.index("Named 00") < section.index("Also tagged like this article")
    assert section.index("Also tagged like this article") < section.index("Tagged 0")


def _compare_link(client, article):
    content = client.get(article.get_absolute_url()).content.decode()
    href = re.search(r'href="([^"]*)">Compare these models side by side', content).group(1)
    return parse_qs(urlparse(href.replace("&amp;", "&")).query)["m"]


def test_compare_link_keeps_closed_models_when_over_the_max(client):
    """Six open models named first and two closed ones last: both closed ones are compared."""
    for i in range(6):
        make_model(f"open-{i}", org=f"Open org {i}")
    make_model("closed-a", weights="closed", org="A")
    make_model("closed-b", weights="closed", org="B")
    slugs = [*(f"open-{i}" for i in range(6)), "closed-a", "closed-b"]
    article = ArticleFactory(body=" ".join(f"[[model:{slug}]]" for slug in slugs))
    link = _compare_link(client, article)
    assert len(link) == MAX_MODELS
    assert "closed-a" in link and "closed-b" in link


def test_compare_link_takes_the_bodys_compare_set(client):
    for slug in ("a-one", "b-two", "c-three"):
        make_model(slug, org=slug)
    article = ArticleFactory(body="[[model:a-one]]\n\n[[compare:c-three,b-two]]\n")
    assert _compare_link(client, article) == ["c-three", "b-two"]


# [[compare:…]] ----------------------------------------------------------------------------


def _pair():
    make_model("open-one", name="Open One", org="Open org")
    make_model("closed-two", name="Closed Two", weights="closed", org="Closed org")


def test_compare_reference_renders_the_compare_rows_as_a_table():
    _pair()
    article = ArticleFactory(body="Before.\n\n[[compare:open-one, closed-two]]\n\nAfter.")
    html = article.body_html
    assert '<div class="table-scroll"><table class="compare-table">' in html
    assert "<caption>Side by side: Open One, Closed Two</caption>" in html
    assert 'href="/models/open-one/"' in html and 'href="/models/closed-two/"' in html
    for label in ("Weights", "Openness class", "Context window", "Licence"):
        assert f'<th scope="row">{label}</th>' in html
    assert '<span class="badge badge--closed">Closed</span>' in html
    assert 'href="/models/compare/?m=open-one&amp;m=closed-two"' in html
    assert "[[compare" not in html
    assert set(article.mentioned_models.values_list("slug", flat=True)) == {
        "open-one",
        "closed-two",
    }


def test_compare_table_is_not_the_articles_prose_for_search():
    _pair()
    article = ArticleFactory(body="Words of mine.\n\n[[compare:open-one,closed-two]]")
    assert "not assessed" in article.body_html
    prose = text_of(article.body_html)
    assert "Words of mine." in prose and "not assessed" not in prose


def test_compare_table_follows_a_changed_fact():
    _pair()
    article = ArticleFactory(body="[[compare:open-one,closed-two]]")
    model = AIModel.objects.get(slug="closed-two")
    model.context_window = 200_000
    aimodel_save(model, WriteContext(source="test"))
    article.refresh_from_db()
    assert "200K" in article.body_html or "200,000" in article.body_html


def test_compare_table_follows_a_grade_written_after_the_row():
    """The admin writes an entry's grades after its row: the table shows the new score."""
    _pair()
    article = ArticleFactory(body="[[compare:open-one,closed-two]]")
    model = AIModel.objects.get(slug="open-one")

    def grade(saved):
        saved.openness_grades.create(dimension="license", grade="open")

    aimodel_save(model, WriteContext(source="test"), related=grade)
    article.refresh_from_db()
    model.refresh_from_db()
    assert model.openness_score is not None
    assert f"{model.openness_score}/100" in article.body_html


def test_unknown_compare_slug_is_plain_text_warned_and_waits():
    _pair()
    article = ArticleFactory(body="[[compare:open-one,closed-two,not-yet]]")
    assert "Not in the catalog, so not compared: not-yet." in article.body_html
    assert article.missing_references == ["compare:not-yet"]
    assert PendingReference.objects.filter(article=article, kind="model", slug="not-yet").exists()
    make_model("not-yet", name="Not Yet", org="Late")
    article.refresh_from_db()
    assert 'href="/models/not-yet/"' in article.body_html
    assert "Not in the catalog" not in article.body_html


def test_compare_reference_with_one_known_model_is_no_table():
    make_model("open-one", org="Open org")
    article = ArticleFactory(body="[[compare:open-one,ghost]]")
    assert "<table" not in article.body_html
    assert "Not in the catalog, so not compared: ghost." in article.body_html


def test_compare_reference_takes_at_most_the_compare_pages_max():
    slugs = [f"m-{i}" for i in range(MAX_MODELS + 2)]
    for slug in slugs:
        make_model(slug, name=slug.upper(), org=slug)
    article = ArticleFactory.build(body=f"[[compare:{','.join(slugs)}]]")
    article_derive(article)
    head = article.body_html.split("</thead>")[0]
    assert head.count('<th scope="col"><a') == MAX_MODELS
    left_out = ", ".join(s.upper() for s in slugs[MAX_MODELS:])
    assert f"left out: {left_out}." in article.body_html
    assert article.reference_notices and "m-6, m-7" in article.reference_notices[0]


def test_compare_reference_needs_a_line_of_its_own():
    _pair()
    article = ArticleFactory(body="Inline [[compare:open-one,closed-two]] stays text.")
    assert "<table" not in article.body_html


# The demo: tags agree with the catalog's classes -------------------------------------------


@pytest.fixture
def demo():
    call_command("load_demo", "--no-accounts", verbosity=0)


def test_demo_open_source_tag_only_on_open_source_models(demo):
    """No entry whose weights are not open under an OSI-approved licence says "Open source";
    and the tags follow the site's own classes: "Open source" exactly on the open-source
    class, "Open weights" exactly on the open-weights class."""
    tagged = AIModel.objects.filter(tags__name__in=["Open source", "Open weights"]).distinct()
    assert tagged.exists()
    for model in AIModel.objects.select_related("license").prefetch_related("tags"):
        tags = {tag.name for tag in model.tags.all()}
        if "Open source" in tags:
            assert model.weights == "open", model.slug
            assert model.license is not None and model.license.osi_approved, model.slug
            assert model.openness_class == OpennessClass.OPEN_SOURCE, model.slug
        if model.openness_class == OpennessClass.OPEN_WEIGHTS and tags:
            assert "Open weights" in tags and "Open source" not in tags, model.slug
        if model.openness_class == OpennessClass.CLOSED:
            assert not tags & {"Open source", "Open weights"}, model.slug
    llama = AIModel.objects.get(slug="llama-3-1-405b")
    assert "Open source" not in {tag.name for tag in llama.tags.all()}


def test_demo_articles_class_tags_name_a_model_of_that_class(demo):
    """An article tagged "Open source" ("Open weights") names a model of that class."""
    classes = {"Open source": OpennessClass.OPEN_SOURCE, "Open weights": OpennessClass.OPEN_WEIGHTS}
    for article in Article.objects.prefetch_related("tags", "mentioned_models"):
        named = {model.openness_class for model in article.mentioned_models.all()}
        for tag in article.tags.all():
            if tag.name in classes:
                assert classes[tag.name] in named, (article.slug, tag.name)


def test_demo_comparison_article_embeds_its_compare_set(demo, client):
    article = Article.objects.get(slug="llama-3-1-vs-gpt-4o-vs-mixtral-vs-claude")
    assert "[[compare:llama-3-1-405b,gpt-4o,mixtral-8x22b,claude-3-5-sonnet]]" in article.body
    assert '<table class="compare-table">' in article.body_html
    link = _compare_link(client, article)
    assert link == ["llama-3-1-405b", "gpt-4o", "mixtral-8x22b", "claude-3-5-sonnet"]
    # The open-vs-closed article names nine models; its link keeps the closed ones.
    link = _compare_link(client, Article.objects.get(slug="open-vs-closed-source-ai"))
    assert {"gpt-4o", "claude-3-5-sonnet", "gemini-1-5-pro"} & set(link) == {
        "gpt-4o",
        "claude-3-5-sonnet",
        "gemini-1-5-pro",
    }
