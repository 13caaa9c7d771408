from datetime import UTC, datetime

import pytest
from django.core import serializers

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_json_dump_and_load_keep_microseconds():
    when = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
    article = ArticleFactory(published_at=when)
    Article.objects.filter(pk=article.pk).update(updated_at=when)
    data = serializers.serialize("json", Article.objects.filter(pk=article.pk))
    assert "2026-05-04T03:02:01.123456Z" in data
    (loaded,) = serializers.deserialize("json", data)
    assert loaded.object.published_at == when and loaded.object.updated_at == when
