"""The article editor's endpoints (issue 16): live preview, image drop, reference search."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.backoffice.admin.article_editor import MAX_BODY_CHARS, REFERENCE_LIMIT
from articles.models import Article, Image
from config.lib.text import slug_from_title
from tests.articles.helpers import image_bytes
from tests.factories import AIModelFactory, ArticleFactory
from tests.users import make_user

pytestmark = pytest.mark.django_db
PREVIEW = reverse("admin:articles_article_live_preview")
IMAGE = reverse("admin:articles_article_image_upload")
REFERENCES = reverse("admin:articles_article_references")


def png(name="drop.png", **kwargs):
    return SimpleUploadedFile(name, image_bytes("PNG", (640, 320), **kwargs), "image/png")


# --- live preview ---------------------------------------------------------------------------


def test_live_preview_renders_like_a_save(client, editor):
    AIModelFactory(name="Mixtral 8x7B", slug="mixtral-8x7b")
    image = Image.objects.create(alt="Chart", file="images/x.png", width=10, height=10)
    client.force_login(editor)
    body = (
        "## Sizes\n\n| Model | Params |\n|---|---|\n| Mixtral | 47B |\n\n"
        "See [[model:mixtral-8x7b]] and [[model:nothing-here]].[^1]\n\n"
        f"![A chart](image:{image.pk})\n\n[^1]: A footnote.\n\n<script>alert(1)</script>"
    )
    response = client.post(PREVIEW, {"body": body})
    assert response.status_code == 200
    data = response.json()
    assert '<th scope="row">Mixtral</th>' in data["html"]
    assert 'class="model-ref"' in data["html"] and "Mixtral 8x7B" in data["html"]
    assert 'class="footnote"' in data["html"]
    assert 'alt="A chart"' in data["html"]
    assert "<script" not in data["html"]
    assert any("model:nothing-here" in note for note in data["notes"])
    assert not Article.objects.exists()  # nothing written


def test_live_preview_of_an_article_shows_what_its_save_would(client, editor):
    article = ArticleFactory(body="Old body.")
    client.force_login(editor)
    response = client.post(PREVIEW, {"body": "**New** body.", "article": article.pk})
    assert "<strong>New</strong>" in response.json()["html"]
    article.refresh_from_db()
    assert article.body == "Old body."


def test_live_preview_needs_the_right_to_edit_that_article(client, author, other_author):
    mine = ArticleFactory(author=author.author_profile, status=Article.Status.DRAFT)
    theirs = ArticleFactory(author=other_author.author_profile, status=Article.Status.DRAFT)
    client.force_login(author)
    assert client.post(PREVIEW, {"body": "x", "article": mine.pk}).status_code == 200
    assert client.post(PREVIEW, {"body": "x", "article": theirs.pk}).status_code == 403
    assert client.post(PREVIEW, {"body": "x", "article": "junk"}).status_code == 403
    assert client.post(PREVIEW, {"body": "x"}).status_code == 200  # a new article


def test_live_preview_refuses_readers_gets_and_huge_bodies(client, editor):
    reader = make_user("reader")  # staff, but no article permission
    client.force_login(reader)
    assert client.post(PREVIEW, {"body": "x"}).status_code == 403
    client.force_login(editor)
    assert client.get(PREVIEW).status_code == 405
    response = client.post(PREVIEW, {"body": "x" * (MAX_BODY_CHARS + 1)})
    assert response.status_code == 413 and "longer" in response.json()["error"]
    client.logout()
    assert client.post(PREVIEW, {"body": "x"}).status_code == 302  # to the login page


def test_live_preview_needs_csrf(editor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(PREVIEW, {"body": "x"}).status_code == 403


# --- image drop -----------------------------------------------------------------------------


def test_dropped_image_goes_to_the_library(client, author):
    client.force_login(author)
    response = client.post(IMAGE, {"file": png(), "alt": "A red [square]"})
    assert response.status_code == 201
    image = Image.objects.get()
    assert image.alt == "A red [square]" and image.renditions and image.uploaded_by == author
    assert response.json()["markdown"] == f"![A red square](image:{image.pk})"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"alt": ""}, "Alt text"),
        ({"alt": "x", "file": None}, "File"),
        ({"alt": "x", "text": True}, "not an image"),
    ],
)
def test_bad_image_drops_are_refused_with_a_message(client, author, data, message):
    client.force_login(author)
    post = {"alt": data["alt"]}
    if "file" not in data:
        post["file"] = (
            SimpleUploadedFile("x.png", b"hello, not a picture", "image/png")
            if data.get("text")
            else png()
        )
    response = client.post(IMAGE, post)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Image.objects.exists()


def test_image_drop_needs_add_image(client):
    client.force_login(make_user("reader"))
    assert client.post(IMAGE, {"file": png(), "alt": "x"}).status_code == 403
    assert not Image.objects.exists()


# --- reference search -----------------------------------------------------------------------


def test_reference_search_finds_models_by_name_or_slug_bounded(client, author):
    AIModelFactory(name="Mixtral 8x7B", slug="mixtral-8x7b")
    AIModelFactory(name="Mistral 7B", slug="mistral-7b")
    for n in range(REFERENCE_LIMIT + 3):
        AIModelFactory(name=f"Zeta {n}", slug=f"zeta-{n}")
    client.force_login(author)
    found = client.get(REFERENCES, {"kind": "model", "q": "mix"}).json()["results"]
    assert found == [{"slug": "mixtral-8x7b", "label": "Mixtral 8x7B"}]
    assert len(client.get(REFERENCES, {"kind": "model", "q": "zeta"}).json()["results"]) == (
        REFERENCE_LIMIT
    )


def test_reference_search_offers_authors_only_articles_they_may_reference(
    client, author, other_author
):
    ArticleFactory(title="Live piece", slug="live-piece")  # published by default
    ArticleFactory(
        title="My draft piece", author=author.author_profile, status=Article.Status.DRAFT
    )
    ArticleFactory(
        title="Their draft piece", author=other_author.author_profile, status=Article.Status.DRAFT
    )
    client.force_login(author)
    found = client.get(REFERENCES, {"kind": "article", "q": "piece"}).json()["results"]
    assert [r["label"] for r in found] == ["Live piece", "My draft piece"]


def test_reference_search_bad_input_is_400_and_readers_403(client, editor):
    client.force_login(editor)
    assert client.get(REFERENCES, {"kind": "user", "q": "x"}).status_code == 400
    assert client.get(REFERENCES, {"kind": "model", "q": "x" * 101}).status_code == 400
    assert client.post(REFERENCES, {"kind": "model"}).status_code == 405
    client.force_login(make_user("reader"))
    assert client.get(REFERENCES, {"kind": "model", "q": "x"}).status_code == 403


# --- slugs ----------------------------------------------------------------------------------


def test_slugs_keep_version_numbers_apart():
    assert slug_from_title("Llama 3.1 405B") == "llama-3-1-405b"
    assert slug_from_title("GPT-4.5: what changed?") == "gpt-4-5-what-changed"
    assert len(slug_from_title("a" * 300, 190)) == 190


def test_the_article_form_loads_the_slug_script_and_the_editor(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert "admin/js/urlify.js" in page and "js/slug-keeps-versions.js" in page
    assert 'id="editor-config"' in page
