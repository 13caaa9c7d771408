"""Kept parts of pages (issue 18, item 3: cheap renders; config/lib/fragments.py).

With the page cache off, the article, model, tag, home and catalog pages reuse the parts an
earlier render built (cards, an article's main column, a model's fact sheet) and query only
for what tells them which parts to show; a write rebuilds exactly the parts that show what
it changed, so no reader sees a part older than a write. Previews and ?as_of pages never
read or fill them."""

from datetime import date, timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from articles.backoffice.preview import share_url
from articles.models import Article
from articles.writes import article_save
from config.lib import dependencies, fragments
from models_catalog import writes as catalog_writes
from models_catalog.changes import WriteContext
from models_catalog.models import PricePoint
from tests.factories import AIModelFactory, ArticleFactory, CategoryFactory
from tests.users import make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Every page rendered by its view (what a signed-in reader, or a cache miss, costs)."""
    settings.PAGE_CACHE = False
    caches["default"].clear()


@pytest.fixture
def site():
    old = timezone.now() - timedelta(days=30)
    model = AIModelFactory(name="Sparse One", slug="sparse-one", tags=["alpha"])
    a = ArticleFactory(
        title="Article A", published_at=old, tags=["alpha"], body="About [[model:sparse-one]]."
    )
    for n in range(5):
        ArticleFactory(published_at=old + timedelta(days=n + 1), tags=["alpha"])
    b = ArticleFactory(title="Article B", category=CategoryFactory(), tags=["beta"])
    return a, b, model


def text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def pages(a, b, model):
    return [
        a.get_absolute_url(),
        b.get_absolute_url(),
        "/",
        "/tags/alpha/",
        model.get_absolute_url(),
        "/models/",
        a.category.get_absolute_url(),
    ]


def test_a_second_render_reuses_the_parts_and_shows_the_same(client, site):
    a, b, model = site
    for url in pages(a, b, model):
        first = text(client, url)
        assert text(client, url) == first, url
    # Kept: only what says which parts to show is read (the article and its tags, the
    # page's ids and counts), whatever the page shows.
    budgets = {a.get_absolute_url(): 2, "/": 2, "/tags/alpha/": 2}
    budgets |= {model.get_absolute_url(): 1, "/models/": 1}
    for url, budget in budgets.items():
        assert queries(client, url) <= budget, url


def test_editing_a_body_rebuilds_that_article_only(client, site):
    a, b, model = site
    for url in pages(a, b, model):
        text(client, url)
    a.body = "A new paragraph about sparse models."
    a.title = "Article A, revised"
    article_save(a)
    assert "A new paragraph about sparse models." in text(client, a.get_absolute_url())
    for url in ("/", "/tags/alpha/", a.category.get_absolute_url()):
        assert "Article A, revised" in text(client, url), url  # its cards
    warm_b = queries(client, b.get_absolute_url())
    caches["default"].clear()
    assert warm_b < queries(client, b.get_absolute_url())  # B's parts were still kept


def test_publishing_reaches_recent_posts_but_keeps_the_other_articles_main_part(client, site):
    a, b, model = site
    text(client, b.get_absolute_url())
    ArticleFactory(title="Fresh news", tags=["beta"])
    with CaptureQueriesContext(connection) as after_publish:
        page = text(client, b.get_absolute_url())
    assert "Fresh news" in page  # "Recent posts" and "Related" were built again
    assert "Fresh news" in text(client, "/")
    caches["default"].clear()
    with CaptureQueriesContext(connection) as cold:
        assert text(client, b.get_absolute_url()) == page
    assert len(after_publish) < len(cold)  # B's own part, meta tags and models were kept


def test_a_price_or_name_change_reaches_every_part_showing_the_model(client, site):
    a, b, model = site
    for url in pages(a, b, model):
        text(client, url)
    price = {"unit": "input-mtok", "amount": 7, "condition": "", "as_of": date(2026, 1, 1)}
    catalog_writes.aimodel_save(
        model,
        WriteContext(source="test"),
        related=lambda m: PricePoint.objects.create(aimodel=m, **price),
    )
    assert "$7" in text(client, model.get_absolute_url())
    model.name = "Sparse One Renamed"
    catalog_writes.aimodel_save(model, WriteContext(source="test"))
    for url in (a.get_absolute_url(), "/tags/alpha/", "/models/", model.get_absolute_url()):
        assert "Sparse One Renamed" in text(client, url), url


def test_renaming_a_tag_or_category_reaches_the_cards(client, site):
    a, b, model = site
    for url in pages(a, b, model):
        text(client, url)
    alpha = Tag.objects.get(name="alpha")
    alpha.name = "Alphabet"
    alpha.save()
    a.category.name = "Renamed section"
    a.category.save()
    for url in ("/", a.get_absolute_url(), "/models/", a.category.get_absolute_url()):
        page = text(client, url)
        assert "Alphabet" in page, url
    assert "Renamed section" in text(client, "/")


def test_a_scheduled_article_reaches_kept_lists_on_time(client, site):
    a, b, model = site
    ArticleFactory(title="Comes later", published_at=timezone.now() + timedelta(seconds=1))
    text(client, "/")
    assert "Comes later" not in text(client, b.get_absolute_url())
    Article.objects.filter(title="Comes later").update(published_at=timezone.now())
    dependencies.due_changed()  # as the clock passing the moment would make it due
    assert "Comes later" in text(client, "/")


def test_previews_never_read_or_fill_kept_parts(client, site):
    a, b, model = site
    editor = make_editor()
    text(client, a.get_absolute_url())
    a.body = "Secret draft wording."
    article_save(a, editor, tags=["alpha"], draft=True)
    preview = client.get(share_url(a))
    assert "Secret draft wording." in preview.content.decode()
    assert "Secret draft wording." not in text(client, a.get_absolute_url())


def test_as_of_pages_are_built_every_time_and_do_not_replace_the_kept_page(client, site):
    a, b, model = site
    model.release_date = date(2024, 1, 1)
    catalog_writes.aimodel_save(model, WriteContext(source="test"))
    current = text(client, model.get_absolute_url())
    past = client.get(model.get_absolute_url() + "?as_of=2024-06-01")
    assert past.status_code == 200
    assert text(client, model.get_absolute_url()) == current


def test_a_part_built_while_a_write_lands_is_not_kept():
    calls = []

    def build():
        calls.append(1)
        dependencies.invalidate(["article:1"])  # a write commits while the part renders
        return "old"

    assert fragments.kept("part", build, halves=("articles",)) == "old"
    assert fragments.kept("part", lambda: "new", halves=("articles",)) == "new"
    assert fragments.kept("part", lambda: "newer", halves=("articles",)) == "new"  # now kept


def test_a_kept_part_says_its_keys_to_the_page_around_it():
    with dependencies.recording():
        fragments.kept("part", lambda: _declaring("model:7"), halves=("catalog",))
    with dependencies.recording() as page:
        assert fragments.kept("part", lambda: "rebuilt", halves=("catalog",)) == "built"
    assert {"model:7", "half:catalog"} <= page.keys


def _declaring(key):
    dependencies.depends_on(key)
    return "built"


def test_a_value_that_fails_is_an_error_not_a_kept_part(client, site, monkeypatch):
    """The template engine turns errors in `{% if a or b %}` into False: a part built from a
    failed value must not be kept (nor the page), it is a 500."""
    from articles.public import views

    a, b, model = site
    monkeypatch.setattr(views, "article_neighbours", lambda article: 1 / 0)
    client.raise_request_exception = False
    assert client.get(a.get_absolute_url()).status_code == 500
    monkeypatch.undo()
    page = text(client, a.get_absolute_url())
    assert 'rel="next"' in page  # built again, with its neighbours


def test_the_catalog_keeps_its_page_ids_until_a_catalog_write(client, site):
    a, b, model = site
    text(client, "/models/?sort=name")
    assert queries(client, "/models/?sort=name") == 0  # ids, count, facets and cards kept
    AIModelFactory(name="Aardvark 1B")  # a row saved directly announces itself too
    assert "Aardvark 1B" in text(client, "/models/?sort=name")
