"""Query budgets: the count must not grow with the number of items shown."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.writes import article_save
from config.lib import cache
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.queries import page_queries as _count

pytestmark = pytest.mark.django_db


def _make(n):
    category = CategoryFactory(slug="ai")
    author = AuthorFactory(slug="ada")
    return [
        ArticleFactory(
            category=category,
            author=author,
            published_at=timezone.now() - timedelta(hours=i + 1),
            tags=[f"tag-{i % 5}", "shared"],
        )
        for i in range(n)
    ]


def _shown(client, url, articles):
    """How many of `articles` the page links to."""
    html = client.get(url).content.decode()
    return sum(article.get_absolute_url() in html for article in articles)


LIST_URLS = ["/", "/category/ai/", "/authors/ada/"]


@pytest.mark.parametrize("url", LIST_URLS + ["archive"])
def test_list_pages_within_budget_and_flat(client, url, settings):
    articles = _make(3)
    if url == "archive":
        url = f"/archive/{articles[0].published_at.year}/"
    cache.current_generations(("articles",))  # the next due moment, learnt once per process
    small = _count(client, url)
    assert _shown(client, url, articles) == 3, url
    articles += _make(27)
    large = _count(client, url)
    # The second count is of a fuller page (a page of 10 or more), not of the same three.
    assert _shown(client, url, articles) >= 10, url
    assert large <= 8, url
    assert small == large, url


def test_article_page_within_budget_and_flat(client):
    """The article page's count does not grow with the articles around it (recent, related)."""
    articles = _make(3)
    url = articles[1].get_absolute_url()
    small = _count(client, url)
    _make(27)
    large = _count(client, url)
    assert large <= 10
    assert small == large


@pytest.mark.parametrize("url", ["/", "/category/ai/", "/authors/ada/", "/tags/shared/"])
def test_cached_counts_follow_every_write(client, url):
    """Pagination counts are cached per generation: a publish, unpublish or trash shows at once."""
    articles = _make(12)  # two pages on every list (10 a page; the home page has a lead)
    assert "Page 1 of 2" in client.get(url).text
    extra = ArticleFactory(
        category=articles[0].category,
        author=articles[0].author,
        published_at=timezone.now() - timedelta(minutes=1),
        tags=["shared"],
    )
    _ = client.get(url)
    more = [
        ArticleFactory(
            category=extra.category,
            author=extra.author,
            published_at=timezone.now() - timedelta(minutes=2 + i),
            tags=["shared"],
        )
        for i in range(9)
    ]
    assert "Page 1 of 3" in client.get(url).text
    for article in [extra, *more]:
        article.status = article.Status.DRAFT
        article_save(article)
    assert "Page 1 of 2" in client.get(url).text
    for article in articles[:2]:
        article.deleted_at = timezone.now()  # to the trash
        article_save(article)
    assert "Page 1 of" not in client.get(url).text  # 10 left: one page
