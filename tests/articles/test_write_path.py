"""One write path for articles (issue 13): every way in derives the same fields and announces
the change exactly once (the articles half of the page cache, the search index).

The body used everywhere has what derivation depends on: headings (the table of contents), a
catalog reference, a reference to another article, one to nothing yet, and a library image.
"""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models.signals import post_delete, post_save, pre_delete
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import announce
from articles.backoffice import workflow
from articles.backoffice.images import image_ingest
from articles.backoffice.revisions import revision_restore
from articles.models import (
    Article,
    Author,
    Category,
    Image,
    PendingReference,
    Revision,
    SearchEntry,
    TagDescription,
)
from articles.operations.demo import load_demo_articles
from articles.rendering.article import DERIVED_FIELDS, article_derive
from articles.writes import article_rerender, article_save, references_refresh_if_due
from config.lib import cache, indexing
from tests.articles.helpers import article_form_data, image_bytes
from tests.factories import AIModelFactory, ArticleFactory, CategoryFactory
from tests.security.test_restore_hostile import read_members, resigned, with_rows, write_members
from tests.users import make_user

pytestmark = pytest.mark.django_db

BODY = (
    "## First\n\nSee [[model:llama-3]] and [[article:target]], not yet [[model:later]].\n\n"
    "## Second\n\n![A chart](image:{image})\n\n## Third\n\n{words}\n"
)


@pytest.fixture
def announced(monkeypatch):
    """Every announcement made: cache invalidations (as the halves they count as a write of,
    `()` for every page; their keys in "keys") and search index calls (kind, pks)."""
    calls = {"bump": [], "keys": [], "changed": [], "rebuild": 0}
    real_bump, real_changed, real_rebuild = cache.bump, indexing.changed, indexing.rebuild
    real_invalidate = cache.invalidate

    def bump(*halves):
        calls["bump"].append(halves)
        real_bump(*halves)

    def invalidate(keys, halves=()):
        calls["bump"].append(tuple(halves))
        calls["keys"].append(set(keys))
        real_invalidate(keys, halves)

    def changed(kind, pks):
        calls["changed"].append((kind, sorted(pks)))
        real_changed(kind, pks)

    def rebuild():
        calls["rebuild"] += 1
        return real_rebuild()

    monkeypatch.setattr(cache, "bump", bump)
    monkeypatch.setattr(cache, "invalidate", invalidate)
    monkeypatch.setattr(indexing, "changed", changed)
    monkeypatch.setattr(indexing, "rebuild", rebuild)
    return calls


def forget(calls):
    """Start counting afresh (after the fixtures' own writes)."""
    calls["bump"].clear()
    calls["keys"].clear()
    calls["changed"].clear()
    calls["rebuild"] = 0


def assert_announced_once(calls, *pks):
    """The articles half invalidated once, and one index call that covers `pks`."""
    article_bumps = [halves for halves in calls["bump"] if not halves or "articles" in halves]
    assert len(article_bumps) == 1, calls["bump"]
    indexed = [ids for kind, ids in calls["changed"] if kind == "article"]
    assert len(indexed) == 1, calls["changed"]
    assert set(pks) <= set(indexed[0])


def assert_derived(article):
    """What is stored is what the body derives to now, references included."""
    stored = Article.all_objects.get(pk=article.pk)
    fresh = article_derive(Article.all_objects.get(pk=article.pk))
    assert {name: getattr(stored, name) for name in DERIVED_FIELDS} == fresh.fields()
    assert sorted(stored.mentioned_models.values_list("pk", flat=True)) == sorted(fresh.model_ids)
    assert sorted(stored.mentioned_articles.values_list("pk", flat=True)) == sorted(
        fresh.article_ids
    )
    pending = PendingReference.objects.filter(article=stored).values_list("kind", "slug")
    assert sorted(f"{kind}:{slug}" for kind, slug in pending) == fresh.missing
    return stored


@pytest.fixture
def body(editor):
    """The body, and the catalog entry, article and image it names."""
    AIModelFactory(slug="llama-3", name="Llama 3")
    ArticleFactory(slug="target", title="The target")
    upload = SimpleUploadedFile("chart.png", image_bytes())
    image = image_ingest(Image(alt="A chart"), upload, user=editor)
    return BODY.format(image=image.pk, words="word " * 600)


def test_the_body_derives_everything_it_names(body):
    article = ArticleFactory(body=body)
    stored = assert_derived(article)
    assert 'href="/models/llama-3/"' in stored.body_html
    assert ">The target</a>" in stored.body_html
    assert "srcset=" in stored.body_html and stored.toc_html and stored.heading_count == 3
    assert stored.reading_time == 3
    assert article.missing_references == ["model:later"]


@pytest.fixture
def tags():
    """The tags the writes use, already there: a new row in the shared tag table is the
    catalog's news too (it bumps both halves from its own signal), not what is counted here."""
    return [Tag.objects.create(name=name, slug=name) for name in ("llm", "open")]


@pytest.mark.usefixtures("tags", "page_cache")
def test_admin_save(client, editor, body, announced):
    article = ArticleFactory(title="Before")
    reader = Client()
    assert "Before" in reader.get(article.get_absolute_url()).text
    assert reader.get(article.get_absolute_url())["X-Cache"] == "hit"
    client.force_login(editor)
    forget(announced)
    data = article_form_data(article, title="After", body=body, tags="llm, open")
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    assert_announced_once(announced, article.pk)
    page = reader.get(article.get_absolute_url())
    assert page["X-Cache"] == "miss" and "<title>After" in page.text
    stored = assert_derived(article)
    assert stored.version == article.version + 1
    entry = SearchEntry.objects.get(kind="article", object_id=article.pk)
    assert entry.title == "After" and entry.tags == "llm open"
    revision = Revision.objects.get(article=article, version=stored.version)
    assert revision.content["tags"] == ["llm", "open"] and revision.user == editor


def test_admin_add(client, editor, body, announced):
    client.force_login(editor)
    data = article_form_data(
        body=body, category=CategoryFactory().pk, author=editor.author_profile.pk
    )
    forget(announced)
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get(slug="a-fresh-explainer")
    assert_announced_once(announced, article.pk)
    assert_derived(article)
    assert Revision.objects.get(article=article).note == "Created"


def test_an_authors_first_article_and_byline_announce_once(client, announced):
    newcomer = make_user("newcomer", "Authors")  # no byline yet: the first save makes one
    category = CategoryFactory()
    client.force_login(newcomer)
    forget(announced)
    response = client.post(
        reverse("admin:articles_article_add"), article_form_data(category=category.pk)
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="a-fresh-explainer")
    assert article.author.user == newcomer and article.status == "draft"
    assert [halves for halves in announced["bump"] if "articles" in halves] == [("articles",)]
    assert announced["changed"] == [("article", [article.pk])]


def test_workflow_step(editor, body, announced):
    article = ArticleFactory(body=body, status="draft", published_at=None)
    Article.objects.filter(pk=article.pk).update(body_html="stale", toc_html="", reading_time=1)
    forget(announced)
    workflow.article_publish(article, editor)
    assert_announced_once(announced, article.pk)
    stored = assert_derived(article)
    assert stored.body_html != "stale" and stored.is_published
    assert SearchEntry.objects.filter(kind="article", object_id=article.pk).exists()
    assert Revision.objects.get(article=article).note == "Published"


def test_bulk_workflow_action_announces_once(client, editor, announced):
    drafts = ArticleFactory.create_batch(3, status="draft", published_at=None)
    client.force_login(editor)
    forget(announced)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [a.pk for a in drafts]},
    )
    assert response.status_code == 302
    assert_announced_once(announced, *[a.pk for a in drafts])
    assert Article.objects.published().count() == 3


def test_revision_restore(editor, body, announced):
    # Not live: restoring a live article's revision makes draft changes (test_draft_changes).
    article = ArticleFactory(
        body="## Old\n\nJust words.\n", tags=["old"], status="draft", published_at=None
    )
    article_save(article, editor, note="Saved")
    old = Revision.objects.get(article=article)
    article.body = body
    article_save(article, editor, note="Saved", tags=["new"])
    Article.objects.filter(pk=article.pk).update(body_html="stale")
    forget(announced)
    new_revision = revision_restore(old, editor)
    assert_announced_once(announced, article.pk)
    stored = assert_derived(article)
    assert stored.body == "## Old\n\nJust words.\n" and "Just words" in stored.body_html
    assert [tag.name for tag in stored.tags.all()] == ["old"]
    assert new_revision.version == stored.version and new_revision.note.startswith("Restored")


@pytest.mark.usefixtures("tags")
def test_demo_load(tmp_path, body, announced):
    (tmp_path / "categories.json").write_text(
        json.dumps([{"slug": "ai", "name": "AI", "description": "About AI."}])
    )
    (tmp_path / "authors.json").write_text(
        json.dumps([{"slug": "ada", "name": "Ada", "bio": "Hi"}])
    )
    for slug in ("one", "two"):
        (tmp_path / f"{slug}.md").write_text(
            f"---\nslug: {slug}\ntitle: {slug.title()}\ndek: A dek.\ncategory: ai\nauthor: ada\n"
            f"status: published\npublished_at: 2025-01-02T03:04:05Z\ntags: llm; open\n---\n{body}"
        )
    forget(announced)
    assert load_demo_articles(tmp_path) == 2
    loaded = [Article.objects.get(slug=slug) for slug in ("one", "two")]
    assert_announced_once(announced, *[a.pk for a in loaded])
    for article in loaded:
        assert_derived(article)
        assert SearchEntry.objects.filter(kind="article", object_id=article.pk).exists()


def test_a_rerender_moves_neither_the_stamp_nor_the_version(body, announced):
    referencing = ArticleFactory(body=body)
    before = Article.objects.get(pk=referencing.pk)
    target = Article.objects.get(slug="target")
    target.title = "A new title"
    forget(announced)
    article_save(target)
    assert_announced_once(announced, target.pk, referencing.pk)  # one, covering both
    after = assert_derived(referencing)
    assert ">A new title</a>" in after.body_html
    assert (after.updated_at, after.version) == (before.updated_at, before.version)
    assert not Revision.objects.filter(article=referencing).exists()
    assert "A new title" in SearchEntry.objects.get(kind="article", object_id=after.pk).body


def test_a_due_rerender_is_announced_once_and_keeps_the_stamp(body, announced, monkeypatch):
    due = timezone.now() + timedelta(hours=1)
    ArticleFactory(slug="soon", title="Coming soon", published_at=due)
    referencing = ArticleFactory(body=body + "\n[[article:soon]]\n")
    before = Article.objects.get(pk=referencing.pk)
    assert before.rerender_at == due and "Coming soon" not in before.body_html
    later = due + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    forget(announced)
    references_refresh_if_due(before)
    assert_announced_once(announced, referencing.pk)
    after = assert_derived(referencing)
    assert ">Coming soon</a>" in after.body_html and after.rerender_at is None
    assert (after.updated_at, after.version) == (before.updated_at, before.version)


def test_an_unchanged_rerender_writes_and_announces_nothing(body, announced):
    referencing = ArticleFactory(body=body)
    before = Article.objects.get(pk=referencing.pk)
    forget(announced)
    assert references_refresh_if_due(before) is before  # not due: no query, no write
    assert article_rerender([before]) == []
    assert announced["bump"] == [] and announced["changed"] == []


def test_a_refused_write_stores_and_announces_nothing(announced):
    article = ArticleFactory(title="Kept")
    forget(announced)
    article.title, article.status, article.published_at = "Lost", "published", None
    with pytest.raises(ValidationError, match="needs a publication time"):
        article_save(article)
    stored = Article.objects.get(pk=article.pk)
    assert stored.title == "Kept" and stored.version == 1
    assert announced["bump"] == [] and announced["changed"] == []


def test_a_slug_held_in_the_trash_is_refused_by_every_path(editor):
    trashed = ArticleFactory(slug="taken")
    workflow.article_trash(trashed, editor)
    with pytest.raises(ValidationError, match="in the trash uses this slug"):
        ArticleFactory(slug="taken")


@pytest.mark.parametrize("model", [Article, Category, Author, Image, TagDescription, Revision])
def test_the_apps_own_writes_need_no_signal(model):
    """Article-side rows announce from their write path (articles/writes.py, announce.py)."""
    for signal in (post_save, pre_delete, post_delete):
        assert not signal.has_listeners(model), (signal, model)


def test_the_announced_search_kind_is_the_articles_kind():
    assert announce.ARTICLE == SearchEntry.Kind.ARTICLE


@pytest.mark.usefixtures("page_cache")
def test_saving_a_category_invalidates_pages_and_relabels_entries(client, announced):
    category = CategoryFactory(name="Explainers")
    article = ArticleFactory(category=category)
    assert "Explainers" in client.get(article.get_absolute_url()).text
    announced["bump"].clear()
    category.name = "Deep dives"
    category.save()
    assert [halves for halves in announced["bump"] if "articles" in halves] == [("articles",)]
    assert "Deep dives" in client.get(article.get_absolute_url()).text
    assert SearchEntry.objects.get(kind="article", object_id=article.pk).label == "Deep dives"


def test_deleting_several_categories_in_the_admin_announces_once(client, editor, announced):
    empty = CategoryFactory.create_batch(3)
    client.force_login(editor)
    announced["bump"].clear()
    response = client.post(
        reverse("admin:articles_category_changelist"),
        {"action": "delete_selected", "_selected_action": [c.pk for c in empty], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Category.objects.filter(pk__in=[c.pk for c in empty]).exists()
    assert [halves for halves in announced["bump"] if "articles" in halves] == [("articles",)]


# -- Restore from a backup: the same derivation and checks in bulk, one announcement ---------


def _backed_up(tmp_path, change, sign=True):
    """A backup of the site as it is, with `change(rows)` applied to its data.json (signed
    again, as if this site had written it, unless `sign` is false)."""
    path = tmp_path / "site.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    members = with_rows(read_members(path), change)
    return write_members(path, resigned(members) if sign else members)


def _article_rows(rows, pk, **fields):
    for row in rows:
        if row["model"] == "articles.article" and row["pk"] == pk:
            row["fields"].update(fields)
    return rows


@pytest.mark.django_db(transaction=True)
def test_an_unverified_restore_derives_every_body_again_and_announces_once(
    tmp_path, body, announced
):
    live = ArticleFactory(slug="live", body=body, tags=["llm"])
    forged = "<p>Forged</p><script>alert(1)</script>"
    change = lambda rows: _article_rows(rows, live.pk, body_html=forged)  # noqa: E731
    path = _backed_up(tmp_path, change, sign=False)
    forget(announced)
    out = io.StringIO()
    call_command("restore", str(path), replace=True, allow_unverified=True, stdout=out, stderr=out)
    stored = assert_derived(live)
    assert "Forged" not in stored.body_html and ">The target</a>" in stored.body_html
    assert announced["rebuild"] == 1 and announced["changed"] == []
    assert announced["bump"] == [()]  # every half, once
    assert SearchEntry.objects.filter(kind="article", object_id=live.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_verified_restore_renders_again_the_bodies_that_came_due(tmp_path, monkeypatch):
    due = timezone.now() + timedelta(hours=1)
    ArticleFactory(slug="soon", title="Coming soon", published_at=due)
    waiting = ArticleFactory(body="Read [[article:soon]].")
    kept = ArticleFactory(body="## Kept\n\nAs it was rendered.\n")
    path = _backed_up(tmp_path, lambda rows: rows)
    monkeypatch.setattr(timezone, "now", lambda: due + timedelta(seconds=1))
    call_command("restore", str(path), replace=True, stdout=io.StringIO())
    assert ">Coming soon</a>" in assert_derived(waiting).body_html
    assert Article.objects.get(pk=waiting.pk).rerender_at is None
    assert_derived(kept)


@pytest.mark.django_db(transaction=True)
def test_restore_checks_every_articles_fields(tmp_path):
    live = ArticleFactory(slug="live", title="Kept")
    path = _backed_up(tmp_path, lambda rows: _article_rows(rows, live.pk, status="bogus"))
    with pytest.raises(CommandError, match=f"article {live.pk}: status: .*not a valid choice"):
        call_command("restore", str(path), replace=True, stdout=io.StringIO())
    assert Article.objects.get(pk=live.pk).title == "Kept"  # --replace: all or nothing


@pytest.mark.django_db(transaction=True)  # as it runs: SQLite takes its PRAGMAs outside one
def test_generate_site_derives_bodies_as_the_write_path_does(announced, capsys):
    call_command("generate_site", articles=30, models=5, tags=10, authors=2, categories=2)
    assert "Generated 30 articles" in capsys.readouterr().out
    for article in Article.all_objects.order_by("pk")[:5]:
        stored = assert_derived(article)
        assert stored.heading_count == 7 and "<table>" in stored.body_html
    assert announced["rebuild"] == 1 and announced["bump"] == [()]
    published = Article.objects.filter(status="published").count()
    assert SearchEntry.objects.filter(kind="article").count() == published > 0
