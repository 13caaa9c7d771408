"""Every multi-row write is one transaction: a failure midway leaves the database as it was.

Each test breaks one step late in a write (after earlier rows were already written) and
checks that every backed-up row is still what it was before.
"""

import json

import pytest
from taggit.models import Tag

from articles.backoffice import workflow
from articles.backoffice.tags import tag_merge
from articles.models import Article, Revision, TagDescription
from articles.operations.backup import dump_data
from models_catalog.models import AIModel
from models_catalog.transfer.importer import import_rows
from tests.factories import AIModelFactory, ArticleFactory
from tests.users import make_editor

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def boom(*args, **kwargs):
    raise Boom("injected failure")


def database():
    """Every row the backup would hold, keyed by model and primary key."""
    return {f"{row['model']} {row['pk']}": row["fields"] for row in json.loads(dump_data())}


def rows(count, **extra):
    return [
        (f"row {n}", {"name": f"Imported {n}", "weights": "open", "tags": "new-tag; llm", **extra})
        for n in range(count)
    ]


@pytest.mark.parametrize("step", ["_replace_grades", "_replace_tags", "entries_imported.send"])
def test_import_failing_midway_writes_nothing(monkeypatch, step):
    AIModelFactory(slug="imported-0", name="Imported 0", weights="closed", tags=["llm"])
    before = database()
    target = "models_catalog.writes." + step
    monkeypatch.setattr(target, boom)
    with pytest.raises(Boom):
        import_rows(rows(50, organization="New lab", **{"openness.license": "open"}))
    assert database() == before
    assert AIModel.objects.get(slug="imported-0").weights == "closed"


def test_tag_merge_failing_midway_changes_nothing(monkeypatch):
    survivor, other = Tag.objects.create(name="LLM"), Tag.objects.create(name="llms")
    ArticleFactory.create_batch(3, tags=["llms"])
    ArticleFactory(tags=["LLM", "llms"])
    AIModelFactory.create_batch(2, tags=["llms"])
    TagDescription.objects.create(tag=other, description="Large language models.")
    before = database()
    monkeypatch.setattr("config.lib.tagging.tags_changed.send", boom)  # after every row moved
    with pytest.raises(Boom):
        tag_merge(survivor, [other])
    assert database() == before
    assert Tag.objects.filter(name="llms").exists()


def test_publish_failing_at_the_revision_changes_nothing(monkeypatch):
    editor = make_editor()
    article = ArticleFactory(status="draft", published_at=None)
    before = database()
    monkeypatch.setattr("articles.writes.revision_create", boom)
    with pytest.raises(Boom):
        workflow.article_publish(article, editor)
    assert database() == before
    article.refresh_from_db()
    assert article.status == "draft" and not Revision.objects.exists()


def test_trash_empty_failing_midway_deletes_nothing(monkeypatch):
    editor = make_editor()
    for article in ArticleFactory.create_batch(3):
        workflow.article_trash(article, editor)
    before = database()
    monkeypatch.setattr("django.db.models.signals.post_delete.send", boom)
    with pytest.raises(Boom):
        workflow.trash_empty(editor)
    assert database() == before
    assert Article.all_objects.trashed().count() == 3
