"""Exact invalidation (issue 18, item 1): a write invalidates the pages that show what it
changed, and nothing else. Each test says which keys a write gives new versions to, and
checks on the pages themselves: the pages that show the change are rendered again (and show
it), an unrelated page is still a hit."""

import json
from datetime import date, timedelta

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from taggit.models import Tag

from articles.backoffice.tags import tag_merge
from articles.models import Article
from articles.writes import article_save
from config.lib import cache, dependencies
from config.lib.cache_keys import PageSpec
from models_catalog import writes as catalog_writes
from models_catalog.changes import WriteContext
from models_catalog.models import AIModel, PricePoint
from models_catalog.transfer.importer import import_file
from tests.factories import AIModelFactory, ArticleFactory, CategoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def state(client, url):
    return get(client, url)["X-Cache"]


@pytest.fixture
def site():
    """An old article A (tag "alpha"), five newer ones, and the newest, B (tag "beta", its own
    category): B's sidebars, neighbours and related lists do not show A."""
    old = timezone.now() - timedelta(days=30)
    a = ArticleFactory(title="Article A", published_at=old, tags=["alpha"])
    for n in range(5):
        ArticleFactory(published_at=old + timedelta(days=n + 1))
    b = ArticleFactory(title="Article B", category=CategoryFactory(), tags=["beta"])
    return a, b


def warm(client, *urls):
    for url in urls:
        get(client, url)
        assert state(client, url) == "hit", url


def test_editing_a_body_invalidates_the_article_and_its_lists_not_its_siblings(
    client, site, invalidated
):
    a, b = site
    alpha = Tag.objects.get(name="alpha")
    urls = [a.get_absolute_url(), b.get_absolute_url(), "/", "/tags/alpha/"]
    urls += [a.category.get_absolute_url(), b.category.get_absolute_url()]
    warm(client, *urls)
    invalidated.clear()
    a.body = "## Intro\n\nA new paragraph about sparse models.\n"
    article_save(a)
    assert len(invalidated) == 1, "one batch per write"
    keys = invalidated.keys()
    expected = {f"article:{a.pk}", "list:articles", f"list:category:{a.category_id}"}
    expected |= {f"list:author:{a.author_id}", f"list:tag:{alpha.pk}"}
    assert expected <= keys
    assert "order:articles" not in keys and f"tagged:{alpha.pk}" not in keys  # nothing moved
    assert f"article:{b.pk}" not in keys and "half:articles" not in keys
    page = get(client, a.get_absolute_url())
    assert page["X-Cache"] == "miss" and "sparse models" in page.content.decode()
    for url in ("/", "/tags/alpha/", a.category.get_absolute_url()):
        assert state(client, url) == "miss", url
    assert state(client, b.get_absolute_url()) == "hit"  # the sibling is not rendered again
    assert state(client, b.category.get_absolute_url()) == "hit"


def test_publishing_and_unpublishing_move_every_list_that_shows_it(client, site, invalidated):
    a, b = site
    draft = ArticleFactory(
        title="Fresh news", status=Article.Status.DRAFT, published_at=None, tags=["beta"]
    )
    warm(client, "/", b.get_absolute_url(), "/tags/beta/")
    invalidated.clear()
    draft.status, draft.published_at = Article.Status.PUBLISHED, timezone.now()
    article_save(draft)
    beta = Tag.objects.get(name="beta")
    keys = invalidated.keys()
    assert {"order:articles", f"tagged:{beta.pk}", f"list:tag:{beta.pk}", "list:articles"} <= keys
    for url in ("/", b.get_absolute_url(), "/tags/beta/"):  # B's "Recent posts" shows it now
        page = get(client, url)
        assert page["X-Cache"] == "miss" and "Fresh news" in page.content.decode(), url
    draft.status = Article.Status.DRAFT
    article_save(draft)
    for url in ("/", b.get_absolute_url(), "/tags/beta/"):
        assert "Fresh news" not in get(client, url).content.decode(), url


def test_editing_a_draft_invalidates_no_public_list(site, invalidated):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    invalidated.clear()
    draft.body = "Still a draft."
    article_save(draft)
    assert invalidated.keys() == {f"article:{draft.pk}"}  # and any:articles, always


def test_moving_an_article_to_another_category_leaves_the_old_list(client, site, invalidated):
    a, b = site
    old = a.category
    warm(client, old.get_absolute_url())
    invalidated.clear()
    a.category = b.category
    article_save(a)
    keys = invalidated.keys()
    assert {f"list:category:{old.pk}", f"list:category:{b.category_id}"} <= keys
    assert "Article A" not in get(client, old.get_absolute_url()).content.decode()


def test_renaming_and_merging_tags(client, site, invalidated):
    a, b = site
    alpha = Tag.objects.get(name="alpha")
    warm(client, a.get_absolute_url(), b.get_absolute_url(), "/tags/alpha/")
    invalidated.clear()
    alpha.name = "Alphabet"
    alpha.save()
    assert f"tag:{alpha.pk}" in invalidated.keys()
    assert "Alphabet" in get(client, a.get_absolute_url()).content.decode()
    assert state(client, b.get_absolute_url()) == "hit"
    warm(client, "/tags/beta/")
    invalidated.clear()
    beta = Tag.objects.get(name="beta")
    tag_merge(beta, [alpha])
    keys = invalidated.keys()
    assert {f"list:tag:{alpha.pk}", f"list:tag:{beta.pk}", f"article:{a.pk}"} <= keys
    assert "Article A" in get(client, "/tags/beta/").content.decode()


def test_renaming_a_category_reaches_its_articles_not_others(client, site, invalidated):
    a, b = site
    warm(client, a.get_absolute_url(), b.get_absolute_url())
    invalidated.clear()
    a.category.name = "Renamed section"
    a.category.save()
    keys = invalidated.keys()
    assert {f"category:{a.category_id}", f"list:category:{a.category_id}"} <= keys
    assert "half:articles" not in keys
    assert "Renamed section" in get(client, a.get_absolute_url()).content.decode()
    assert state(client, b.get_absolute_url()) == "hit"


def test_a_price_change_reaches_the_model_its_compares_and_articles_showing_it(
    client, site, invalidated
):
    a, b = site
    model = AIModelFactory(name="Sparse One", tags=["alpha"])
    other = AIModelFactory(name="Dense Two")
    compare = f"/models/compare/?m={model.slug}&m={other.slug}"
    urls = [model.get_absolute_url(), other.get_absolute_url(), compare]
    warm(client, *urls, a.get_absolute_url(), b.get_absolute_url())
    assert "Sparse One" in get(client, a.get_absolute_url()).content.decode()
    invalidated.clear()
    price = {"unit": "input-mtok", "amount": 7, "condition": "", "as_of": date(2026, 1, 1)}
    change = catalog_writes.aimodel_save(  # as the admin's price inline writes it
        model,
        WriteContext(source="test"),
        related=lambda m: PricePoint.objects.create(aimodel=m, **price),
    )
    assert set(change.fields) >= {"prices"}
    keys = invalidated.keys()
    assert {f"model:{model.pk}", "list:models"} <= keys
    assert "order:models" not in keys and "half:catalog" not in keys  # a price orders nothing
    for url in (model.get_absolute_url(), compare, a.get_absolute_url()):
        assert state(client, url) == "miss", url
    assert state(client, other.get_absolute_url()) == "hit"
    assert state(client, b.get_absolute_url()) == "hit"


def test_an_import_invalidates_in_one_batch(invalidated, tmp_path):
    rows = [{"name": f"Bulk {n}B", "weights": "open"} for n in range(3)]
    path = tmp_path / "models.json"
    path.write_text(json.dumps(rows))
    assert import_file(path).created == 3
    assert len(invalidated) == 1
    keys, halves = invalidated[0]
    assert {f"model:{pk}" for pk in AIModel.objects.values_list("pk", flat=True)} <= keys
    assert halves == ("articles", "catalog")


def test_a_page_that_declares_nothing_depends_on_every_write_of_its_half(client, site):
    a, _ = site
    warm(client, "/feed/")
    a.body = "Changed."
    article_save(a)
    assert state(client, "/feed/") == "miss"


def test_a_page_whose_view_declares_nothing_keeps_the_whole_half_whatever_its_parts_name():
    """A new page that only includes a panel naming keys (articles_about) is still safe."""
    request = RequestFactory().get("/new-page/")

    def respond():
        dependencies.also_depends_on("article:1")  # a template tag's panel
        return HttpResponse("a new page")

    cache._serve(request, PageSpec(("articles",)), "page:test-new", respond)
    assert caches["default"].get("page:test-new").keys == ("any:articles", "article:1")


def test_a_page_rendered_across_a_write_is_served_but_not_stored():
    request = RequestFactory().get("/somewhere/")

    def respond():
        cache.depends_on("article:1")
        dependencies.invalidate(["article:1"], ("articles",))  # lands while it renders
        return HttpResponse("built from the old rows")

    response = cache._serve(request, PageSpec(("articles",)), "page:test-race", respond)
    assert response["X-Cache"] == "miss"
    assert caches["default"].get("page:test-race") is None
    # Nor may an edge keep it: the write's purge may already have gone by.
    assert "no-store" in response["Cache-Control"] and "xkey" not in response


def test_a_hit_reads_the_versions_only_after_some_write(client, site, monkeypatch):
    a, b = site
    warm(client, b.get_absolute_url())
    reads = []
    real = dependencies.versions
    monkeypatch.setattr(
        dependencies, "versions", lambda *x, **kw: reads.append(x) or real(*x, **kw)
    )
    assert state(client, b.get_absolute_url()) == "hit" and reads == []  # one round trip
    a.body = "Elsewhere."
    article_save(a)
    reads.clear()
    assert state(client, b.get_absolute_url()) == "hit" and len(reads) == 1  # its keys, once
    reads.clear()
    assert state(client, b.get_absolute_url()) == "hit" and reads == []  # stamped again


def test_drafts_leave_the_pages_readers_see_alone_until_they_are_published(client, site):
    """A draft written, retagged, sent to review or trashed changes nothing a reader sees:
    the feed, search, the tag index and the sitemap stay hits; publishing it reaches them."""
    a, _ = site
    pages = ["/feed/", "/search/?q=article", "/tags/", "/sitemap.xml", "/"]
    warm(client, *pages)
    draft = ArticleFactory(
        title="Article draft",
        status=Article.Status.DRAFT,
        published_at=None,
        tags=["alpha"],
        category=a.category,  # not a new category or author: those are news of their own
        author=a.author,
    )
    draft.title = "Article draft, edited"
    article_save(draft, tags=["alpha", "gamma"])
    assert [state(client, url) for url in pages] == ["hit"] * len(pages)
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(minutes=1)
    article_save(draft)
    assert [state(client, url) for url in pages] == ["miss"] * len(pages)


def test_a_models_articles_panel_follows_the_articles_naming_it_not_every_publish(client, site):
    """The model page's "Articles about" panel changes when an article naming the model is
    published (its mentions were stored while it was a draft), not when others are."""
    a, _ = site
    model = AIModelFactory(name="Named One")
    draft = ArticleFactory(
        title="Naming it",
        body=f"About [[model:{model.slug}]] at length.",
        status=Article.Status.DRAFT,
        published_at=None,
        category=a.category,
        author=a.author,
    )
    page = model.get_absolute_url()
    warm(client, page)
    assert "Naming it" not in get(client, page).content.decode()
    ArticleFactory(title="Unrelated news", category=a.category, author=a.author)
    assert state(client, page) == "hit"  # a publish that names it not
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(minutes=1)
    article_save(draft)
    response = get(client, page)
    assert response["X-Cache"] == "miss" and "Naming it" in response.content.decode()


def test_a_draft_naming_a_model_leaves_its_page_alone(client, site, invalidated):
    """A draft's names show on no "Articles about" panel: saving a draft that names a catalog
    entry invalidates no page of it; a published article that comes to name it does."""
    a, _ = site
    model = AIModelFactory(name="Named Two")
    page = model.get_absolute_url()
    draft = ArticleFactory(
        title="Draft naming it",
        status=Article.Status.DRAFT,
        published_at=None,
        category=a.category,
        author=a.author,
    )
    warm(client, page)
    invalidated.clear()
    draft.body = f"Now about [[model:{model.slug}]]."
    article_save(draft)
    assert f"mentions:model:{model.pk}" not in invalidated.keys()
    assert state(client, page) == "hit"
    a.body = f"Also about [[model:{model.slug}]]."
    article_save(a)
    assert f"mentions:model:{model.pk}" in invalidated.keys()
    response = get(client, page)
    assert response["X-Cache"] == "miss" and "Article A" in response.content.decode()
