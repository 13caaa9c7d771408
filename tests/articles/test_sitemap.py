import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import AIModelFactory, ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ORIGIN = "http://127.0.0.1:8000"


def sitemap(client):
    """Every URL of every section listed by the sitemap index, with its lastmod."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    urls = {}
    for section in ET.fromstring(index.content).findall("s:sitemap", NS):
        loc = urlsplit(section.findtext("s:loc", namespaces=NS))
        response = client.get(f"{loc.path}?{loc.query}")
        assert response.status_code == 200
        for url in ET.fromstring(response.content).findall("s:url", NS):
            loc = url.findtext("s:loc", namespaces=NS)[len(ORIGIN) :]
            urls[loc] = url.findtext("s:lastmod", namespaces=NS)
    return urls


def test_index_lists_each_section_with_lastmod(client):
    ArticleFactory(tags=["LLM"])
    AIModelFactory(tags=["LLM"])
    root = ET.fromstring(client.get("/sitemap.xml").content)
    sections = {urlsplit(s.findtext("s:loc", namespaces=NS)).path for s in root}
    assert "/sitemap-articles.xml" in sections and "/sitemap-models.xml" in sections
    assert all(s.findtext("s:lastmod", namespaces=NS) for s in root)


def test_unknown_section_is_404(client):
    assert client.get("/sitemap-nope.xml").status_code == 404
    assert client.get("/sitemap-articles.xml?p=abc").status_code == 404
    assert client.get("/sitemap-articles.xml?p=99").status_code == 404


def day(value):
    return datetime.fromisoformat(value).date()


def test_sitemap_lists_every_public_page_with_lastmod(client):
    now = timezone.now()
    ai = CategoryFactory(name="AI", slug="ai")
    empty = CategoryFactory(name="Empty", slug="empty")
    ada = AuthorFactory(slug="ada")
    live = ArticleFactory(
        slug="live", category=ai, author=ada, tags=["LLM"], published_at=now - timedelta(days=5)
    )
    Article.objects.filter(pk=live.pk).update(updated_at=now - timedelta(days=2))
    draft = ArticleFactory(
        slug="draft",
        category=empty,
        tags=["Secret"],
        status=Article.Status.DRAFT,
        published_at=None,
    )
    ArticleFactory(slug="later", category=empty, published_at=now + timedelta(days=1))
    model = AIModelFactory(slug="mixtral", tags=["MoE"])
    urls = sitemap(client)

    assert day(urls["/articles/live/"]) == (now - timedelta(days=2)).date()
    assert "/articles/draft/" not in urls and "/articles/later/" not in urls
    assert day(urls["/category/ai/"]) == (now - timedelta(days=2)).date()
    assert "/category/empty/" not in urls
    assert "/authors/ada/" in urls and f"/authors/{draft.author.slug}/" not in urls
    assert "/tags/llm/" in urls and "/tags/moe/" in urls and "/tags/secret/" not in urls
    assert day(urls["/models/mixtral/"]) == model.updated_at.date()
    assert "/" in urls and "/models/" in urls
    year = (now - timedelta(days=5)).year
    assert {"/about/", "/corrections/", "/archive/", f"/archive/{year}/"} <= set(urls)
    assert day(urls[f"/archive/{year}/"]) == (now - timedelta(days=2)).date()
    # About is fixed text and nothing has been corrected: no lastmod rather than a made-up one.
    assert all(stamp for path, stamp in urls.items() if path not in {"/about/", "/corrections/"})


def test_scheduled_article_lastmod_is_when_it_went_live(client):
    now = timezone.now()
    article = ArticleFactory(slug="scheduled", published_at=now - timedelta(hours=1))
    Article.objects.filter(pk=article.pk).update(updated_at=now - timedelta(days=3))
    assert day(sitemap(client)["/articles/scheduled/"]) == (now - timedelta(hours=1)).date()


@pytest.mark.parametrize("rows", [2, 12])
def test_sitemap_query_count_is_flat(client, django_assert_num_queries, rows):
    """Articles and models: stats and rows; categories and authors: one each; tags: three;
    home and catalog reuse the article and model stats; articles and models also read their
    file boundaries; plus the cache generations' check for a scheduled article coming due."""
    for n in range(rows):
        ArticleFactory(category=CategoryFactory(), tags=[f"Tag {n}", "LLM"])
    AIModelFactory.create_batch(rows, tags=["LLM"])
    with django_assert_num_queries(12):
        client.get("/sitemap-articles.xml")
        client.get("/sitemap-categories.xml")
        client.get("/sitemap-authors.xml")
        client.get("/sitemap-tags.xml")
        client.get("/sitemap-models.xml")
        client.get("/sitemap-home.xml")
        client.get("/sitemap-catalog.xml")


@pytest.mark.parametrize("rows", [2, 12])
def test_index_query_count_is_flat_and_within_budget(client, django_assert_num_queries, rows):
    for n in range(rows):
        ArticleFactory(category=CategoryFactory(), tags=[f"Tag {n}"])
    AIModelFactory.create_batch(rows, tags=["LLM"])
    # 10: the footer's pages add the archive's years and the newest correction (issue 17).
    with django_assert_num_queries(10):
        assert client.get("/sitemap.xml").status_code == 200
    with django_assert_num_queries(0):  # kept until the next write
        assert client.get("/sitemap.xml").status_code == 200


def test_big_sections_are_split_into_files_the_index_lists(client, monkeypatch):
    from config.lib import sitemaps

    monkeypatch.setattr(sitemaps, "LIMIT", 2)
    articles = ArticleFactory.create_batch(5)
    AIModelFactory.create_batch(3)
    root = ET.fromstring(client.get("/sitemap.xml").content)
    files = [urlsplit(s.findtext("s:loc", namespaces=NS)) for s in root]
    article_files = [f.query for f in files if f.path == "/sitemap-articles.xml"]
    assert article_files == ["", "p=2", "p=3"]
    assert sum(f.path == "/sitemap-models.xml" for f in files) == 2
    per_file = []
    for query in article_files:
        body = client.get(f"/sitemap-articles.xml?{query}").content
        per_file.append([u.findtext("s:loc", namespaces=NS) for u in ET.fromstring(body)])
    assert [len(locs) for locs in per_file] == [2, 2, 1]
    listed = {loc[len(ORIGIN) :] for locs in per_file for loc in locs}
    assert listed == {f"/articles/{a.slug}/" for a in articles}
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404


def test_locations_are_escaped_and_quoted(client):
    from taggit.models import Tag

    ArticleFactory(tags=["R&D"])
    Tag.objects.filter(name="R&D").update(slug="r&d-ü")
    body = client.get("/sitemap-tags.xml").content.decode()
    assert "/tags/r%26d-%C3%BC/" in body and "&d" not in body.replace("&amp;", "")
    ET.fromstring(body)


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert client.head("/robots.txt").status_code == 200
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines and "Disallow: /preview/" in lines
    assert f"Sitemap: {ORIGIN}{reverse('sitemap')}" in lines
