"""The tag back office: suggestions, the widget, merge, rename, delete, reference warnings."""

import pytest
from taggit.models import Tag

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_suggest_endpoint_returns_capped_prefix_matches(client, logged_in_editor):
    Tag.objects.bulk_create([Tag(name=f"Llama {i}", slug=f"llama-{i}") for i in range(25)])
    Tag.objects.create(name="Mistral", slug="mistral")
    data = client.get("/admin/taggit/tag/suggest/", {"q": "lla"}).json()
    assert len(data["results"]) == 10
    assert all(name.startswith("Llama") for name in data["results"])
    assert client.get("/admin/taggit/tag/suggest/", {"q": "%"}).json() == {"results": []}
    assert client.get("/admin/taggit/tag/suggest/").json() == {"results": []}


def test_suggest_endpoint_needs_staff(client):
    response = client.get("/admin/taggit/tag/suggest/", {"q": "a"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_article_and_model_forms_use_the_autocomplete_widget(client, logged_in_editor):
    article = ArticleFactory()
    content = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'data-suggest-url="/admin/taggit/tag/suggest/"' in content
    assert "js/tag-autocomplete.js" in content
    assert '<datalist id="id_tags-suggestions">' in content
    content = client.get("/admin/models_catalog/aimodel/add/").content.decode()
    assert 'data-suggest-url="/admin/taggit/tag/suggest/"' in content


def test_merge_action_through_the_admin(client, logged_in_editor):
    article = ArticleFactory(tags=["Llama", "LLaMA-3"])
    keep = Tag.objects.get(name="Llama")
    drop = Tag.objects.get(name="LLaMA-3")
    url = "/admin/taggit/tag/"
    ids = [keep.pk, drop.pk]
    confirm = client.post(url, {"action": "merge_tags", "_selected_action": ids})
    assert confirm.status_code == 200 and "Choose the tag to keep" in confirm.content.decode()
    done = client.post(url, {"action": "merge_tags", "_selected_action": ids, "survivor": keep.pk})
    assert done.status_code == 302
    assert [t.name for t in article.tags.all()] == ["Llama"]
    assert not Tag.objects.filter(pk=drop.pk).exists()


def test_merge_with_a_forged_survivor_changes_nothing(client, logged_in_editor):
    ArticleFactory(tags=["A", "B"])
    other = Tag.objects.create(name="Elsewhere", slug="elsewhere")
    ids = list(Tag.objects.filter(name__in=["A", "B"]).values_list("pk", flat=True))
    response = client.post(
        "/admin/taggit/tag/",
        {"action": "merge_tags", "_selected_action": ids, "survivor": other.pk},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert Tag.objects.count() == 3


def test_rename_refuses_a_case_clash(client, logged_in_editor):
    Tag.objects.create(name="Mistral", slug="mistral")
    tag = Tag.objects.create(name="Other", slug="other")
    response = client.post(
        f"/admin/taggit/tag/{tag.pk}/change/",
        {
            "name": " MISTRAL ",
            "slug": "other",
            "description-TOTAL_FORMS": "0",
            "description-INITIAL_FORMS": "0",
            "description-MIN_NUM_FORMS": "0",
            "description-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 200
    assert "already exists; merge the two instead" in response.content.decode()
    tag.refresh_from_db()
    assert tag.name == "Other"


def test_only_unused_tags_can_be_deleted(client, logged_in_editor):
    ArticleFactory(tags=["Used"])
    unused = Tag.objects.create(name="Unused", slug="unused")
    used = Tag.objects.get(name="Used")
    assert client.get(f"/admin/taggit/tag/{used.pk}/delete/").status_code == 403
    response = client.post(
        "/admin/taggit/tag/",
        {"action": "delete_unused", "_selected_action": [used.pk, unused.pk]},
        follow=True,
    )
    assert "Deleted 1 unused tags" in response.content.decode()
    assert list(Tag.objects.values_list("name", flat=True)) == ["Used"]


def test_saving_an_article_with_a_missing_reference_warns(client, logged_in_editor):
    from articles.models import Author, Category

    category = Category.objects.create(name="AI", slug="ai")
    author = Author.objects.create(name="Ed Itor", slug="ed")
    response = client.post(
        "/admin/articles/article/add/",
        {
            "title": "Refs",
            "slug": "refs",
            "dek": "Summary",
            "body": "See [[model:llama-9]].",
            "tags": "",
            "category": category.pk,
            "author": author.pk,
            "status": "draft",
            "seo_title": "",
            "seo_description": "",
            "review_comment": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "point at nothing yet" in content and "[[model:llama-9]]" in content
