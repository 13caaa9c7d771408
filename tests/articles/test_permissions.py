"""Who may do what in the back office: anonymous / author / editor / superuser × each action.

Every cell is checked through HTTP against the server, so hiding a button proves nothing:
a forged request must be refused (403) or have no effect.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Image, TrashedArticle
from tests.articles.helpers import article_form_data, image_bytes
from tests.factories import ArticleFactory
from tests.module_rows import rows_for_the_module
from tests.users import make_author, make_editor, make_user

pytestmark = pytest.mark.django_db
Status = Article.Status
CHANGELIST = reverse("admin:articles_article_changelist")


def test_roles_exist_with_their_permissions():
    editors = Group.objects.get(name="Editors")
    authors = Group.objects.get(name="Authors")
    editor_perms = set(editors.permissions.values_list("codename", flat=True))
    author_perms = {
        f"{app}.{codename}"
        for app, codename in authors.permissions.values_list("content_type__app_label", "codename")
    }
    assert {"publish_article", "delete_article", "change_image", "change_tag"} <= editor_perms
    assert {
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.add_image",
    } <= author_perms
    assert "articles.publish_article" not in author_perms
    assert "articles.delete_article" not in author_perms


@pytest.fixture(scope="module")
def world_rows(django_db_setup, django_db_blocker):
    """{name: (model, pk)}, made once for the module."""
    yield from rows_for_the_module(django_db_blocker, make_world)


@pytest.fixture
def world(world_rows, db):
    """The module's users and articles, read afresh for each test (a test may change them)."""
    return {name: model._base_manager.get(pk=pk) for name, (model, pk) in world_rows.items()}


def make_world():
    author = make_author()
    made = {
        "author": author,
        "editor": make_editor(),
        "superuser": make_user("root", superuser=True),
        "own_draft": ArticleFactory(
            status=Status.DRAFT, published_at=None, author=author.author_profile
        ),
        "own_review": ArticleFactory(
            status=Status.REVIEW, published_at=None, author=author.author_profile
        ),
        "others_draft": ArticleFactory(status=Status.DRAFT, published_at=None),
        "published": ArticleFactory(author=author.author_profile),
        "trashed": ArticleFactory(deleted_at=timezone.now()),
    }
    return {name: (type(obj), obj.pk) for name, obj in made.items()}


def _action(client, name, article, **extra):
    return client.post(CHANGELIST, {"action": name, "_selected_action": article.pk, **extra})


def _edit(client, article):
    data = article_form_data(article, title="Edited title")
    client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    return Article.all_objects.get(pk=article.pk).title == "Edited title"


def _status(article):
    return Article.all_objects.get(pk=article.pk).status


ACTIONS = {
    "view list": lambda c, w: c.get(CHANGELIST).status_code == 200,
    "open add form": lambda c, w: c.get(reverse("admin:articles_article_add")).status_code == 200,
    "edit own draft": lambda c, w: _edit(c, w["own_draft"]),
    "edit own article in review": lambda c, w: _edit(c, w["own_review"]),
    "edit own published article": lambda c, w: _edit(c, w["published"]),
    "edit someone else's draft": lambda c, w: _edit(c, w["others_draft"]),
    "submit own draft": lambda c, w: (
        _action(c, "submit_for_review", w["own_draft"]),
        _status(w["own_draft"]) == Status.REVIEW,
    )[1],
    "publish": lambda c, w: (
        _action(c, "publish_now", w["own_review"]),
        _status(w["own_review"]) == Status.PUBLISHED,
    )[1],
    "schedule": lambda c, w: (
        _action(
            c,
            "schedule",
            w["own_review"],
            published_at=(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
        _status(w["own_review"]) == Status.PUBLISHED,
    )[1],
    "unpublish": lambda c, w: (
        _action(c, "unpublish", w["published"]),
        _status(w["published"]) == Status.DRAFT,
    )[1],
    "send back": lambda c, w: (
        _action(c, "send_back", w["own_review"], comment="Redo"),
        _status(w["own_review"]) == Status.DRAFT,
    )[1],
    "withdraw own submission": lambda c, w: (
        _action(c, "withdraw", w["own_review"]),
        _status(w["own_review"]) == Status.DRAFT,
    )[1],
    "trash own draft": lambda c, w: (
        _action(c, "trash", w["own_draft"]),
        Article.all_objects.get(pk=w["own_draft"].pk).is_trashed,
    )[1],
    "trash own published article": lambda c, w: (
        _action(c, "trash", w["published"]),
        Article.all_objects.get(pk=w["published"].pk).is_trashed,
    )[1],
    "trash someone else's draft": lambda c, w: (
        _action(c, "trash", w["others_draft"]),
        Article.all_objects.get(pk=w["others_draft"].pk).is_trashed,
    )[1],
    "view trash": lambda c, w: (
        c.get(reverse("admin:articles_trashedarticle_changelist")).status_code == 200
    ),
    "restore from trash": lambda c, w: (
        c.post(
            reverse("admin:articles_trashedarticle_changelist"),
            {"action": "restore", "_selected_action": w["trashed"].pk},
        ),
        not Article.all_objects.get(pk=w["trashed"].pk).is_trashed,
    )[1],
    "empty trash": lambda c, w: (
        c.post(reverse("admin:articles_trashedarticle_empty")),
        not TrashedArticle.objects.exists(),
    )[1],
    "upload image": lambda c, w: (
        c.post(
            reverse("admin:articles_image_add"),
            {
                "file": SimpleUploadedFile("a.png", image_bytes(size=(40, 30))),
                "alt": "A red square",
            },
        ),
        Image.objects.exists(),
    )[1],
}

ALLOWED = {
    "anonymous": set(),
    "author": {
        "view list",
        "open add form",
        "edit own draft",
        "submit own draft",
        "withdraw own submission",
        "trash own draft",
        "upload image",
    },
    # "Own" means the author's: editors send an article back instead of withdrawing it.
    "editor": set(ACTIONS) - {"withdraw own submission"},
    "superuser": set(ACTIONS) - {"withdraw own submission"},
}


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(client, world, role, action):
    if role != "anonymous":
        client.force_login(world[role])
    assert ACTIONS[action](client, world) is (action in ALLOWED[role])


@pytest.mark.parametrize(
    "action,extra",
    [
        ("publish_now", {}),
        ("unpublish", {}),
        ("send_back", {"comment": "x"}),
        ("schedule", {"published_at": "2099-01-01T10:00"}),
    ],
)
def test_forged_action_post_from_an_author_is_403(client, world, action, extra):
    client.force_login(world["author"])
    response = _action(client, action, world["own_draft"], **extra)
    assert response.status_code == 403
    article = world["own_draft"]
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {"CHANGE_FORM-action": action, "_selected_action": article.pk, **extra},
    )
    assert response.status_code == 403
    assert _status(article) == Status.DRAFT


def test_author_cannot_publish_through_the_form(client, world):
    article = world["own_draft"]
    client.force_login(world["author"])
    data = article_form_data(
        article,
        status="published",
        published_at_0="2020-01-01",
        published_at_1="10:00:00",
        review_comment="forged",
    )
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.published_at is None
    assert article.review_comment == ""


def test_author_gets_403_posting_to_an_article_in_review(client, world):
    article = world["own_review"]
    client.force_login(world["author"])
    data = article_form_data(article, title="Sneaky")
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 403


def test_author_sees_only_their_own_articles(client, world):
    client.force_login(world["author"])
    content = client.get(CHANGELIST).content.decode()
    assert world["own_draft"].title in content
    assert world["others_draft"].title not in content
    response = client.get(reverse("admin:articles_article_change", args=[world["others_draft"].pk]))
    assert response.status_code == 403  # "you may not see it" (issue 16), not "missing"


def test_author_has_no_publish_controls(client, world):
    client.force_login(world["author"])
    response = client.get(reverse("admin:articles_article_change", args=[world["own_draft"].pk]))
    content = response.content.decode()
    assert "Submit for review" in content
    for control in ("publish_now", "Publish now", '"schedule"', "unpublish", "send_back"):
        assert control not in content
    content = client.get(CHANGELIST).content.decode()
    assert "publish_now" not in content
    assert 'value="trash"' in content  # their own drafts (issue 14); others' are refused


def test_the_trash_is_editors_only(client, world):
    client.force_login(world["author"])
    assert client.get(reverse("admin:articles_trashedarticle_changelist")).status_code == 403
    assert client.post(reverse("admin:articles_trashedarticle_empty")).status_code == 403
    assert TrashedArticle.objects.exists()
