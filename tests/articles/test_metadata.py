import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.backoffice.images import image_ingest
from articles.models import Image
from tests.articles.helpers import image_bytes
from tests.factories import (
    AIModelFactory,
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    LicenseFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db
ORIGIN = "http://127.0.0.1:8000"


class Head(HTMLParser):
    """<title>, <meta>, <link rel> and JSON-LD blocks of a page."""

    def __init__(self, content):
        super().__init__()
        self.title, self.meta, self.links, self.json_ld, self._in = "", {}, {}, [], None
        self._body = False
        self.feed(content)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._body = self._body or tag == "body"
        if tag == "meta" and ("name" in attrs or "property" in attrs):
            key = attrs.get("property") or attrs["name"]
            self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link":
            self.links.setdefault(attrs.get("rel"), []).append(attrs)
        elif (tag == "title" and not self._body) or (
            tag == "script" and attrs.get("type") == "application/ld+json"
        ):
            self._in = tag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "script":
            self.json_ld.append(json.loads(data))

    def one(self, key):
        values = self.meta.get(key, [])
        assert len(values) == 1, (key, values)
        return values[0]

    def graph(self):
        return {node["@type"]: node for block in self.json_ld for node in block["@graph"]}


def head(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return Head(response.content.decode())


def assert_basics(page, url, title, description):
    assert page.title == title
    assert page.one("description") == description
    assert [link["href"] for link in page.links["canonical"]] == [ORIGIN + url]
    assert page.one("og:url") == ORIGIN + url
    assert page.one("og:title") == title and page.one("twitter:title") == title
    assert page.one("og:description") == description
    assert page.one("og:site_name") == "ModelPress"
    assert page.one("twitter:card") in {"summary", "summary_large_image"}


def crumbs(page):
    items = page.graph()["BreadcrumbList"]["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    return [(item["name"], item["item"][len(ORIGIN) :]) for item in items]


@pytest.fixture
def article():
    hero = image_ingest(
        Image(alt="A red square on white"),
        SimpleUploadedFile("hero.png", image_bytes("PNG", (1200, 630))),
    )
    return ArticleFactory(
        title="Mixture of experts, explained",
        slug="moe",
        dek='What "sparse" means & why <it> matters.',
        category=CategoryFactory(name="Explainers", slug="explainers"),
        author=AuthorFactory(name="Ada Writer", slug="ada"),
        hero_image=hero,
        tags=["MoE", "LLM"],
        published_at=timezone.now() - timedelta(days=3),
    )


def test_article_metadata(client, article):
    page = head(client, "/articles/moe/")
    assert_basics(
        page,
        "/articles/moe/",
        "Mixture of experts, explained · ModelPress",
        'What "sparse" means & why <it> matters.',
    )
    assert page.one("og:type") == "article"
    assert page.one("twitter:card") == "summary_large_image"
    # The generated card, not the hero picture, is what a link preview shows (issue 17).
    assert page.one("og:image").startswith(ORIGIN + "/cards/articles/moe/")
    assert page.one("twitter:image") == page.one("og:image")
    assert (page.one("og:image:width"), page.one("og:image:height")) == ("1200", "630")
    assert page.one("og:image:alt").startswith("Article: Mixture of experts, explained")
    assert page.one("article:published_time") == article.published_at.isoformat()
    assert sorted(page.meta["article:tag"]) == ["LLM", "MoE"]
    ld = page.graph()["Article"]
    assert ld["headline"] == article.title
    assert ld["author"] == {
        "@type": "Person",
        "name": "Ada Writer",
        "url": ORIGIN + "/authors/ada/",
    }
    assert ld["datePublished"] == article.published_at.isoformat()
    assert ld["dateModified"] == article.updated_at.isoformat()
    card, hero = ld["image"]
    assert card["url"] == page.one("og:image") and (card["width"], card["height"]) == (1200, 630)
    assert hero["url"] == ORIGIN + article.hero_image.file.url
    assert (hero["width"], hero["height"]) == (1200, 630)
    assert crumbs(page) == [
        ("Home", "/"),
        ("Explainers", "/category/explainers/"),
        ("Mixture of experts, explained", "/articles/moe/"),
    ]


def test_seo_overrides_win(client, article):
    article.seo_title, article.seo_description = "MoE in one page", "Short and sharp."
    article.save()
    page = head(client, "/articles/moe/")
    assert page.title == "MoE in one page · ModelPress"
    assert page.one("description") == "Short and sharp."
    assert page.graph()["Article"]["description"] == "Short and sharp."


def test_json_ld_cannot_be_closed_by_content(client):
    ArticleFactory(slug="evil", title="</script><script>alert(1)</script>")
    content = client.get("/articles/evil/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    assert "<" not in block.group(1)
    assert json.loads(block.group(1))["@graph"][0]["headline"].startswith("</script>")


def test_article_without_image_still_has_a_large_card(client):
    ArticleFactory(slug="plain")
    page = head(client, "/articles/plain/")
    assert page.one("twitter:card") == "summary_large_image"
    assert page.one("og:image").startswith(ORIGIN + "/cards/articles/plain/")
    assert [image["url"] for image in page.graph()["Article"]["image"]] == [page.one("og:image")]


def test_list_pages_metadata(client, article):
    page = head(client, "/category/explainers/")
    assert page.title == "Explainers · ModelPress"
    assert page.one("og:url") == ORIGIN + "/category/explainers/"
    assert crumbs(page) == [("Home", "/"), ("Explainers", "/category/explainers/")]
    page = head(client, "/tags/moe/")
    assert page.one("description").startswith("Articles and AI models tagged")
    assert crumbs(page) == [("Home", "/"), ("Tags", "/tags/"), ("MoE", "/tags/moe/")]
    page = head(client, "/authors/ada/")
    assert page.one("og:type") == "profile" and "Ada Writer" in page.title
    home = head(client, "/")
    assert home.one("og:url") == ORIGIN + "/"
    assert home.graph()["WebSite"]["potentialAction"]["@type"] == "SearchAction"
    year = article.published_at.year
    assert head(client, f"/archive/{year}/").title == f"Archive: {year} · ModelPress"


def test_canonical_keeps_only_the_page_number(client):
    ArticleFactory.create_batch(25, category=CategoryFactory(slug="many"))
    page = head(client, "/category/many/?page=2&utm_source=x")
    assert page.links["canonical"][0]["href"] == ORIGIN + "/category/many/?page=2"
    page = head(client, "/category/many/?page=1&utm_source=x")
    assert page.links["canonical"][0]["href"] == ORIGIN + "/category/many/"


def test_model_page_metadata(client):
    model = AIModelFactory(
        name="Mixtral 8x7B",
        slug="mixtral-8x7b",
        summary="A sparse mixture-of-experts model.",
        organization=OrganizationFactory(name="Mistral AI", homepage="https://mistral.ai/"),
        license=LicenseFactory(
            name="Apache 2.0",
            spdx_id="Apache-2.0",
            url="https://www.apache.org/licenses/LICENSE-2.0",
        ),
        tags=["MoE"],
    )
    page = head(client, "/models/mixtral-8x7b/")
    assert page.one("description") == "A sparse mixture-of-experts model."
    assert page.one("og:url") == ORIGIN + "/models/mixtral-8x7b/"
    app = page.graph()["SoftwareApplication"]
    assert app["name"] == "Mixtral 8x7B"
    assert app["author"] == {
        "@type": "Organization",
        "name": "Mistral AI",
        "url": "https://mistral.ai/",
    }
    assert app["license"]["url"] == "https://www.apache.org/licenses/LICENSE-2.0"
    assert app["license"]["identifier"] == "Apache-2.0"
    assert app["datePublished"] == model.release_date.isoformat()
    assert crumbs(page) == [
        ("Home", "/"),
        ("Models", "/models/"),
        ("Mixtral 8x7B", "/models/mixtral-8x7b/"),
    ]


@pytest.mark.parametrize("url", ["/models/", "/models/compare/?m=a&m=b", "/search/?q=x", "/tags/"])
def test_every_page_has_the_basics(client, url):
    AIModelFactory(slug="a")
    page = head(client, url)
    assert page.title and page.one("description")
    assert page.links["canonical"][0]["href"].startswith(ORIGIN + "/")
    assert page.one("og:title") == page.title
    assert {link["type"] for link in page.links["alternate"]} >= {
        "application/rss+xml",
        "application/atom+xml",
    }
