"""One rule for text entering the database (issue 12, item 2): config/lib/text.py.

Names, titles, slugs, tags, URLs (every CharField) are refused by forms when they hold a
control character, a lone surrogate, a non-character or a direction override; long text
(every TextField) has those stripped. Every other path (save(), taggit writes) strips them.
"""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, models
from django.forms import modelform_factory
from taggit.models import Tag

from articles.models import Article, Category
from config.lib import text
from config.lib.tagging import normalize_tag_name, parse_tags
from models_catalog.models import AIModel
from tests.articles.helpers import article_form_data
from tests.factories import (
    AIModelFactory,
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    LicenseFactory,
    OrganizationFactory,
)
from tests.users import make_editor

# Controls of every range (C0, DEL, C1), a lone surrogate (only JSON can carry one) and a
# non-character; NUL is Django's own business in forms (the middleware answers 400).
CONTROLS = ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\ufffe"]
BIDI = ["\u202a", "\u202e", "\u2066", "\u2069"]
GUARDED_MODELS = [
    "articles.Category", "articles.Author", "articles.Image", "articles.Article",
    "articles.Revision", "articles.TagDescription", "models_catalog.Organization",
    "models_catalog.License", "models_catalog.AIModel", "models_catalog.OpennessGrade",
]  # fmt: skip


@pytest.mark.parametrize("char", CONTROLS + ["\x00"], ids=repr)
def test_controls_are_stripped_from_both_kinds(char):
    for kind in (text.LINE, text.TEXT):
        assert text.clean(f"a{char}b", kind) == "ab"
        assert text.problem(f"a{char}b", kind).startswith(f"Contains U+{ord(char):04X}")


@pytest.mark.parametrize("char", BIDI, ids=repr)
def test_direction_overrides_are_refused_in_names_only(char):
    assert text.problem(f"txt{char}exe.doc", text.LINE) is not None
    assert text.clean(f"txt{char}exe.doc", text.LINE) == "txtexe.doc"
    assert text.clean(f"a{char}b", text.TEXT) == f"a{char}b"


@pytest.mark.parametrize("kind", [text.LINE, text.TEXT])
def test_ordinary_text_passes_untouched(kind):
    for value in ["Tab\tand\nnewline", "مرحبا بالعالم", "🤖 émoji", "a\u200fb", "x\u00a0y"]:
        assert text.problem(value, kind) is None
        assert text.clean(value, kind) == value
    assert text.clean("one\r\ntwo\rthree", kind) == "one\ntwo\nthree"


def guarded_fields(kind):
    return [
        pytest.param(label, field.name, id=f"{label}.{field.name}")
        for label in GUARDED_MODELS
        for field, found in text.text_fields(apps.get_model(label))
        if found == kind and field.editable and not field.choices
    ]


@pytest.mark.parametrize(("label", "name"), guarded_fields(text.LINE))
@pytest.mark.parametrize("char", ["\x01", "\x85", "\ud800", "\u202e"], ids=repr)
def test_model_forms_refuse_forbidden_characters_in_every_name_field(label, name, char):
    model = apps.get_model(label)
    form = modelform_factory(model, fields=[name])({name: f"ab{char}cd"})
    assert not form.is_valid()
    # Slugs and URLs are refused by their own validators first ("Enter a valid URL.").
    if type(model._meta.get_field(name)) is models.CharField and name != "country":
        assert f"U+{ord(char):04X}" in " ".join(form.errors[name])
    else:
        assert form.errors[name]


@pytest.mark.parametrize(("label", "name"), guarded_fields(text.TEXT))
@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x9f", "\ud800"], ids=repr)
def test_model_forms_strip_forbidden_characters_from_every_long_text(label, name, char):
    form = modelform_factory(apps.get_model(label), fields=[name])({name: f"ab{char}\r\ncd"})
    form.is_valid()
    assert name not in form.errors
    assert getattr(form.instance, name) == "ab\ncd"


@pytest.fixture
def editor(client, db):
    user = make_editor()
    client.force_login(user)
    return user


def saved_objects():
    article = ArticleFactory()
    model = AIModelFactory(grades={"license": "open"})
    return [
        CategoryFactory(),
        AuthorFactory(),
        article,
        article.revisions.create(version=1, content={}),
        OrganizationFactory(),
        LicenseFactory(),
        model,
        model.openness_grades.get(),
    ]


DERIVED_ON_SAVE = {"slug", "input_modalities", "output_modalities"}


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x01", "\x0c", "\x7f", "\x85", "\u2066"], ids=repr)
def test_save_strips_whatever_path_wrote_the_value(char):
    for obj in saved_objects():
        fields = [
            (f, kind)
            for f, kind in text.text_fields(type(obj))
            if f.editable and not f.choices and f.name not in DERIVED_ON_SAVE
        ]
        for field, _ in fields:
            setattr(obj, field.attname, f"v{char}w")
        obj.save()
        obj.refresh_from_db()
        for field, kind in fields:
            expected = "vw" if kind == text.LINE or char != "\u2066" else f"v{char}w"
            assert getattr(obj, field.attname) == expected, (obj, field.name)


@pytest.mark.parametrize("char", CONTROLS + BIDI, ids=repr)
def test_the_tag_field_refuses_and_names_the_tag(char):
    with pytest.raises(Exception) as raised:
        parse_tags(f"llm, ctl{char}tag, open")
    assert "“ctltag”" in str(raised.value.messages[0])
    assert f"U+{ord(char):04X}" in str(raised.value.messages[0])
    assert normalize_tag_name(f"ctl{char}tag") == "ctltag"


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x85", "\u202e"], ids=repr)
def test_taggit_writes_store_clean_names(char):
    article = ArticleFactory(tags=[f"ctl{char}tag"])
    AIModelFactory(tags=[f"CTL{char}TAG", "other"])
    Tag.objects.create(name=f"raw{char}create", slug="raw")
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["ctltag", "other", "rawcreate"]
    assert [t.name for t in article.tags.all()] == ["ctltag"]


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x01", "\x9f", "\u2066"], ids=repr)
def test_admin_article_form_refuses_and_keeps_nothing(client, editor, char):
    data = article_form_data(
        title=f"Bad{char}title",
        category=CategoryFactory().pk,
        author=AuthorFactory().pk,
        tags=f"fine, ctl{char}tag",
    )
    response = client.post("/admin/articles/article/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"title", "tags"}
    assert not Article.all_objects.exists() and not Tag.objects.exists()


@pytest.mark.django_db
def test_admin_article_form_strips_long_text(client, editor):
    data = article_form_data(
        category=CategoryFactory().pk, author=AuthorFactory().pk, dek="A\x1bB", body="x\x0cy"
    )
    assert client.post("/admin/articles/article/add/", data).status_code == 302
    assert Article.objects.values_list("dek", "body").get() == ("AB", "xy")


@pytest.mark.django_db
def test_admin_tag_category_and_model_forms_refuse(client, editor):
    tag = Tag.objects.create(name="fine", slug="fine")
    response = client.post(f"/admin/taggit/tag/{tag.pk}/change/", tag_form("ctl\x01tag"))
    assert "U+0001" in str(response.context["adminform"].form.errors["name"])
    response = client.post("/admin/articles/category/add/", {"name": "x\u202ey", "slug": "x"})
    assert "U+202E" in str(response.context["adminform"].form.errors["name"])
    response = client.post("/admin/models_catalog/aimodel/add/", model_form("Llama\x01"))
    assert "U+0001" in str(response.context["adminform"].form.errors["name"])
    assert Tag.objects.get().name == "fine"
    assert not Category.objects.exists() and not AIModel.objects.exists()


def tag_form(name):
    return {
        "name": name,
        "slug": "fine",
        "description-TOTAL_FORMS": "1",
        "description-INITIAL_FORMS": "0",
        "description-MIN_NUM_FORMS": "0",
        "description-MAX_NUM_FORMS": "1",
        "description-0-description": "",
    }


def model_form(name):
    return {
        "name": name,
        "slug": "llama",
        "kind": "language",
        "price_points-TOTAL_FORMS": "0",
        "price_points-INITIAL_FORMS": "0",
        "openness_grades-TOTAL_FORMS": "0",
        "openness_grades-INITIAL_FORMS": "0",
        "openness_grades-MIN_NUM_FORMS": "0",
        "openness_grades-MAX_NUM_FORMS": "14",
    }


def run_data_migrations():
    for module in ("articles.migrations.0013_clean_stored_text",
                   "models_catalog.migrations.0005_clean_stored_text"):  # fmt: skip
        importlib.import_module(module).clean_rows(apps, SimpleNamespace(connection=connection))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x85", "\u202e"], ids=repr
)
def test_the_data_migration_cleans_rows_stored_before_the_rule(char):
    if char == "\x00" and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store NUL")
    article = ArticleFactory(tags=["ctl"])
    model = AIModelFactory(grades={"license": "open"})
    bad = f"x{char}y\r\nz"
    Article.objects.filter(pk=article.pk).update(title=bad, body=bad)
    Category.objects.filter(pk=article.category_id).update(name=bad, description=bad)
    Tag.objects.filter(name="ctl").update(name=bad)
    AIModel.objects.filter(pk=model.pk).update(name=bad, summary=bad, homepage_url=bad)
    model.openness_grades.update(notes=bad)
    run_data_migrations()
    kept = "x\u202ey\nz" if char == "\u202e" else "xy\nz"  # long text keeps a direction mark
    assert Article.objects.values_list("title", "body").get() == ("xy\nz", kept)
    assert Category.objects.values_list("name", "description").get() == ("xy\nz", kept)
    assert Tag.objects.get().name == "xy\nz"
    assert AIModel.objects.values_list("name", "summary", "homepage_url").get() == (
        "xy\nz", kept, "xy\nz",
    )  # fmt: skip
    assert model.openness_grades.get().notes == kept


@pytest.mark.django_db
def test_the_data_migration_keeps_both_rows_when_cleaning_would_collide():
    Tag.objects.create(name="ab", slug="ab")
    clash = Tag.objects.create(name="placeholder", slug="clash")
    Tag.objects.filter(pk=clash.pk).update(name="A\x01B")  # LOWER(name) is unique
    run_data_migrations()
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["A\ufffdB", "ab"]
