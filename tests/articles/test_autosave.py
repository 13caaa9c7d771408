"""Autosave and recovery on the article form (issue 14, item 3), over HTTP.

The browser side (typing, closing the tab, restoring) is in tests/browser/test_autosave.py.
"""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.backoffice import editing
from articles.models import Article, Autosave, Revision
from config.lib import cache, indexing
from tests.articles.helpers import article_form_data
from tests.factories import ArticleFactory, CategoryFactory
from tests.users import make_author, make_editor, make_user

pytestmark = pytest.mark.django_db
Status = Article.Status
ADD = reverse("admin:articles_article_autosave_add")


def url(article, name="autosave"):
    return reverse(f"admin:articles_article_{name}", args=[article.pk])


def post_json(client, where, data):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(where, body, content_type="application/json")


@pytest.fixture
def draft(author):
    return ArticleFactory(author=author.author_profile, status=Status.DRAFT, published_at=None)


# --- storing --------------------------------------------------------------------------------


def test_an_editor_autosaves_an_article_and_the_text_is_cleaned(client, logged_in_editor):
    article = ArticleFactory()
    fields = {"title": "Half a\x07 title", "body": "Typed\r\nbut not saved", "tags": "llm, moe"}
    response = post_json(client, url(article), {"fields": fields})
    assert response.status_code == 200
    saved = Autosave.objects.get(user=logged_in_editor, article=article)
    assert saved.fields == {
        "title": "Half a title",
        "body": "Typed\nbut not saved",
        "tags": "llm, moe",
    }
    assert response.json()["saved_at"] == saved.updated_at.isoformat()


def test_a_second_autosave_replaces_the_first(client, logged_in_editor):
    article = ArticleFactory()
    post_json(client, url(article), {"fields": {"body": "one"}})
    post_json(client, url(article), {"fields": {"body": "two"}})
    assert list(Autosave.objects.values_list("fields", flat=True)) == [{"body": "two"}]


def test_select_values_keep_their_labels(client, logged_in_editor):
    article = ArticleFactory()
    fields = {"author": [["7", "Maya Okafor"]], "status": [["draft", "Draft"]]}
    assert post_json(client, url(article), {"fields": fields}).status_code == 200
    assert Autosave.objects.get().fields == fields


def test_new_articles_are_kept_per_draft_id(client, logged_in_editor):
    assert post_json(client, ADD, {"draft": "tab-one", "fields": {"body": "1"}}).status_code == 200
    assert post_json(client, ADD, {"draft": "tab-two", "fields": {"body": "2"}}).status_code == 200
    post_json(client, ADD, {"draft": "tab-one", "fields": {"body": "1b"}})
    stored = dict(Autosave.objects.values_list("draft", "fields"))
    assert stored == {"tab-one": {"body": "1b"}, "tab-two": {"body": "2"}}
    assert not Autosave.objects.filter(article__isnull=False).exists()


def test_autosaving_is_not_a_write_of_the_article(client, logged_in_editor, monkeypatch):
    """No revision, no new version, no cache generation bumped, nothing sent to search."""
    article = ArticleFactory()
    before = cache.current_generations(["articles", "models"])
    called = []
    monkeypatch.setattr(cache, "bump", lambda *a: called.append(("bump", a)))
    monkeypatch.setattr(indexing, "changed", lambda *a: called.append(("index", a)))
    monkeypatch.setattr(indexing, "rebuild", lambda *a: called.append(("rebuild", a)))
    revisions = Revision.objects.count()
    post_json(client, url(article), {"fields": {"title": "Something else", "body": "new"}})
    post_json(client, ADD, {"draft": "x", "fields": {"title": "A new one"}})
    assert called == []
    assert cache.current_generations(["articles", "models"]) == before
    assert Revision.objects.count() == revisions
    article.refresh_from_db()
    assert (article.version, article.title) == (1, article.title)
    assert Autosave.objects.count() == 2


def test_autosave_is_a_bounded_number_of_queries(
    client, logged_in_editor, django_assert_max_num_queries
):
    """Session, user, permissions (2), the article and its tags, one UPDATE."""
    article = ArticleFactory()
    post_json(client, url(article), {"fields": {"body": "first"}})
    with django_assert_max_num_queries(7):
        assert post_json(client, url(article), {"fields": {"body": "x"}}).status_code == 200


# --- refusing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        b"\xff\xfe\x00",
        "[]",
        '"text"',
        "{}",
        '{"fields": []}',
        '{"fields": {"body": 3}}',
        '{"fields": {"body": null}}',
        '{"fields": {"body": {"a": "b"}}}',
        '{"fields": {"body": [[["too deep"]]]}}',
        '{"fields": {"bad name!": "x"}}',
        '{"fields": {"": "x"}}',
    ],
)
def test_malformed_autosaves_are_400(client, logged_in_editor, body):
    article = ArticleFactory()
    response = post_json(client, url(article), body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Autosave.objects.exists()


def test_a_form_post_is_400(client, logged_in_editor):
    """A multipart body is read by the CSRF check before the view could read it raw."""
    article = ArticleFactory()
    assert client.post(url(article), {"fields": "body"}).status_code == 400
    assert client.post(ADD, {"draft": "x"}).status_code == 400


def test_too_many_fields_is_400(client, logged_in_editor):
    fields = {f"f{n}": "x" for n in range(editing.MAX_FIELDS + 1)}
    assert post_json(client, url(ArticleFactory()), {"fields": fields}).status_code == 400


@pytest.mark.parametrize("draft", [None, "", "../x", "a" * 41, 7])
def test_a_new_article_needs_a_draft_id(client, logged_in_editor, draft):
    data = {"fields": {"body": "x"}} | ({} if draft is None else {"draft": draft})
    assert post_json(client, ADD, data).status_code == 400


def test_an_autosave_over_the_bound_is_413(client, logged_in_editor):
    article = ArticleFactory()
    body = {"fields": {"body": "x" * 1_000_001}}
    response = post_json(client, url(article), body)
    assert response.status_code == 413
    assert not Autosave.objects.exists()


def test_the_bound_is_a_setting(client, logged_in_editor, settings):
    settings.ARTICLE_AUTOSAVE_MAX_BYTES = 100
    article = ArticleFactory()
    assert post_json(client, url(article), {"fields": {"body": "x" * 50}}).status_code == 200
    assert post_json(client, url(article), {"fields": {"body": "x" * 101}}).status_code == 413


def test_a_body_over_djangos_own_limit_is_413_not_500(client, logged_in_editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.ARTICLE_AUTOSAVE_MAX_BYTES = 10_000
    response = post_json(client, url(ArticleFactory()), {"fields": {"body": "x" * 5000}})
    assert response.status_code == 413


def test_only_post(client, logged_in_editor):
    assert client.get(url(ArticleFactory())).status_code == 405


def test_anonymous_is_sent_to_login(client):
    response = post_json(client, url(ArticleFactory()), {"fields": {"body": "x"}})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Autosave.objects.exists()


@pytest.mark.parametrize("object_id", ["999999", "-1", "abc", "1%00"])
def test_no_such_article_is_404(client, logged_in_editor, object_id):
    where = reverse("admin:articles_article_autosave", args=[object_id])
    assert post_json(client, where, {"fields": {"body": "x"}}).status_code == 404


def test_an_author_autosaves_their_own_draft(client, author, draft):
    client.force_login(author)
    assert post_json(client, url(draft), {"fields": {"body": "mine"}}).status_code == 200


def test_an_author_cannot_autosave_someone_elses_article(client, author, other_author):
    theirs = ArticleFactory(
        author=other_author.author_profile, status=Status.DRAFT, published_at=None
    )
    client.force_login(author)
    assert post_json(client, url(theirs), {"fields": {"body": "x"}}).status_code == 404
    assert post_json(client, url(theirs, "autosave_discard"), {}).status_code == 404


def test_an_author_cannot_autosave_their_article_in_review(client, author, draft):
    Article.all_objects.filter(pk=draft.pk).update(status=Status.REVIEW)
    client.force_login(author)
    assert post_json(client, url(draft), {"fields": {"body": "x"}}).status_code == 403
    assert not Autosave.objects.exists()


def test_a_viewer_cannot_autosave(client):
    """Someone who may only view articles: the article is not theirs to see here (the admin's
    own list hides it, 404) and they may not add one (403)."""
    viewer = make_user("viewer")
    viewer.user_permissions.add(*_perms("view_article"))
    client.force_login(viewer)
    assert post_json(client, url(ArticleFactory()), {"fields": {"body": "x"}}).status_code == 404
    assert post_json(client, ADD, {"draft": "d", "fields": {"body": "x"}}).status_code == 403


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)


# --- recovery -------------------------------------------------------------------------------


def _offered(response):
    """The autosave the change form offers (its json_script block), or None."""
    html = response.content.decode()
    start = html.index('id="article-autosave" type="application/json">') + 46
    return json.loads(html[start : html.index("</script>", start)])


def test_reopening_the_form_offers_the_autosave(client, logged_in_editor):
    article = ArticleFactory()
    post_json(client, url(article), {"fields": {"body": "typed, never saved"}})
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    offered = _offered(response)
    assert offered["fields"] == {"body": "typed, never saved"}
    assert offered["saved_at"] == Autosave.objects.get().updated_at.isoformat()
    assert 'id="article-recovery"' in response.content.decode()


def test_the_add_form_offers_the_newest_new_article(client, logged_in_editor):
    post_json(client, ADD, {"draft": "old", "fields": {"body": "older"}})
    Autosave.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    post_json(client, ADD, {"draft": "new", "fields": {"body": "newer"}})
    offered = _offered(client.get(reverse("admin:articles_article_add")))
    assert (offered["draft"], offered["fields"]) == ("new", {"body": "newer"})


def test_someone_elses_autosave_is_never_offered(client, logged_in_editor):
    article = ArticleFactory()
    other = make_editor("other-editor")
    editing.autosave_store(other, article, "", {"body": "theirs"})
    assert _offered(client.get(reverse("admin:articles_article_change", args=[article.pk]))) is None


def test_a_refused_save_shows_the_typed_text_and_offers_nothing(client, logged_in_editor):
    article = ArticleFactory()
    editing.autosave_store(logged_in_editor, article, "", {"body": "autosaved"})
    data = article_form_data(article, title="")  # a required field left empty
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    assert _offered(response) is None
    assert 'data-unsaved="1"' in response.content.decode()
    assert Autosave.objects.exists()  # not saved, so still there


def test_a_successful_save_deletes_the_autosave(client, logged_in_editor):
    article = ArticleFactory()
    other = make_editor("other-editor")
    editing.autosave_store(logged_in_editor, article, "", {"body": "mine"})
    editing.autosave_store(other, article, "", {"body": "theirs"})
    data = article_form_data(article, body="Saved at last.\n")
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    assert list(Autosave.objects.values_list("user__username", flat=True)) == ["other-editor"]


def test_a_workflow_button_saves_and_deletes_the_autosave_too(client, logged_in_editor):
    article = ArticleFactory(status=Article.Status.DRAFT)
    editing.autosave_store(logged_in_editor, article, "", {"body": "mine"})
    data = article_form_data(article, body="Saved, then published.\n", _workflow="publish_now")
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert not Autosave.objects.exists()


def test_adding_the_article_deletes_its_draft_autosave(client, logged_in_editor):
    editing.autosave_store(logged_in_editor, None, "tab-one", {"body": "new"})
    editing.autosave_store(logged_in_editor, None, "tab-two", {"body": "other tab"})
    category = CategoryFactory()
    data = article_form_data(
        _autosave_draft="tab-one", category=category.pk, author=logged_in_editor.author_profile.pk
    )
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Autosave.objects.values_list("draft", flat=True)) == ["tab-two"]


def test_discard_deletes_only_that_autosave(client, logged_in_editor):
    article = ArticleFactory()
    editing.autosave_store(logged_in_editor, article, "", {"body": "a"})
    editing.autosave_store(logged_in_editor, None, "tab", {"body": "b"})
    assert post_json(client, url(article, "autosave_discard"), {}).status_code == 204
    assert list(Autosave.objects.values_list("draft", flat=True)) == ["tab"]
    discard_new = reverse("admin:articles_article_autosave_discard_add")
    assert post_json(client, discard_new + "?draft=../x", {}).status_code == 400
    assert post_json(client, discard_new + "?draft=tab", {}).status_code == 204
    assert not Autosave.objects.exists()


# --- purging --------------------------------------------------------------------------------


def _aged(user, article, draft, days):
    editing.autosave_store(user, article, draft, {"body": draft or "x"})
    Autosave.objects.filter(user=user, article=article, draft=draft).update(
        updated_at=timezone.now() - timedelta(days=days)
    )


def test_purge_command_removes_autosaves_older_than_30_days(editor):
    _aged(editor, ArticleFactory(), "", 31)
    _aged(editor, None, "old", 45)
    _aged(editor, None, "recent", 29)
    out = StringIO()
    call_command("purge_autosaves", stdout=out)
    assert list(Autosave.objects.values_list("draft", flat=True)) == ["recent"]
    assert "Deleted 2 autosave(s) older than 30 days" in out.getvalue()


def test_login_purges_old_autosaves(client, editor, django_capture_on_commit_callbacks):
    _aged(editor, None, "old", 31)
    _aged(make_author("someone"), None, "old", 40)
    _aged(editor, None, "recent", 1)
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(editor)
    assert list(Autosave.objects.values_list("draft", flat=True)) == ["recent"]


def test_deleting_the_article_for_good_deletes_its_autosaves(editor):
    article = ArticleFactory()
    editing.autosave_store(editor, article, "", {"body": "x"})
    Article.all_objects.filter(pk=article.pk).delete()
    assert not Autosave.objects.exists()
