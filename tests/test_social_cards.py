"""Social cards (issue 17, item 3): generated PNGs, their URLs, and the tags that use them."""

import io
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import caches
from PIL import Image, ImageDraw

from articles.writes import article_save
from tests.factories import AIModelFactory, ArticleFactory

pytestmark = pytest.mark.django_db
ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _empty_cache():
    caches["default"].clear()


def meta(content, key):
    found = re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', content)
    assert len(found) == 1, (key, found)
    return found[0]


def graph(content):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    return [node for block in blocks for node in json.loads(block)["@graph"]]


def card_of(client, page):
    content = client.get(page).content.decode()
    return meta(content, "og:image").removeprefix(ORIGIN)


def assert_png(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert (
        "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    )
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))


@pytest.fixture
def catalog():
    return [
        AIModelFactory(slug="mixtral-8x7b", name="Mixtral 8x7B", tags=["moe"]),
        AIModelFactory(slug="gpt-4o", name="GPT-4o", weights="closed", tags=["moe"]),
        AIModelFactory(slug="llama-3-1-405b", name="Llama 3.1 405B"),
    ]


def test_every_kind_of_page_has_a_1200x630_png(client, catalog):
    ArticleFactory(slug="moe", title="Mixture of experts", tags=["moe"])
    pages = [
        "/articles/moe/",
        "/models/mixtral-8x7b/",
        "/models/compare/?m=mixtral-8x7b&m=gpt-4o",
        "/tags/moe/",
    ]
    for page in pages:
        card = card_of(client, page)
        assert card.startswith("/cards/") and card.endswith(".png"), card
        assert_png(client.get(card))


def test_changing_the_title_changes_the_url_and_the_picture(client):
    article = ArticleFactory(slug="moe", title="Mixture of experts")
    old = card_of(client, "/articles/moe/")
    old_png = client.get(old).content
    article.title = "Mixture of experts, explained again"
    article_save(article)
    new = card_of(client, "/articles/moe/")
    assert new != old
    new_png = client.get(new).content
    assert new_png != old_png
    stale = client.get(old)  # an old shared link still gets today's picture
    assert stale.status_code == 302 and stale["Location"] == new
    assert "immutable" not in stale["Cache-Control"]


def test_an_unchanged_page_keeps_its_card(client, catalog):
    first = card_of(client, "/models/gpt-4o/")
    caches["default"].clear()
    assert card_of(client, "/models/gpt-4o/") == first


def test_model_card_follows_the_openness_score(client, catalog):
    model = catalog[0]
    old = card_of(client, "/models/mixtral-8x7b/")
    type(model).objects.filter(pk=model.pk).update(openness_score=80)  # what the card reads
    caches["default"].clear()  # the page cache would otherwise answer before the write path
    assert card_of(client, "/models/mixtral-8x7b/") != old


@pytest.mark.parametrize(
    "url",
    [
        "/cards/articles/no-such-article/0123456789abcdef.png",
        "/cards/models/no-such-model/0123456789abcdef.png",
        "/cards/tags/no-such-tag/0123456789abcdef.png",
        "/cards/compare/gpt-4o+no-such-model/0123456789abcdef.png",
        "/cards/compare/mixtral-8x7b+gpt-4o/0123456789abcdef.png",  # not sorted
        "/cards/compare/gpt-4o+gpt-4o/0123456789abcdef.png",  # not distinct
        "/cards/compare/gpt-4o/0123456789abcdef.png",  # one model is no comparison
        "/cards/compare/" + "+".join(f"m{n:02}" for n in range(7)) + "/0123456789abcdef.png",
    ],
)
def test_unknown_content_is_404(client, catalog, url):
    assert client.get(url).status_code == 404


def test_draft_article_has_no_card(client):
    ArticleFactory(slug="secret", status="draft", published_at=None)
    assert client.get("/cards/articles/secret/0123456789abcdef.png").status_code == 404


def test_compare_card_and_canonical_do_not_depend_on_order(client, catalog):
    one = client.get("/models/compare/?m=mixtral-8x7b&m=gpt-4o&m=llama-3-1-405b")
    two = client.get("/models/compare/?m=llama-3-1-405b&m=gpt-4o&m=mixtral-8x7b")
    one, two = one.content.decode(), two.content.decode()
    canonical = re.search(r'<link rel="canonical" href="([^"]*)"', one).group(1)
    assert canonical == re.search(r'<link rel="canonical" href="([^"]*)"', two).group(1)
    assert canonical == (
        ORIGIN + "/models/compare/?m=gpt-4o&amp;m=llama-3-1-405b&amp;m=mixtral-8x7b"
    )
    assert meta(one, "og:image") == meta(two, "og:image")
    assert "/cards/compare/gpt-4o+llama-3-1-405b+mixtral-8x7b/" in meta(one, "og:image")
    assert meta(one, "og:url") == canonical


def test_card_queries_are_bounded(client, catalog, django_assert_max_num_queries):
    ArticleFactory(slug="moe", tags=["moe"])
    cards = [
        card_of(client, page)
        for page in ("/articles/moe/", "/models/gpt-4o/", "/tags/moe/")
        + ("/models/compare/?m=mixtral-8x7b&m=gpt-4o&m=llama-3-1-405b",)
    ]
    caches["default"].clear()
    for card in cards:
        with django_assert_max_num_queries(3):
            assert client.get(card).status_code == 200


def test_json_ld_has_image_publisher_and_mentions(client, catalog):
    article = ArticleFactory(
        slug="moe", body="Compare [[model:mixtral-8x7b]] with [[model:gpt-4o]]."
    )
    article_save(article)
    content = client.get("/articles/moe/").content.decode()
    node = next(node for node in graph(content) if node["@type"] == "Article")
    assert node["image"][0]["url"] == meta(content, "og:image")
    assert node["image"][0]["width"] == 1200 and node["image"][0]["height"] == 630
    publisher = node["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"] == "ModelPress"
    assert publisher["logo"]["url"] == ORIGIN + "/static/img/logo.png"
    logo_image = Image.open(finders.find("img/logo.png"))
    assert logo_image.size == (publisher["logo"]["width"], publisher["logo"]["height"])
    assert min(logo_image.size) >= 112
    assert sorted((m["name"], m["url"]) for m in node["mentions"]) == [
        ("GPT-4o", ORIGIN + "/models/gpt-4o/"),
        ("Mixtral 8x7B", ORIGIN + "/models/mixtral-8x7b/"),
    ]
    assert {m["@type"] for m in node["mentions"]} == {"SoftwareApplication"}


def test_model_and_tag_json_ld_carry_the_card(client, catalog):
    model = client.get("/models/gpt-4o/").content.decode()
    app = next(node for node in graph(model) if node["@type"] == "SoftwareApplication")
    assert app["image"]["url"] == meta(model, "og:image")
    tag = client.get("/tags/moe/").content.decode()
    page = next(node for node in graph(tag) if node["@type"] == "CollectionPage")
    assert page["image"]["url"] == meta(tag, "og:image")
    assert page["publisher"]["logo"]["width"] >= 112
    assert meta(tag, "twitter:card") == "summary_large_image"


def test_cards_draw_without_font_files(monkeypatch, tmp_path):
    """Without Debian's DejaVu, Pillow's own scalable font (Pillow ≥ 10.1) draws the card."""
    from config.lib import cards

    monkeypatch.setattr(cards, "_FONTS", tmp_path)
    cards._font.cache_clear()
    try:
        png = cards.draw(cards.Card("Tag", "A tag with a long name " * 8, (("Articles", "3"),), 40))
    finally:
        cards._font.cache_clear()
    assert Image.open(io.BytesIO(png)).size == (1200, 630)


def test_long_titles_and_words_stay_inside_the_card():
    from config.lib import cards

    image = Image.new("RGB", (10, 10))
    pen = ImageDraw.Draw(image)
    font = cards._font(60, True)
    lines = cards._wrap(pen, "W" * 80 + " and then " + "many more words " * 20, font, 1040, 3)
    assert len(lines) == 3 and lines[-1].endswith("…") and lines[0].endswith("…")
    assert all(pen.textlength(line, font=font) <= 1040 for line in lines)
