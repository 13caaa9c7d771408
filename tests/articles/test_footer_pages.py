"""The footer and the pages behind it (issue 17, item 4)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.rendering.corrections import corrections_in
from articles.writes import article_save
from tests.factories import AIModelFactory, ArticleFactory

pytestmark = pytest.mark.django_db


def footer_links(content):
    footer = content[content.index('<footer class="site-footer">') :]
    return re.findall(r'<a href="(/[^"]*)"', footer)


@pytest.fixture
def site():
    AIModelFactory(slug="mixtral")
    now = timezone.now()
    ArticleFactory(slug="old", published_at=now - timedelta(days=2 * 366))
    return ArticleFactory(slug="new", published_at=now - timedelta(days=1))


@pytest.mark.parametrize("page", ["/", "/articles/new/", "/models/", "/models/mixtral/", "/about/"])
def test_every_footer_link_resolves(client, site, page):
    links = footer_links(client.get(page).content.decode())
    assert {
        "/feed/",
        "/feed/atom/",
        "/models/feed/",
        "/archive/",
        "/about/",
        "/corrections/",
    } <= set(links)
    for link in links:
        assert client.get(link).status_code == 200, link


def test_archive_index_lists_years_newest_first(client, site, django_assert_max_num_queries):
    now = timezone.localtime()
    expected = [str(now.year), str((now - timedelta(days=2 * 366)).year)]
    ArticleFactory(slug="draft", status=Article.Status.DRAFT, published_at=None)
    with django_assert_max_num_queries(4):
        content = client.get("/archive/").content.decode()
    years = re.findall(r'<a href="/archive/(\d{4})/">', content)
    assert years == expected
    assert "1 article<" in content
    for found in years:
        assert client.get(f"/archive/{found}/").status_code == 200


def test_about_page_says_how_grades_are_made_and_how_to_report(client, settings):
    settings.CORRECTIONS_EMAIL = "fixes@example.org"
    content = client.get("/about/").content.decode()
    assert "doi:10.5281/zenodo.15386042" in content
    assert 'href="https://osai-index.eu/"' in content
    assert "CC BY 4.0" in content
    assert 'href="/models/methodology/"' in content  # the grading is explained there, once
    assert 'href="mailto:fixes@example.org"' in content
    assert 'href="/corrections/"' in content


def test_correction_notes_are_found_in_a_body():
    body = "Intro.\n\n**Correction:** The context window is 128K, not 32K.\n\nMore.\n\n" + (
        "_Correction: the licence_ is Apache 2.0.\n\nA correction: mid-sentence is not one."
    )
    assert corrections_in(body) == [
        "The context window is 128K, not 32K.",
        "the licence is Apache 2.0.",
    ]


def test_corrections_page_lists_corrected_articles_newest_first(
    client, django_assert_max_num_queries
):
    older = ArticleFactory(slug="older", title="Older piece")
    newer = ArticleFactory(slug="newer", title="Newer piece")
    ArticleFactory(slug="clean", title="Never wrong")
    ArticleFactory(
        slug="hidden",
        title="Draft piece",
        body="Correction: hidden.",
        status=Article.Status.DRAFT,
        published_at=None,
    )
    for article, note in ((older, "The date was 2023."), (newer, "Mistral AI is in Paris.")):
        article.body += f"\n\nCorrection: {note}"
        article_save(article)
    with django_assert_max_num_queries(5):
        content = client.get("/corrections/").content.decode()
    assert content.index("Newer piece") < content.index("Older piece")
    assert "Mistral AI is in Paris." in content and "The date was 2023." in content
    assert 'href="/articles/newer/"' in content
    assert "Never wrong" not in content and "Draft piece" not in content
    # The note stays in the article itself too.
    assert "Mistral AI is in Paris." in client.get("/articles/newer/").content.decode()


def test_corrections_page_without_corrections(client):
    ArticleFactory()
    assert "No article has needed a correction yet." in client.get("/corrections/").content.decode()


def test_corrected_articles_are_found_by_a_flag_derived_on_save(client):
    """The corrections page reads a flag the write path derives, not every body: a body that
    only mentions the word is not listed; the migration sets the flag on existing rows."""
    import importlib

    from django.apps import apps

    mentioned = ArticleFactory(title="Mentions it", body="We print correction: notes at the end.")
    corrected = ArticleFactory(title="Corrected one")
    corrected.body += "\n\n**Correction:** the count was 8."
    article_save(corrected)
    article_save(mentioned)
    flags = dict(Article.objects.values_list("title", "has_correction"))
    assert flags["Corrected one"] is True and flags["Mentions it"] is False
    content = client.get("/corrections/").content.decode()
    assert "the count was 8." in content and "Mentions it" not in content
    # Rows written before the flag existed: the migration finds them.
    Article.objects.update(has_correction=False)
    migration = importlib.import_module("articles.migrations.0021_article_has_correction")
    migration.mark_corrected(apps, None)
    flags = dict(Article.objects.values_list("title", "has_correction"))
    assert flags["Corrected one"] is True and flags["Mentions it"] is False
