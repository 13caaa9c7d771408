"""Tags join the two halves: one vocabulary, tag pages, cross-links, inline references."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from articles.backoffice.tags import tag_merge, tag_suggestions
from articles.models import Article, TagDescription
from articles.rendering.article import article_derive
from articles.writes import article_save
from config.lib import cache
from models_catalog.models import AIModel, Organization
from tests.factories import ArticleFactory
from tests.queries import page_queries as _count

pytestmark = pytest.mark.django_db


def make_model(slug, name=None, tags=(), weights="open", org="Meta"):
    organization, _ = Organization.objects.get_or_create(name=org, defaults={"slug": org.lower()})
    model = AIModel.objects.create(
        name=name or slug.replace("-", " ").title(),
        slug=slug,
        organization=organization,
        weights=weights,
    )
    if tags:
        model.tags.add(*tags)
    return model


# One vocabulary -------------------------------------------------------------------------


def test_names_differing_in_case_and_spaces_are_one_tag():
    first = ArticleFactory(tags=["Llama 3.1"])
    second = ArticleFactory()
    second.tags.add("llama 3.1")
    model = make_model("llama-3-1-8b", tags=[" LLAMA   3.1 "])
    assert Tag.objects.count() == 1
    tag = Tag.objects.get()
    assert tag.name == "Llama 3.1" and tag.slug == "llama-31"
    assert list(first.tags.all()) == list(second.tags.all()) == list(model.tags.all())


def test_remove_and_set_ignore_case():
    article = ArticleFactory(tags=["Open source", "LLM"])
    article.tags.remove(" open SOURCE ")
    assert [t.name for t in article.tags.all()] == ["LLM"]
    article.tags.set(["llm", "GPT"])
    assert sorted(t.name for t in article.tags.all()) == ["GPT", "LLM"]
    assert Tag.objects.filter(name__iexact="llm").count() == 1


def test_database_refuses_case_duplicates():
    Tag.objects.create(name="Mistral", slug="mistral")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="MISTRAL", slug="mistral-2")


def test_every_tag_has_a_unique_slug():
    ArticleFactory(tags=["C++", "C#", "C"])
    slugs = list(Tag.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 3


def test_description_is_sanitised_markdown():
    tag = Tag.objects.create(name="Licensing", slug="licensing")
    text = "**Terms** of use <script>alert(1)</script><img src=x onerror=alert(1)>"
    description = TagDescription.objects.create(tag=tag, description=text)
    assert "<strong>Terms</strong>" in description.description_html
    assert "<script" not in description.description_html
    assert "onerror" not in description.description_html


# Pages ----------------------------------------------------------------------------------


def test_tag_list_counts_published_articles_and_models(client):
    ArticleFactory(tags=["Llama"])
    ArticleFactory(tags=["Llama"], status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(tags=["Draft only"], status=Article.Status.DRAFT, published_at=None)
    make_model("llama-3-1-8b", tags=["Llama"])
    make_model("gpt-4o", tags=["OpenAI"], weights="closed", org="OpenAI")
    response = client.get("/tags/")
    content = response.content.decode()
    assert "Llama" in content and "OpenAI" in content
    assert "Draft only" not in content
    llama = response.context["page_obj"].object_list
    counts = {tag.name: (tag.article_count, tag.model_count) for tag in llama}
    assert counts == {"Llama": (1, 1), "OpenAI": (0, 1)}


def test_tag_list_sorts(client):
    ArticleFactory(tags=["Zeta", "Alpha"])
    ArticleFactory(tags=["Zeta"])
    by_use = [t.name for t in client.get("/tags/").context["page_obj"]]
    by_name = [t.name for t in client.get("/tags/?sort=name").context["page_obj"]]
    assert by_use == ["Zeta", "Alpha"]
    assert by_name == ["Alpha", "Zeta"]
    response = client.get("/tags/?sort=%27;drop")
    assert response.status_code == 200
    assert "sort order is not available" in response.content.decode()


def test_tag_list_pages_are_previous_and_next(client):
    """The tag index is sorted by use or by name, not by date: its pages are not "newer"
    and "older"."""
    ArticleFactory(tags=[f"Tag {n:03}" for n in range(101)])  # 100 tags a page
    first = client.get("/tags/?sort=name").content.decode()
    second = client.get("/tags/?sort=name&page=2").content.decode()
    assert "Next →" in first and "Older →" not in first
    assert "← Previous" in second and "← Newer" not in second


def test_tag_page_shows_both_halves(client):
    tag_name = "Open source"
    article = ArticleFactory(title="Why open matters", tags=[tag_name, "Llama"])
    ArticleFactory(
        title="Hidden draft", tags=[tag_name], status=Article.Status.DRAFT, published_at=None
    )
    ArticleFactory(
        title="Future piece", tags=[tag_name], published_at=timezone.now() + timedelta(1)
    )
    make_model("olmo-7b", name="OLMo 7B", tags=[tag_name, "Research"], org="Ai2")
    TagDescription.objects.create(
        tag=Tag.objects.get(name=tag_name), description="Code *and* data."
    )
    response = client.get("/tags/open-source/")
    assert response.status_code == 200
    content = response.content.decode()
    assert article.title in content
    assert "OLMo 7B" in content and "Ai2" in content and "Open weights" in content
    assert "<em>and</em>" in content
    assert "Hidden draft" not in content and "Future piece" not in content
    assert "/tags/open-source/feed/" in content
    related = [t["name"] for t in response.context["related_tags"]]
    assert set(related) == {"Llama", "Research"}


@pytest.mark.parametrize("url", ["/tags/no-such-tag/", "/tags/%F0%9F%98%80/", "/tags/x%20y/"])
def test_unknown_tag_is_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/tags/a%00b/", "/tags/?sort=%00", "/?page=1%00"])
def test_nul_bytes_are_a_400_not_a_500(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "did not make sense" in response.content.decode()


def test_tag_used_only_by_drafts_shows_no_drafts(client):
    ArticleFactory(title="Secret", tags=["Embargoed"], status="review", published_at=None)
    response = client.get("/tags/embargoed/")
    assert response.status_code == 200
    assert "Secret" not in response.content.decode()


def test_tag_page_queries_flat_in_tagged_items(client):
    for i in range(3):
        ArticleFactory(tags=["Shared", f"t{i}"])
        make_model(f"m-{i}", tags=["Shared", f"t{i}"])
    cache.current_generations(("articles",))  # the next due moment, learnt once per process
    small = _count(client, "/tags/shared/")
    for i in range(3, 30):
        ArticleFactory(tags=["Shared", f"t{i}"])
        make_model(f"m-{i}", tags=["Shared", f"t{i}"], org=f"Org {i}")
    large = _count(client, "/tags/shared/")
    assert large <= 10
    assert small == large


# Cross-links ----------------------------------------------------------------------------


# The article page with its "Models in this article" panel of three entries: 8 queries
# measured (the page, its tags, the panel: referenced entries, then tag matches).
PANEL_BUDGET = 8


def test_article_page_lists_models_most_specific_first(client, django_assert_max_num_queries):
    referenced = make_model("mixtral-8x22b", name="Mixtral 8x22B", org="Mistral AI")
    two_tags = make_model("llama-3-1-405b", name="Llama 3.1 405B", tags=["Llama", "Open source"])
    one_tag = make_model("gemma-2-9b", name="Gemma 2 9B", tags=["Open source"], org="Google")
    make_model("gpt-4o", name="GPT-4o", tags=["OpenAI"], org="OpenAI")
    article = ArticleFactory(
        body="We compare [[model:mixtral-8x22b]] with others.", tags=["Llama", "Open source"]
    )
    with django_assert_max_num_queries(PANEL_BUDGET):
        response = client.get(article.get_absolute_url())
    panel = response.context["models_in_article"]
    assert panel.referenced == [referenced]
    assert panel.tagged == [two_tags, one_tag]
    assert "Models in this article" in response.content.decode()


def test_panels_add_at_most_two_queries(client):
    article = ArticleFactory(tags=["Lonely"])
    baseline = _count(client, article.get_absolute_url())
    for i in range(10):
        make_model(f"model-{i}", tags=["Lonely"], org=f"Org {i}")
    article.body = " ".join(f"[[model:model-{i}]]" for i in range(10))
    article_save(article)
    assert _count(client, article.get_absolute_url()) <= baseline + 2


def test_model_page_lists_articles_about_it(client):
    model = make_model("llama-3-1-8b", name="Llama 3.1 8B", tags=["Llama"])
    older = ArticleFactory(
        title="Tagged piece", tags=["Llama"], published_at=timezone.now() - timedelta(days=5)
    )
    newer = ArticleFactory(title="Referencing piece", body="Try [[model:llama-3-1-8b]].")
    ArticleFactory(title="Draft piece", tags=["Llama"], status="draft", published_at=None)
    ArticleFactory(title="Unrelated piece", tags=["Other"])
    response = client.get(model.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Articles about Llama 3.1 8B" in content
    assert content.index(newer.title) < content.index(older.title)
    assert "Draft piece" not in content and "Unrelated piece" not in content


def test_model_page_article_panel_query_budget(client):
    model = make_model("llama-3-1-8b", tags=["Llama"])
    ArticleFactory(tags=["Llama"])
    small = _count(client, model.get_absolute_url())
    for _ in range(20):
        ArticleFactory(tags=["Llama"], body="[[model:llama-3-1-8b]]")
    assert _count(client, model.get_absolute_url()) == small


# Inline references ----------------------------------------------------------------------


def test_inline_model_reference_renders_link_with_badge():
    make_model("llama-3-1-405b", name="Llama 3.1 405B", weights="gated")
    article = ArticleFactory(body="See [[model:llama-3-1-405b]] for details.")
    assert 'href="/models/llama-3-1-405b/"' in article.body_html
    assert "Llama 3.1 405B" in article.body_html
    assert 'class="badge badge--gated"' in article.body_html
    assert "Meta · gated weights" in article.body_html


def test_inline_article_reference_uses_current_title():
    target = ArticleFactory(title="Original title", slug="target")
    article = ArticleFactory(body="Read [[article:target]].")
    assert ">Original title</a>" in article.body_html
    target.title = "Renamed title"
    article_save(target)
    article.refresh_from_db()
    assert ">Renamed title</a>" in article.body_html
    assert "Original title" not in article.body_html


def test_model_rename_updates_referencing_articles():
    model = make_model("mistral-7b", name="Mistral 7B")
    article = ArticleFactory(body="Run [[model:mistral-7b]] locally.")
    updated_at = Article.objects.get(pk=article.pk).updated_at
    model.name = "Mistral 7B v0.1"
    model.save()
    article.refresh_from_db()
    assert "Mistral 7B v0.1" in article.body_html
    assert article.updated_at == updated_at  # the reader-facing stamp did not move


def test_missing_reference_is_plain_text_and_reported():
    article = ArticleFactory(body="See [[model:llama-9]] and [[article:nowhere]].")
    assert "<a" not in article.body_html.split("See", 1)[1].split("</p>")[0]
    assert "llama-9" in article.body_html and "[[" not in article.body_html
    assert article.missing_references == ["article:nowhere", "model:llama-9"]


def test_reference_inside_code_stays_literal():
    make_model("gpt-4o", name="GPT-4o", org="OpenAI", weights="closed")
    article = ArticleFactory(body="Write `[[model:gpt-4o]]` to link.\n")
    assert "<code>[[model:gpt-4o]]</code>" in article.body_html


def test_draft_article_reference_is_plain_text_without_its_title():
    """Issue 12: the title of a draft is not for readers (tests/articles/test_reference_leaks.py)."""
    ArticleFactory(title="Unfinished", slug="unfinished", status="draft", published_at=None)
    article = ArticleFactory(body="Soon: [[article:unfinished]].")
    assert "Unfinished" not in article.body_html
    assert 'href="/articles/unfinished/"' not in article.body_html


def test_references_resolved_without_one_query_per_reference():
    for i in range(15):
        make_model(f"m{i}", org=f"Org {i}")
    article = ArticleFactory()
    article.body = " ".join(f"[[model:m{i}]]" for i in range(15))
    with CaptureQueriesContext(connection) as few:
        article_derive(article)
    assert len(few.captured_queries) == 1
    assert article.body_html.count("model-ref") == 15


# Suggestions and merge ------------------------------------------------------------------


def test_tag_suggestions_prefix_case_insensitive_and_capped():
    names = [f"Llama variant {i:02d}" for i in range(30)] + ["Mistral", "LLM", "llava"]
    Tag.objects.bulk_create([Tag(name=n, slug=f"s{i}") for i, n in enumerate(names)])
    found = [t.name for t in tag_suggestions("ll")]
    assert found == [f"Llama variant {i:02d}" for i in range(10)]
    assert [t.name for t in tag_suggestions("MIS")] == ["Mistral"]
    assert list(tag_suggestions("")) == []
    assert list(tag_suggestions("%_")) == []


def test_prefix_query_uses_the_index():
    Tag.objects.bulk_create([Tag(name=f"tag {i}", slug=f"tag-{i}") for i in range(200)])
    sql, params = tag_suggestions("tag 1").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
    assert "taggit_tag_name_lower" in plan


def test_merge_retags_everything_and_keeps_one_per_item():
    both = ArticleFactory(tags=["Llama", "llama-3"])
    only_old = ArticleFactory(tags=["llama-3"])
    only_new = ArticleFactory(tags=["Llama", "Other"])
    two_old = make_model("m1", tags=["llama-3", "LLaMA three"])
    survivor = Tag.objects.get(name="Llama")
    others = list(Tag.objects.filter(name__in=["llama-3", "LLaMA three"]))
    TagDescription.objects.create(tag=others[0], description="Meta's family.")
    tag_merge(survivor, others)
    for item in (both, only_old, only_new):
        names = [t.name for t in item.tags.all()]
        assert names.count("Llama") == 1
    assert [t.name for t in two_old.tags.all()] == ["Llama"]
    assert sorted(t.name for t in only_new.tags.all()) == ["Llama", "Other"]
    assert not Tag.objects.filter(name__in=["llama-3", "LLaMA three"]).exists()
    assert TagDescription.objects.get(tag=survivor).description == "Meta's family."


def test_merge_is_one_transaction(monkeypatch):
    from models_catalog.models import TaggedModel

    article = ArticleFactory(tags=["Old"])
    make_model("m1", tags=["Old"])
    survivor = Tag.objects.create(name="New", slug="new")
    old = Tag.objects.get(name="Old")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(TaggedModel.objects, "filter", boom)
    with pytest.raises(RuntimeError):
        tag_merge(survivor, [old])
    assert [t.name for t in article.tags.all()] == ["Old"]
    assert Tag.objects.filter(name="Old").exists()


def test_reference_written_before_its_target_exists_links_once_it_does():
    waiting = ArticleFactory(
        body="Soon in the catalog: [[model:new-model]], see [[article:later]]."
    )
    assert "href" not in waiting.body_html
    make_model("new-model", name="Brand New Model")
    ArticleFactory(title="Later piece", slug="later")
    waiting.refresh_from_db()
    assert 'href="/models/new-model/"' in waiting.body_html
    assert ">Later piece</a>" in waiting.body_html
    from articles.models import PendingReference

    assert not PendingReference.objects.filter(article=waiting).exists()


def test_renaming_an_organization_updates_the_badges_in_articles():
    model = make_model("llama-3-1-8b", name="Llama 3.1 8B", org="Meta")
    article = ArticleFactory(body="Try [[model:llama-3-1-8b]] at home.")
    assert "Meta · open weights" in article.body_html
    organization = model.organization
    organization.name = "Meta AI"
    organization.save()
    article.refresh_from_db()
    assert "Meta AI · open weights" in article.body_html


def test_tag_fields_split_on_commas_not_spaces():
    """taggit's default parser would make "Llama 3.1" two tags, "Llama" and "3.1"."""
    from taggit.forms import TagField
    from taggit.utils import edit_string_for_tags

    field = TagField()
    assert field.clean("Llama 3.1") == ["Llama 3.1"]
    assert field.clean('Open  source, "Mixture, of experts"') == [
        "Mixture, of experts",
        "Open source",
    ]
    assert field.clean("Vision; Speech to text") == ["Speech to text", "Vision"]
    tags = [Tag(name="Mixture, of experts"), Tag(name='say "hi"'), Tag(name="LLM")]
    assert sorted(field.clean(edit_string_for_tags(tags))) == sorted(t.name for t in tags)
