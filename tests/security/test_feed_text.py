"""Every text in every feed arrives as the reader should show it (issue 12, items 2 and 6).

Each feed kind (site, category, author, tag and catalog; RSS and Atom) is built from objects
named with hostile text, then read twice: as XML (each element holds what its format says:
plain text, or HTML for an RSS description and an Atom summary) and through feedparser, a real
reader. The text must come back exactly. Rows stored with control characters before the text
rule existed must not break any feed either.
"""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author, Category
from models_catalog.models import AIModel, Organization
from tests.factories import (
    AIModelFactory,
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = [
    '<script>alert("x")</script>',
    "<b>bold</b> & <i>italic</i>",
    'Tom & Jerry\'s "quotes"',
    "&amp; already an entity, &lt;b&gt; too",
    "]]> ends a CDATA section",
    "🤖 robots 🚀 emoji",
    "مرحبا بالعالم",
    "a < b > c",
]
ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def html_text(fragment):
    """What an HTML reader shows for `fragment`: markup is markup, entities are characters."""
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


@pytest.fixture(params=HOSTILE, ids=range(len(HOSTILE)))
def hostile_site(request):
    name = request.param
    category = CategoryFactory(name=name, slug="hostile", description=f"About {name}")
    author = AuthorFactory(name=name, slug="hostile")
    ArticleFactory(title=name, dek=f"Dek {name}", category=category, author=author, tags=[name])
    AIModelFactory(
        name=name,
        summary=f"Summary {name}",
        organization=OrganizationFactory(name=name),
        tags=[name],
    )
    return name, Tag.objects.get(name=name)


def expectations(name, tag):
    """[(url, channel title, channel description, item title, item description, categories)]."""
    site = settings.SITE_NAME
    article = (name, f"Dek {name}", {name})
    return [
        (
            reverse("articles:feed"),
            f"{site}: latest articles",
            "Explainers about AI from ModelPress.",
            *article,
        ),
        (reverse("articles:category-feed", args=["hostile"]), f"{site}: {name}", f"About {name}")
        + article,
        (
            reverse("articles:author-feed", args=["hostile"]),
            f"{site}: {name}",
            f"Articles by {name}.",
        )
        + article,
        (
            reverse("articles:tag-feed", args=[tag.slug]),
            f"{site}: {name}",
            f"Articles tagged “{name}”.",
            *article,
        ),
        (
            reverse("catalog:feed"),
            f"{site}: new in the model catalog",
            "AI models most recently added to the ModelPress catalog.",
            name,
            f"Summary {name}",
            {"Language", name},
        ),
    ]


def atom_url(url):
    return url + "atom/"


def test_rss_text_round_trips(client, hostile_site):
    name, tag = hostile_site
    for url, title, description, item_title, item_description, terms in expectations(name, tag):
        content = client.get(url).content
        channel = ET.fromstring(content).find("channel")
        assert channel.findtext("title") == title, url
        # A channel description is HTML: the plain text arrives escaped, never as markup.
        assert html_text(channel.findtext("description")) == description, url
        item = channel.find("item")
        assert item.findtext("title") == item_title, url
        assert html_text(item.findtext("description")) == item_description, url
        assert {c.text for c in item.findall("category")} >= terms, url
        assert item.findtext(f"{{{DC}}}creator") == name, url
        feed = feedparser.parse(content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert html_text(feed.feed.subtitle) == description, url
        assert html_text(feed.entries[0].summary) == item_description, url
        assert {t.term for t in feed.entries[0].tags} >= terms, url
        assert feed.entries[0].author == name, url


def test_atom_text_round_trips(client, hostile_site):
    name, tag = hostile_site
    for url, title, description, item_title, item_description, terms in expectations(name, tag):
        content = client.get(atom_url(url)).content
        root = ET.fromstring(content)
        assert root.findtext(f"{{{ATOM}}}title") == title, url
        assert root.findtext(f"{{{ATOM}}}subtitle") == description, url  # type="text"
        entry = root.find(f"{{{ATOM}}}entry")
        assert entry.findtext(f"{{{ATOM}}}title") == item_title, url
        summary = entry.find(f"{{{ATOM}}}summary")
        assert summary.get("type") == "html"
        assert html_text(summary.text) == item_description, url
        assert {c.get("term") for c in entry.findall(f"{{{ATOM}}}category")} >= terms, url
        assert entry.findtext(f"{{{ATOM}}}author/{{{ATOM}}}name") == name, url
        feed = feedparser.parse(content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert (feed.feed.title, feed.feed.subtitle) == (title, description), url
        assert feed.entries[0].title == item_title, url
        assert html_text(feed.entries[0].summary) == item_description, url
        assert {t.term for t in feed.entries[0].tags} >= terms, url
        assert feed.entries[0].author == name, url


STORED_CONTROLS = ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\ufffe"]


@pytest.mark.parametrize("char", STORED_CONTROLS + ["\x00"], ids=repr)
def test_rows_stored_with_controls_never_break_a_feed(client, char):
    """Stored before the rule (queryset updates skip every guard): every feed still parses."""
    if char == "\x00" and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store NUL")
    bad = f"ctl{char}name"
    category = CategoryFactory(slug="hostile")
    author = AuthorFactory(slug="hostile")
    article = ArticleFactory(category=category, author=author, tags=["ctl"])
    model = AIModelFactory(organization=OrganizationFactory(), tags=["ctl"])
    tag = Tag.objects.get(name="ctl")
    Category.objects.filter(pk=category.pk).update(name=bad, description=bad)
    Author.objects.filter(pk=author.pk).update(name=bad)
    Article.objects.filter(pk=article.pk).update(title=bad, dek=bad)
    Tag.objects.filter(pk=tag.pk).update(name=bad)
    AIModel.objects.filter(pk=model.pk).update(name=bad, summary=bad)
    Organization.objects.filter(pk=model.organization_id).update(name=bad)
    for url, *_ in expectations("ctl", tag):
        for address in (url, atom_url(url)):
            response = client.get(address)
            assert response.status_code == 200, address
            feed = feedparser.parse(response.content)
            assert not feed.bozo, (address, feed.get("bozo_exception"))
            assert "ctlname" in response.content.decode(), address
