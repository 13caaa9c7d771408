"""Every admin URL, with hostile ids and junk query strings, never answers a server error.

The URLs are read from the admin site itself (the site's own views and every registered
ModelAdmin's, custom views included), so a view added later is walked without anyone listing
it here. Each is asked for as a superuser and as an author, with GET and POST, and must
answer below 500: a missing or malformed id is "does not exist" (a redirect or a 404), a
junk filter is the changelist's own "invalid parameters" redirect, and a user without the
right gets 403 or a redirect.
"""

import re
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, reverse

from articles.backoffice.images import image_ingest
from articles.backoffice.revisions import revision_create
from articles.models import Article, Image
from config.admin_site import HostileInputMixin, clean_pk
from tests.articles.helpers import image_bytes
from tests.factories import AIModelFactory, ArticleFactory
from tests.users import make_author, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
ADMIN = reverse("admin:index")
LOGOUT = reverse("admin:logout")
HUGE = "99999999999999999999999"
HOSTILE_IDS = [
    "abc",
    "-1",
    "0",
    HUGE,
    "-" + HUGE,
    "1.5",
    "1e3",
    "01",
    " 1",
    "١",  # an Arabic-Indic digit one: Python's int() reads it as 1
    "_5F_2Fx",  # the admin's own quoting of "_/x"
    "1/extra/junk",
    "é" * 300,
    "424242",  # well-formed, but no row has it
]
# Values for every parameter a changelist's own links use: filters, dates, ordering, facets.
HOSTILE_VALUES = ["zzz", "-1", HUGE, "1.5", "abc.-3.x", "", "١", "x" * 2000, "\u202eevil\u0001"]
# Query strings for views that take no id: pages, ordering, search, popups, compare ids.
HOSTILE_QUERIES = [
    {"p": "-1"},
    {"p": HUGE},
    {"o": "abc"},
    {"o": "99.-3.1.x"},
    {"all": "", "p": "abc"},
    {"q": "é" * 500},
    {"e": "1", "_popup": "1"},
    {"_to_field": "id", "_popup": "1"},
    {"a": "abc", "b": HUGE},
    {"a": "-1", "b": "١"},
    {"zzz__in": "1,2", "status": "zzz", "state": "zzz"},
]
_CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")
_QUERY_LINK = re.compile(r'href="\?([^"]*)"')


def admin_sections():
    """{prefix: [route]}: the site's own routes under "", each ModelAdmin's under its prefix."""
    sections = {"": []}
    for entry in admin.site.get_urls():
        if isinstance(entry, URLResolver):
            prefix = str(entry.pattern)
            sections[prefix] = [prefix + str(p.pattern) for p in entry.url_patterns]
        elif isinstance(entry, URLPattern) and not str(entry.pattern).startswith("^"):
            sections[""].append(str(entry.pattern))
    return sections


SECTIONS = admin_sections()


def test_the_walk_covers_every_registered_model_and_custom_view():
    registered = [model for model in apps.get_models() if admin.site.is_registered(model)]
    assert len(registered) >= 14
    for model in registered:
        assert f"{model._meta.app_label}/{model._meta.model_name}/" in SECTIONS
        assert isinstance(admin.site.get_model_admin(model), HostileInputMixin)
    routes = [route for section in SECTIONS.values() for route in section]
    for view in ("preview/", "revisions/compare/", "restore/", "suggest/", "empty/", "history/"):
        assert any(route.endswith(view) for route in routes), view


@pytest.fixture
def world(db):
    """One of each thing the admin shows, a trashed and a deleted article, and two users."""
    author = make_author()
    article = ArticleFactory(tags=["Llama"], author=author.author_profile)
    revision_create(article, None, note="Created")
    ArticleFactory(title="In the trash").delete()
    gone = ArticleFactory()
    Article.all_objects.filter(pk=gone.pk).delete()
    AIModelFactory(tags=["Llama"])
    image_ingest(Image(alt="A square"), SimpleUploadedFile("a.png", image_bytes(size=(40, 30))))
    return {
        "superuser": make_user("root", superuser=True),
        "author": author,
        "ids": [*HOSTILE_IDS, str(gone.pk)],
        "article": article,
    }


def fill(route, value):
    """`route` with every converter set to `value` (an int converter takes digits only)."""

    def replace(match):
        if match["kind"] == "int":
            return value if value.isascii() and value.isdigit() else HUGE
        return quote(value, safe="/")

    return ADMIN + _CONVERTER.sub(replace, route)


def urls_to_try(routes, ids):
    for route in routes:
        if _CONVERTER.search(route):
            yield from (fill(route, object_id) for object_id in ids)
            yield fill(route, "1") + "extra/junk/"
        else:
            yield ADMIN + route
            yield ADMIN + route + "extra/junk/"
            yield from (f"{ADMIN}{route}?{urlencode(query)}" for query in HOSTILE_QUERIES)


def server_errors(client, urls, data=None, methods=("get", "post")):
    """[(method, url, status or exception)] for every answer of 500 or more."""
    failures = []
    for url in urls:
        for method in methods:
            if method == "post" and url.startswith(LOGOUT):
                continue  # it would end the session the rest of the walk runs in
            try:
                response = getattr(client, method)(url, data if method == "post" else None)
                status = response.status_code
            except Exception as error:  # noqa: BLE001 - reported with its URL below
                status = f"{type(error).__name__}: {error}"[:200]
            if not isinstance(status, int) or status >= 500:
                failures.append((method.upper(), url, status))
    return failures


def logged_in(user):
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["superuser", "author"])
@pytest.mark.parametrize("section", list(SECTIONS))
def test_no_admin_url_answers_500_to_a_hostile_id(world, role, section):
    client = logged_in(world[role])
    assert server_errors(client, list(urls_to_try(SECTIONS[section], world["ids"]))) == []
    assert client.get(ADMIN).status_code == 200  # still logged in: the walk was real


@pytest.mark.parametrize("role", ["superuser", "author"])
def test_an_existing_article_with_junk_queries_never_answers_500(world, role):
    client = logged_in(world[role])
    article_id = str(world["article"].pk)
    urls = [
        f"{fill(route, article_id)}?{urlencode(query)}"
        for route in SECTIONS["articles/article/"]
        if _CONVERTER.search(route)
        for query in HOSTILE_QUERIES
    ]
    assert server_errors(client, urls, methods=("get",)) == []


def changelist_parameters(client, changelist):
    """Every query parameter the changelist's own links use (filters, dates, ordering)."""
    names = set()
    for link in _QUERY_LINK.findall(client.get(changelist).content.decode()):
        names.update(name for name, _ in parse_qsl(link.replace("&amp;", "&")))
    return names


def changelists():
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in apps.get_models()
        if admin.site.is_registered(model)
    ]


@pytest.mark.parametrize("role", ["superuser", "author"])
def test_no_changelist_answers_500_to_junk_filters(world, role):
    superuser = logged_in(world["superuser"])
    client = logged_in(world[role])
    # A changelist this role may not see answers 403 before it reads any parameter: it is
    # asked for once, bare, and its junk is left to the roles that get past the door.
    every = changelists()
    shut = {url for url in every if client.get(url).status_code == 403}
    urls = [
        f"{changelist}?{urlencode({name: value})}"
        for changelist in every
        if changelist not in shut
        for name in sorted(changelist_parameters(superuser, changelist))
        for value in HOSTILE_VALUES
    ]
    # The links were found: filters, date hierarchy, ordering.
    assert len(urls) > (300 if role == "superuser" else 100)
    data = {"action": "zzz", "_selected_action": "abc"}
    assert server_errors(client, [*urls, *shut], data) == []


def test_actions_with_hostile_selections_never_answer_500(world):
    client = logged_in(world["superuser"])
    request = RequestFactory().get(ADMIN)
    request.user = world["superuser"]
    failures = []
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for action in admin.site.get_model_admin(model).get_actions(request):
            for object_id in world["ids"]:
                data = {"action": action, "_selected_action": object_id, "survivor": object_id}
                failures += server_errors(client, [changelist], data, methods=("post",))
    assert failures == []


def test_an_action_with_only_junk_ids_selects_nothing(world, client):
    client.force_login(world["superuser"])
    article = world["article"]
    changelist = reverse("admin:articles_article_changelist")
    data = {"action": "trash", "_selected_action": [HUGE, "abc", f" {article.pk}"]}
    response = client.post(changelist, data, follow=True)
    assert "Items must be selected" in response.content.decode()
    assert not Article.all_objects.get(pk=article.pk).is_trashed
    data["_selected_action"].append(str(article.pk))
    client.post(changelist, data)
    assert Article.all_objects.get(pk=article.pk).is_trashed  # a real id among junk still works


@pytest.mark.parametrize("value", ["abc", " 1", "01", "١", "+1", "1_0", HUGE, "-" + HUGE, ""])
def test_ids_the_admin_never_writes_are_missing(value):
    assert clean_pk(Article, value) is None


def test_ids_the_admin_writes_are_kept():
    assert clean_pk(Article, "1") == 1
    assert clean_pk(Article, "9223372036854775807") == 9223372036854775807


def test_history_of_a_junk_id_says_it_does_not_exist(world, client):
    client.force_login(world["superuser"])
    for object_id in ("abc", "1.5", HUGE, "١"):
        url = reverse("admin:articles_article_history", args=[object_id])
        response = client.get(url, follow=True)
        assert response.status_code == 200
        assert "doesn’t exist" in response.content.decode(), object_id


def test_the_real_history_still_opens(world, client):
    client.force_login(world["superuser"])
    article = world["article"]
    response = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert response.status_code == 200 and "Created" in response.content.decode()


@pytest.mark.parametrize("query", [{"a": "abc"}, {"a": "١"}, {"a": HUGE}, {"a": "1", "b": "-1"}])
def test_comparing_junk_revision_ids_asks_for_two_revisions(world, client, query):
    client.force_login(world["superuser"])
    url = reverse("admin:articles_article_compare", args=[world["article"].pk])
    response = client.get(url, query, follow=True)
    assert "Pick two revisions to compare." in response.content.decode()


def test_cleaning_up_expired_login_attempts_works(world, client):
    """django-axes' own action answered 500 whatever was selected."""
    from axes.models import AccessAttempt

    old = AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=3)
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time="2000-01-01T00:00:00Z")
    client.force_login(world["superuser"])
    changelist = reverse("admin:axes_accessattempt_changelist")
    data = {"action": "cleanup_expired_attempts", "_selected_action": old.pk}
    response = client.post(changelist, data, follow=True)
    assert response.status_code == 200
    assert "expired access attempts." in response.content.decode()
    assert not AccessAttempt.objects.filter(pk=old.pk).exists()
