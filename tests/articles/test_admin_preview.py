import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.backoffice.preview import share_url
from articles.models import Article
from tests.articles.helpers import article_form_data
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db
ADD_PREVIEW = reverse("admin:articles_article_preview_add")


def assert_private(response):
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assertContains(response, '<meta name="robots" content="noindex, nofollow">')


def test_preview_renders_the_unsaved_form_in_the_site_template(client, editor):
    article = ArticleFactory(title="Saved title", body="Saved body.")
    client.force_login(editor)
    data = article_form_data(
        article,
        title="Unsaved title",
        body="| Model | Params |\n|---|---|\n| Mistral 7B | 7.3B |\n",
        tags="llm, Open weights",
    )
    url = reverse("admin:articles_article_preview", args=[article.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    assert_private(response)
    assertContains(response, "Unsaved title")
    assertContains(response, '<th scope="row">Mistral 7B</th>', html=True)
    assertContains(response, "Open weights")
    assertContains(response, 'class="site-header')  # the real site template
    article.refresh_from_db()
    assert article.title == "Saved title"  # nothing was saved


def test_preview_of_a_new_article_by_an_author(client, author):
    category = CategoryFactory()
    client.force_login(author)
    data = article_form_data(title="Brand new", category=category.pk)
    response = client.post(ADD_PREVIEW, data)
    assertContains(response, "Brand new")
    assertContains(response, author.author_profile.name)
    assert not Article.objects.filter(title="Brand new").exists()


def test_preview_with_a_broken_form_is_not_a_500(client, editor):
    client.force_login(editor)
    response = client.post(ADD_PREVIEW, {"title": "x" * 500, "category": "nope"})
    assert response.status_code == 200
    assertContains(response, "Nothing to preview yet")
    assert client.get(ADD_PREVIEW).status_code == 302


def test_preview_refuses_articles_the_user_cannot_edit(client, author):
    other = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(author)
    url = reverse("admin:articles_article_preview", args=[other.pk])
    assert client.post(url, article_form_data(other)).status_code == 403


def test_share_link_lets_an_anonymous_reader_see_a_draft(client, editor):
    article = ArticleFactory(
        title="Secret draft", status=Article.Status.DRAFT, published_at=None, tags=["llm"]
    )
    client.force_login(editor)
    change = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assertContains(change, share_url(article).rsplit(":", 2)[0])  # the link is on the form
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404
    response = client.get(share_url(article))
    assert response.status_code == 200
    assert_private(response)
    assertContains(response, "Secret draft")
    assertContains(response, "Preview")


def test_share_link_expires(client, settings):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    url = share_url(article)
    settings.ARTICLE_PREVIEW_MAX_AGE = -1
    response = client.get(url)
    assertContains(response, "expired", status_code=410)
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_forged_or_stale_share_links(client):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    url = share_url(article)
    assert client.get(url[:-3] + "abc/").status_code == 404
    assert client.get(reverse("articles:preview", args=["junk"])).status_code == 404
    Article.objects.filter(pk=article.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert client.get(url).status_code == 404  # trashed: gone for previews too


def test_share_link_of_a_published_article_redirects(client):
    article = ArticleFactory()
    response = client.get(share_url(article))
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()


def test_public_pages_never_show_trashed_articles(client):
    from django.utils import timezone

    article = ArticleFactory(title="Binned story", deleted_at=timezone.now())
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assertNotContains(client.get("/"), "Binned story")
    assert client.get(article.get_absolute_url()).status_code == 404
