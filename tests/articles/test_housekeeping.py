"""Housekeeping seen in use (issue 16, item 7): trash button, delete wording, View on site,
tag redirects, articles one may not see, the admin's 403, the preview byline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed
from taggit.models import Tag

from articles.backoffice import workflow
from articles.backoffice.tags import tag_merge
from articles.models import Article, TagRedirect
from tests.articles.helpers import article_form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
Status = Article.Status
TRASH = reverse("admin:articles_trashedarticle_changelist")
EMPTY = reverse("admin:articles_trashedarticle_empty")


def test_the_trash_shows_its_empty_button_to_editors(client, editor, author):
    ArticleFactory(deleted_at=timezone.now())
    client.force_login(editor)
    assertContains(client.get(TRASH), f'href="{EMPTY}"')


def test_no_empty_button_and_no_empty_page_without_the_right(client, author):
    client.force_login(author)
    assert client.get(TRASH).status_code == 403
    assert client.get(EMPTY).status_code == 403


def test_delete_confirmation_says_trash_and_lists_no_revisions(client, editor):
    article = ArticleFactory(title="Bin me")
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form_data(article, body="A second revision."),
    )
    response = client.get(reverse("admin:articles_article_delete", args=[article.pk]))
    assertContains(response, "Move the article “Bin me” to the trash?")
    assertContains(response, "It keeps its revisions")
    assertNotContains(response, "Revision:")
    assertNotContains(response, "will be deleted")
    assert response.context["deleted_objects"] == ["Bin me"]


def test_view_on_site_of_a_draft_opens_its_preview(client, editor):
    draft = ArticleFactory(title="Draft piece", status=Status.DRAFT, published_at=None)
    live = ArticleFactory(status=Status.PUBLISHED)
    client.force_login(editor)
    response = client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    preview = reverse("admin:articles_article_preview", args=[draft.pk])
    assertContains(response, f'href="{preview}"')
    response = client.get(preview)
    assert response.status_code == 200
    assertTemplateUsed(response, "articles/article_preview.html")
    assertContains(response, "Draft piece")
    response = client.get(reverse("admin:articles_article_change", args=[live.pk]))
    assertNotContains(
        response, f'href="{reverse("admin:articles_article_preview", args=[live.pk])}"'
    )


def test_the_saved_preview_respects_rights(client, author, other_author):
    theirs = ArticleFactory(
        status=Status.DRAFT, published_at=None, author=other_author.author_profile
    )
    client.force_login(author)
    response = client.get(reverse("admin:articles_article_preview", args=[theirs.pk]))
    assert response.status_code == 403


def test_a_renamed_tags_old_url_redirects_permanently(client, editor):
    ArticleFactory(tags=["Llama"], status=Status.PUBLISHED)
    tag = Tag.objects.get(name="Llama")
    old = reverse("articles:tag", args=[tag.slug])
    tag.name, tag.slug = "Llama family", "llama-family"
    tag.save()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == reverse("articles:tag", args=["llama-family"])
    assert client.get(response["Location"]).status_code == 200
    # Renamed again: the first slug follows the tag, and its current slug redirects nowhere.
    tag.slug = "llamas"
    tag.save()
    assert client.get(old)["Location"] == reverse("articles:tag", args=["llamas"])
    tag.slug = "llama-family"
    tag.save()
    assert not TagRedirect.objects.filter(old_slug="llama-family").exists()
    assert client.get(reverse("articles:tag", args=["llama-family"])).status_code == 200


def test_a_rename_through_the_tag_admin_redirects(client, logged_in_editor):
    tag = Tag.objects.create(name="Mistral", slug="mistral")
    response = client.post(
        f"/admin/taggit/tag/{tag.pk}/change/",
        {
            "name": "Mistral AI",
            "slug": "mistral-ai",
            "description-TOTAL_FORMS": "0",
            "description-INITIAL_FORMS": "0",
            "description-MIN_NUM_FORMS": "0",
            "description-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302
    assert client.get("/tags/mistral/")["Location"] == "/tags/mistral-ai/"


def test_a_merged_tags_old_url_redirects_to_the_survivor(client):
    ArticleFactory(tags=["LLaMA-3", "Llama"], status=Status.PUBLISHED)
    keep, drop = Tag.objects.get(name="Llama"), Tag.objects.get(name="LLaMA-3")
    drop_slug = drop.slug
    tag_merge(keep, [drop])
    response = client.get(reverse("articles:tag", args=[drop_slug]))
    assert response.status_code == 301
    assert response["Location"] == reverse("articles:tag", args=[keep.slug])
    assert client.get("/tags/never-was/").status_code == 404


def test_opening_another_authors_article_says_you_may_not_see_it(client, author, other_author):
    theirs = ArticleFactory(
        status=Status.DRAFT, published_at=None, author=other_author.author_profile
    )
    client.force_login(author)
    response = client.get(reverse("admin:articles_article_change", args=[theirs.pk]))
    assert response.status_code == 403
    assertContains(response, "You may not see this article", status_code=403)
    assertNotContains(response, "Perhaps it was deleted", status_code=403)
    # A truly missing one is still "not found".
    response = client.get(reverse("admin:articles_article_change", args=[999999]), follow=True)
    assertContains(response, "doesn’t exist")


def test_a_403_inside_the_admin_has_the_admins_look(client, author):
    client.force_login(author)
    response = client.get(reverse("admin:articles_trashedarticle_empty"))
    assert response.status_code == 403
    assertTemplateUsed(response, "admin/403.html")
    assertContains(response, 'id="user-tools"', status_code=403)
    assertContains(response, "You are not allowed to do that", status_code=403)


def test_a_403_outside_the_admin_keeps_the_sites_look(rf):
    from django.core.exceptions import PermissionDenied

    from config.views import permission_denied

    response = permission_denied(rf.get("/somewhere/"), PermissionDenied())
    assert response.status_code == 403
    assert b'class="error-page"' in response.content


def test_preview_byline_says_not_yet_published_or_the_scheduled_date(client, editor):
    draft = ArticleFactory(status=Status.DRAFT, published_at=None)
    client.force_login(editor)
    response = client.get(reverse("admin:articles_article_preview", args=[draft.pk]))
    assertContains(response, "not yet published")
    assertNotContains(response, '<time datetime="">')
    when = timezone.now().replace(microsecond=0) + timedelta(days=3)
    workflow.article_schedule(draft, editor, when)
    response = client.get(reverse("admin:articles_article_preview", args=[draft.pk]))
    assertContains(response, f'scheduled for <time datetime="{when.isoformat(timespec="seconds")}')
