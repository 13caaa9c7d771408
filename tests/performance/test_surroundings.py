"""What surrounds an article page (its "Recent posts", neighbours and related articles)
changes only when an article takes a new place in time or comes to carry one of its tags
(issue 18, item 1; articles/announce.py `order_keys`): a retag, or an article published with
an old date, no longer renders every article page again."""

from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from articles import announce
from articles.models import Article
from articles.writes import article_save
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


@pytest.fixture
def timeline():
    """Eight articles a day apart, the oldest 30 days ago: `old` (tag "alpha"), its
    neighbours `before` and `after`, four more, and the newest (tag "gamma")."""
    start = timezone.now() - timedelta(days=30)
    made = [
        ArticleFactory(title=f"Story {n}", published_at=start + timedelta(days=n), tags=["x"])
        for n in range(8)
    ]
    made[1].tags.set(["alpha"])
    made[7].tags.set(["gamma"])
    return {"before": made[0], "old": made[1], "after": made[2], "newest": made[7], "all": made}


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response


def warm(client, articles):
    for article in articles:
        page(client, article)
        assert page(client, article)["X-Cache"] == "hit"


def test_retagging_an_old_article_leaves_the_other_pages_alone(client, timeline, invalidated):
    old, newest = timeline["old"], timeline["newest"]
    warm(client, timeline["all"])
    invalidated.clear()
    old.title = "Story 1, retagged"
    article_save(old, tags=["gamma"])
    keys = invalidated.keys()
    gamma, alpha = Tag.objects.get(name="gamma"), Tag.objects.get(name="alpha")
    assert {f"tagged:{gamma.pk}", f"tagged:{alpha.pk}", f"list:tag:{gamma.pk}"} <= keys
    assert not {"order:articles", "recent:articles", "around:articles"} & keys
    assert not any(key.startswith("next-to:") for key in keys)  # it did not move
    # The newest carries "gamma" now shared: its related list shows the retagged article.
    response = page(client, newest)
    assert response["X-Cache"] == "miss" and "Story 1, retagged" in response.content.decode()
    for article in (timeline["before"], timeline["after"]):  # they showed it as a neighbour
        assert "Story 1, retagged" in page(client, article).content.decode()
    for article in timeline["all"][3:7]:  # neither shows it: still the kept pages
        assert page(client, article)["X-Cache"] == "hit", article.title


def test_an_article_published_with_an_old_date_changes_its_neighbours_only(
    client, timeline, invalidated
):
    before, after = timeline["before"], timeline["after"]
    warm(client, timeline["all"])
    late = ArticleFactory(
        title="Filed late", status=Article.Status.DRAFT, published_at=None, tags=["unshared"]
    )
    invalidated.clear()
    late.status = Article.Status.PUBLISHED
    late.published_at = before.published_at + timedelta(hours=12)  # between before and old
    article_save(late)
    keys = invalidated.keys()
    assert {"order:articles", f"next-to:{before.pk}", f"next-to:{timeline['old'].pk}"} <= keys
    assert "recent:articles" not in keys  # far from the newest
    assert not {f"next-to:{pk}" for pk in (after.pk, timeline["newest"].pk)} & keys
    for neighbour in (before, timeline["old"]):
        response = page(client, neighbour)
        assert response["X-Cache"] == "miss" and "Filed late" in response.content.decode()
    for article in [after, *timeline["all"][3:]]:
        assert page(client, article)["X-Cache"] == "hit", article.title
    # Withdrawn again: the pages that showed it hear of it through its own key.
    late.status = Article.Status.DRAFT
    article_save(late)
    for neighbour in (before, timeline["old"]):
        assert "Filed late" not in page(client, neighbour).content.decode()


def test_a_new_article_is_in_every_recent_posts(client, timeline, invalidated):
    warm(client, timeline["all"])
    invalidated.clear()
    ArticleFactory(title="Breaking", tags=["unshared"])
    assert {"recent:articles", f"next-to:{timeline['newest'].pk}"} <= invalidated.keys()
    for article in timeline["all"]:
        response = page(client, article)
        assert response["X-Cache"] == "miss" and "Breaking" in response.content.decode()


def test_an_article_moved_among_the_newest_changes_recent_posts(client, timeline, invalidated):
    old = timeline["old"]
    warm(client, timeline["all"][3:5])
    invalidated.clear()
    old.published_at = timezone.now() - timedelta(minutes=5)  # from a month ago to now
    article_save(old)
    assert {"recent:articles", f"next-to:{timeline['newest'].pk}"} <= invalidated.keys()
    for article in timeline["all"][3:5]:
        assert "Story 1" in page(client, article).content.decode().split("Recent posts")[1]


def test_articles_coming_due_say_where_they_land(timeline):
    since = timezone.now()
    due = ArticleFactory(published_at=since + timedelta(seconds=30))
    Article.objects.filter(pk=due.pk).update(published_at=since)
    keys = announce.came_due_keys(since)
    assert {f"article:{due.pk}", "recent:articles", f"next-to:{timeline['newest'].pk}"} <= keys


def test_many_articles_placed_at_once_change_every_surrounding(timeline, invalidated):
    start = timezone.now() - timedelta(days=90)
    with announce.announcing():
        for n in range(announce.MAX_PLACED + 1):
            ArticleFactory(published_at=start + timedelta(hours=n))
    keys = invalidated.keys()
    assert "around:articles" in keys
    assert not any(key.startswith("next-to:") for key in keys)  # not one by one
