from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import AIModelFactory, ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.fixture
def articles():
    ai = CategoryFactory(name="AI", slug="ai")
    ada = AuthorFactory(name="Ada Writer", slug="ada")
    return [
        ArticleFactory(
            title=f"Story {i}",
            dek=f"Summary {i} with <angle> & ampersand.",
            category=ai if i % 2 else CategoryFactory(),
            author=ada if i < 2 else AuthorFactory(),
            published_at=timezone.now() - timedelta(days=i + 1),
            tags=["Open source", "LLM"] if i % 2 else ["GPT"],
        )
        for i in range(4)
    ]


@pytest.mark.parametrize("url_name", ["articles:feed", "articles:feed-atom"])
def test_site_feed_items_carry_everything(client, articles, url_name):
    ArticleFactory(title="Draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Later", published_at=timezone.now() + timedelta(days=1))
    response, feed = parse(client, reverse(url_name))
    assert feed.version == ("atom10" if "atom" in url_name else "rss20")
    assert [e.title for e in feed.entries] == ["Story 0", "Story 1", "Story 2", "Story 3"]
    entry = feed.entries[1]
    assert entry.link == "http://127.0.0.1:8000" + articles[1].get_absolute_url()
    # Descriptions are HTML: the plain-text dek arrives escaped, so readers show it verbatim.
    assert entry.summary == "Summary 1 with &lt;angle&gt; &amp; ampersand."
    assert entry.author == "Ada Writer"
    assert {t.term for t in entry.tags} == {"AI", "Open source", "LLM"}
    assert entry.published_parsed[:3] == articles[1].published_at.timetuple()[:3]
    if "atom" in url_name:
        assert entry.updated_parsed


def test_category_author_and_tag_feeds_filter(client, articles):
    _, feed = parse(client, reverse("articles:category-feed", args=["ai"]))
    assert [e.title for e in feed.entries] == ["Story 1", "Story 3"]
    _, feed = parse(client, reverse("articles:author-feed-atom", args=["ada"]))
    assert [e.title for e in feed.entries] == ["Story 0", "Story 1"]
    _, feed = parse(client, reverse("articles:tag-feed", args=["gpt"]))
    assert [e.title for e in feed.entries] == ["Story 0", "Story 2"]
    _, feed = parse(client, reverse("articles:tag-feed-atom", args=["open-source"]))
    assert [e.title for e in feed.entries] == ["Story 1", "Story 3"]
    assert "Open source" in feed.feed.title


@pytest.mark.parametrize(
    "url", ["/category/nope/feed/", "/authors/nope/feed/atom/", "/tags/nope/feed/"]
)
def test_unknown_feed_objects_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url_name", ["catalog:feed", "catalog:feed-atom"])
def test_catalog_feed_lists_newest_entries(client, url_name):
    old = AIModelFactory(name="Old model", summary="From before.", tags=["LLM"])
    new = AIModelFactory(name="New model", summary="Just added.")
    AIModelFactory._meta.model.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    _, feed = parse(client, reverse(url_name))
    assert [e.title for e in feed.entries] == ["New model", "Old model"]
    entry = feed.entries[1]
    assert entry.summary == "From before."
    assert entry.author == old.organization.name
    assert entry.link.endswith(old.get_absolute_url())
    assert {t.term for t in entry.tags} == {"Language", "LLM"}
    assert new.get_absolute_url() in feed.entries[0].link


def test_feed_query_count_is_flat(client, django_assert_max_num_queries):
    ArticleFactory.create_batch(15, tags=["LLM", "GPT"])
    with django_assert_max_num_queries(3):
        client.get(reverse("articles:feed"))
    AIModelFactory.create_batch(15, tags=["LLM"])
    with django_assert_max_num_queries(2):
        client.get(reverse("catalog:feed"))


def test_pages_advertise_their_feeds(client, articles):
    home = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in home and 'href="/feed/"' in home
    assert 'type="application/atom+xml"' in home
    category = client.get("/category/ai/").content.decode()
    assert 'href="/category/ai/feed/"' in category
    assert 'href="/authors/ada/feed/"' in client.get("/authors/ada/").content.decode()
    assert 'href="/tags/gpt/feed/"' in client.get("/tags/gpt/").content.decode()
    assert 'href="/models/feed/"' in client.get("/models/").content.decode()
