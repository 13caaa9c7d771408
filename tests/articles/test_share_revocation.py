"""Editors can revoke an article's share-preview links before they expire (issue 12).

Each link is signed with the article's `share_version`; revoking raises it, so every link
given out so far answers like an expired one (410), and a new link works at once.
"""

import pytest
from django.core import signing
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.backoffice import preview, workflow
from articles.models import Article, Revision
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def draft(**extra):
    return ArticleFactory(
        title="Embargoed piece", status=Article.Status.DRAFT, published_at=None, **extra
    )


def fresh_link(article):
    return preview.share_url(Article.objects.get(pk=article.pk))


def revoke_button(client, article):
    return client.post(
        change_url(article),
        {"CHANGE_FORM-action": "revoke_share_links", "_selected_action": article.pk},
    )


def assert_revoked(client, url):
    response = client.get(url)
    assertContains(response, "expired", status_code=410)
    assertNotContains(response, "Embargoed piece", status_code=410)
    assert "no-store" in response["Cache-Control"]


def test_an_editor_revokes_every_link_given_so_far_from_the_change_form(client, editor):
    article = draft()
    given = [fresh_link(article)]
    client.force_login(editor)
    page = client.get(change_url(article))
    assertContains(page, 'value="revoke_share_links"')
    given.append(fresh_link(article))
    response = revoke_button(client, article)
    assert response.status_code == 302
    client.logout()
    for url in given:
        assert_revoked(client, url)
    assertContains(client.get(fresh_link(article)), "Embargoed piece")


def test_revoking_again_revokes_the_links_given_in_between(client, editor):
    article = draft()
    workflow.article_revoke_share_links(article, editor)
    between = fresh_link(article)
    assert client.get(between).status_code == 200
    workflow.article_revoke_share_links(article, editor)
    assert_revoked(client, between)


def test_revoking_from_the_list_covers_each_selected_article(client, editor):
    chosen, spared = [draft(), draft()], draft()
    links = {a.pk: fresh_link(a) for a in [*chosen, spared]}
    client.force_login(editor)
    response = client.post(
        CHANGELIST,
        {"action": "revoke_share_links", "_selected_action": [a.pk for a in chosen]},
        follow=True,
    )
    assertContains(response, "2 article(s) had their share links revoked")
    client.logout()
    for article in chosen:
        assert_revoked(client, links[article.pk])
    assert client.get(links[spared.pk]).status_code == 200


def test_revoking_is_not_an_edit(editor):
    article = draft()
    before = Article.objects.get(pk=article.pk)
    workflow.article_revoke_share_links(article, editor)
    after = Article.objects.get(pk=article.pk)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert after.share_version == before.share_version + 1
    assert not Revision.objects.filter(article=article).exists()


def test_a_link_stays_revoked_after_publishing_and_unpublishing(client, editor):
    article = draft()
    url = fresh_link(article)
    workflow.article_revoke_share_links(article, editor)
    article = workflow.article_publish(article, editor)
    article = workflow.article_unpublish(article, editor)
    assert_revoked(client, url)


def test_authors_cannot_revoke(client, author):
    article = draft(author=author.author_profile)
    url = fresh_link(article)
    client.force_login(author)
    assertNotContains(client.get(change_url(article)), 'value="revoke_share_links"')
    assert revoke_button(client, article).status_code == 403
    response = client.post(
        CHANGELIST, {"action": "revoke_share_links", "_selected_action": article.pk}
    )
    assert response.status_code == 403
    with pytest.raises(workflow.PermissionDenied):
        workflow.article_revoke_share_links(article, author)
    client.logout()
    assert client.get(url).status_code == 200


def _signed(payload):
    return reverse("articles:preview", args=[signing.dumps(payload, salt=preview.SALT)])


def test_links_from_before_revocation_existed_work_until_the_first_revoke(client, editor):
    article = draft()
    legacy = _signed({"article": article.pk})  # no version: signed by the previous release
    assert client.get(legacy).status_code == 200
    workflow.article_revoke_share_links(article, editor)
    assert_revoked(client, legacy)


@pytest.mark.parametrize(
    "payload",
    [
        {"article": "1", "v": 0},
        {"article": [1], "v": 0},
        {"article": 10**30, "v": 0},
        {"article": None},
        {"v": 0},
        ["article", 1],
        "1",
        None,
    ],
)
def test_odd_signed_payloads_are_a_404_never_a_500(client, payload):
    draft()
    assert client.get(_signed(payload)).status_code == 404


@pytest.mark.parametrize("version", ["0", None, -1, 10**30, [0], {"x": 1}])
def test_odd_versions_are_refused_like_a_revoked_link(client, version):
    article = draft()
    response = client.get(_signed({"article": article.pk, "v": version}))
    assert response.status_code == 410
