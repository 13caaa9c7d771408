import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.backoffice.revisions import diff_words
from articles.models import Article, Revision
from tests.articles.helpers import article_form_data
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save(client, article, **overrides):
    return client.post(change_url(article), article_form_data(article, **overrides))


def test_every_save_stores_a_revision_with_tags(client, editor):
    article = ArticleFactory(tags=["llm"])
    client.force_login(editor)
    response = save(client, article, body="First body.", tags="llm, Open weights")
    assert response.status_code == 302
    revision = Revision.objects.get(article=article)
    assert revision.user == editor
    assert revision.content["body"] == "First body."
    assert revision.content["tags"] == ["llm", "Open weights"]
    assert revision.version == Article.objects.get(pk=article.pk).version


def test_diff_words_marks_changed_words_and_escapes():
    html = diff_words("The <b>old</b> model is small.", "The <b>new</b> model is small.")
    assert "<del>old</del><ins>new</ins>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_history_lists_revisions_and_compares_two(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    save(client, article, body="Mixtral is a sparse model.")
    article.refresh_from_db()
    save(client, article, body="Mixtral is a sparse mixture-of-experts model.")
    older, newer = Revision.objects.filter(article=article).order_by("created_at", "pk")
    response = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assertContains(response, "Compare selected revisions")
    assertContains(response, f"v{newer.version}")
    response = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"a": older.pk, "b": newer.pk},
    )
    assertContains(response, "<ins>mixture-of-experts </ins>", html=False)


def test_compare_tolerates_junk(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    url = reverse("admin:articles_article_compare", args=[article.pk])
    assert client.get(url, {"a": "x"}).status_code == 302
    assert client.get(url, {"a": "999999"}).status_code == 302


def test_restore_makes_a_new_revision(client, editor):
    article = ArticleFactory(body="Original text.", status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    save(client, article, body="Original text.")
    article.refresh_from_db()
    save(client, article, body="Rewritten text.", tags="gpt")
    first = Revision.objects.filter(article=article).order_by("created_at", "pk").first()
    url = reverse("admin:articles_article_restore", args=[article.pk, first.pk])
    assertContains(client.get(url), "Restore this revision")
    response = client.post(url)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Original text."
    assert list(article.tags.names()) == []
    assert article.status == Article.Status.DRAFT
    assert Revision.objects.filter(article=article).count() == 3  # nothing overwritten
    assert Revision.objects.filter(article=article, content__body="Rewritten text.").exists()


def test_edit_conflict_refuses_the_second_save_and_keeps_its_text(client, editor):
    from tests.users import make_editor

    second = make_editor("second")
    article = ArticleFactory(body="The original sentence about Llama.")
    client.force_login(editor)
    client.get(change_url(article))  # opening the form records the base version's revision
    start = article.version  # both editors open the article at this version

    save(client, article, body="The original sentence about Llama 3.1.", base_version=start)
    client.force_login(second)
    mine = "My own rewrite that must not be lost."
    response = save(client, article, body=mine, base_version=start)
    assert response.status_code == 200
    assertContains(response, "Edit conflict")
    assertContains(response, "editor saved this article while you were editing")
    assertContains(response, "The original sentence about Llama 3.1.")  # their text
    assertContains(response, "<del>3.1</del><ins>not be lost</ins>", html=False)  # word diff
    assertContains(response, mine)  # the second person's text is still in the form
    assert Article.objects.get(pk=article.pk).body == "The original sentence about Llama 3.1."

    # Saving again without choosing changes nothing; choosing "keep mine" saves it.
    version_now = Article.objects.get(pk=article.pk).version
    assertContains(response, f'name="conflict_version" value="{version_now}"', html=False)
    response = save(client, article, body=mine, base_version=start)
    assert response.status_code == 200
    response = save(
        client, article, body=mine, base_version=start,
        conflict_version=version_now, resolve_body="mine",
    )  # fmt: skip
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).body == mine
    bodies = list(Revision.objects.filter(article=article).values_list("content__body", flat=True))
    assert mine in bodies and "The original sentence about Llama 3.1." in bodies


def test_conflict_without_a_base_revision_asks_about_every_differing_field(client, editor):
    article = ArticleFactory(body="Saved body.")
    client.force_login(editor)
    Article.objects.filter(pk=article.pk).update(version=article.version + 5)
    response = save(client, article, body="Saved body, edited.", base_version=article.version)
    assertContains(response, "has no revision")
    assertContains(response, 'id="conflict-body"', html=False)
    assertContains(response, "<ins>, edited</ins>", html=False)
    assert Article.objects.get(pk=article.pk).body == "Saved body."


def test_trash_restore_and_empty(client, editor):
    article = ArticleFactory(title="Soon in the bin")
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert Article.all_objects.get(pk=article.pk).deleted_at is not None
    assert not Article.objects.filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 404
    assertNotContains(client.get("/"), "Soon in the bin")
    trash = reverse("admin:articles_trashedarticle_changelist")
    assertContains(client.get(trash), "Soon in the bin")

    client.post(trash, {"action": "restore", "_selected_action": article.pk})
    assert client.get(article.get_absolute_url()).status_code == 200

    Article.objects.filter(pk=article.pk).update(deleted_at=timezone.now())
    empty = reverse("admin:articles_trashedarticle_empty")
    assertContains(client.get(empty), "cannot be undone")
    assert Article.all_objects.filter(pk=article.pk).exists()  # a GET deletes nothing
    client.post(empty)
    assert not Article.all_objects.filter(pk=article.pk).exists()


def test_trashed_slug_gives_a_form_error(client, editor):
    ArticleFactory(slug="taken", deleted_at=timezone.now())
    client.force_login(editor)
    category = ArticleFactory().category
    data = article_form_data(slug="taken", category=category.pk, author=editor.author_profile.pk)
    response = client.post(reverse("admin:articles_article_add"), data)
    assertContains(response, "An article in the trash uses this slug")


def test_published_status_without_time_gets_now(client, editor):
    article = ArticleFactory(status=Article.Status.REVIEW, published_at=None)
    client.force_login(editor)
    response = save(client, article, status="published")
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).is_published
