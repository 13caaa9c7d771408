from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db

PAST = timedelta(minutes=-1)
FUTURE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("status", "offset", "visible"),
    [
        (Article.Status.DRAFT, PAST, False),
        (Article.Status.DRAFT, FUTURE, False),
        (Article.Status.DRAFT, None, False),
        (Article.Status.REVIEW, PAST, False),
        (Article.Status.REVIEW, FUTURE, False),
        (Article.Status.REVIEW, None, False),
        (Article.Status.PUBLISHED, PAST, True),
        (Article.Status.PUBLISHED, FUTURE, False),
    ],
)
def test_published_queryset_and_property_agree(status, offset, visible):
    when = None if offset is None else timezone.now() + offset
    article = ArticleFactory(status=status, published_at=when)
    assert (article in Article.objects.published()) is visible
    assert article.is_published is visible


def test_publish_time_exactly_now_is_visible(monkeypatch):
    now = timezone.now()
    article = ArticleFactory(published_at=now)
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert list(Article.objects.published()) == [article]


def test_scheduled_article_goes_live_without_any_job(monkeypatch):
    now = timezone.now()
    article = ArticleFactory(published_at=now + timedelta(hours=1))
    assert article.is_scheduled
    assert not Article.objects.published().exists()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=2))
    assert list(Article.objects.published()) == [article]


def test_database_refuses_published_without_date():
    """The constraint holds for a row written without the write path (which refuses it first)."""
    article = ArticleFactory.build(
        status=Article.Status.PUBLISHED,
        published_at=None,
        category=CategoryFactory(),
        author=AuthorFactory(),
    )
    with pytest.raises(IntegrityError):
        article.save()


def test_the_write_path_refuses_published_without_date_with_a_message():
    with pytest.raises(ValidationError, match="A published article needs a publication time"):
        ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)
    assert not Article.all_objects.exists()
