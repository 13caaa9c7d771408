"""One write path for catalog entries (models_catalog/writes.py): whichever way an entry is
written (the admin, its grade inline, an import, the demo loader), the same fields are
derived, cached pages of both halves are invalidated, and its search document is rewritten,
once. Each write reports what changed and who or what wrote it."""

import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from config.lib import cache, indexing
from models_catalog import writes
from models_catalog.changes import WriteContext
from models_catalog.entries import Entry, InvalidEntries
from models_catalog.models import (
    AIModel,
    License,
    OpennessGrade,
    Organization,
    derive_openness,
    describe,
)
from models_catalog.transfer.importer import import_file
from tests.factories import AIModelFactory, LicenseFactory, OrganizationFactory
from tests.users import make_editor

pytestmark = pytest.mark.django_db

DESCRIPTION = "A **sparse** model.\n\n- runs on one GPU\n- <script>alert(1)</script> stays text"
# api is shown but not scored (the index dropped it): two open of two scored, then a third.
GRADES = {"license": "open", "weights_basemodel": "open", "api": "partial", "paper": "partial"}


@pytest.fixture
def editor(client):
    user = make_editor()
    client.force_login(user)
    return user


def admin_form(model=None, grades=None, **fields):
    """POST data for the AI model admin form, with `grades` as the inline's rows."""
    data = {
        "name": "Sparse 7B",
        "slug": "sparse-7b",
        "kind": "language",
        "weights": "open",
        "description": DESCRIPTION,
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        **fields,
    }
    stored = {g.dimension: g for g in model.openness_grades.all()} if model else {}
    rows = grades if grades is not None else {}
    data.update(
        {
            "price_points-TOTAL_FORMS": "0",
            "price_points-INITIAL_FORMS": "0",
            "openness_grades-TOTAL_FORMS": str(len(rows)),
            "openness_grades-INITIAL_FORMS": str(len(stored)),
            "openness_grades-MIN_NUM_FORMS": "0",
            "openness_grades-MAX_NUM_FORMS": "14",
        }
    )
    for n, (dimension, grade) in enumerate(rows.items()):
        prefix = f"openness_grades-{n}-"
        data.update({prefix + "dimension": dimension, prefix + "grade": grade})
        if dimension in stored:
            data.update({prefix + "id": str(stored[dimension].pk), prefix + "aimodel": model.pk})
    return data


def assert_derived(model):
    """The stored derived fields agree with what they derive from."""
    model = AIModel.objects.prefetch_related("openness_grades").get(pk=model.pk)
    assert model.description_html == describe(model.description)
    expected = derive_openness(model.grade_map(), model.weights)
    assert (model.openness_score, model.openness_class) == expected
    return model


class Announcements:
    """Records what writes announce: generations of both halves, and search re-indexing."""

    def __init__(self):
        self.before = cache.current_generations(("articles", "catalog"))
        self.changed = mock.patch.object(indexing, "changed", wraps=indexing.changed)

    def __enter__(self):
        self.calls = self.changed.__enter__()
        return self

    def __exit__(self, *exc):
        self.changed.__exit__(*exc)

    @property
    def reindexed(self):
        return [sorted(c.args[1]) for c in self.calls.call_args_list if c.args[0] == "model"]

    def assert_announced(self, pks):
        after = cache.current_generations(("articles", "catalog"))
        assert after[0] != self.before[0] and after[1] != self.before[1], "cache not bumped"
        reindexed = self.reindexed
        # Once, with exactly these entries (not at all when no entry shows the change).
        assert reindexed == ([sorted(pks)] if pks else []), reindexed


def found(client, words, slug):
    """Whether a site search for `words` lists the entry `slug`."""
    page = client.get("/search/", {"q": words}).content.decode()
    return f'href="/models/{slug}/"' in page


def test_admin_add_derives_and_announces_once(client, editor):
    with Announcements() as announced:
        response = client.post(
            reverse("admin:models_catalog_aimodel_add"), admin_form(grades=GRADES)
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    model = assert_derived(AIModel.objects.get(slug="sparse-7b"))
    assert "<strong>sparse</strong>" in model.description_html
    assert "<script>" not in model.description_html
    assert (model.openness_score, model.openness_class) == (83, "open-weights")
    announced.assert_announced([model.pk])
    assert found(client, "sparse", "sparse-7b")


def test_admin_inline_grade_change_derives_and_announces_once(client, editor):
    model = AIModelFactory(slug="sparse-7b", weights="open", grades={"license": "partial"})
    url = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    all_open = dict.fromkeys(["license", "weights_basemodel", "trainingcode"], "open")
    data = admin_form(model, grades={**all_open, "datasources_basemodel": "open"})
    with Announcements() as announced:
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    model = assert_derived(model)
    assert (model.openness_score, model.openness_class) == (100, "open-source")
    assert OpennessGrade.objects.filter(aimodel=model).count() == 4
    announced.assert_announced([model.pk])


def test_import_derives_and_announces_once(client, tmp_path):
    row = {"name": "Sparse 7B", "weights": "open", "description": DESCRIPTION, "openness": GRADES}
    path = tmp_path / "models.json"
    path.write_text(json.dumps([row, dict(row, name="Dense 7B", weights="closed")]))
    with Announcements() as announced:
        result = import_file(path)
    assert result.created == 2
    models = [assert_derived(model) for model in AIModel.objects.order_by("name")]
    assert [(m.openness_score, m.openness_class) for m in models] == [
        (83, "closed"),
        (83, "open-weights"),
    ]
    announced.assert_announced([m.pk for m in models])
    assert found(client, "dense", "dense-7b")


def test_demo_load_derives_and_announces_once(client):
    with Announcements() as announced:
        call_command("load_demo_catalog", verbosity=0)
    models = list(AIModel.objects.all())
    assert len(models) >= 25
    for model in models:
        assert_derived(model)
    announced.assert_announced([m.pk for m in models])
    assert found(client, "llama 405b", "llama-3-1-405b")


def test_every_path_derives_the_same_fields(client, editor, tmp_path):
    """The same facts through the admin, an import and a direct save store the same values."""
    client.post(reverse("admin:models_catalog_aimodel_add"), admin_form(grades=GRADES))
    row = {"name": "Imported", "slug": "imported", "weights": "open", "description": DESCRIPTION}
    (tmp_path / "m.json").write_text(json.dumps([dict(row, openness=GRADES)]))
    import_file(tmp_path / "m.json")
    AIModelFactory(slug="saved", weights="open", description=DESCRIPTION, grades=GRADES)
    stored = AIModel.objects.values_list("description_html", "openness_score", "openness_class")
    assert len(set(stored)) == 1 and len(stored) == 3


def test_a_write_reports_what_changed_and_who_wrote_it(client, editor, tmp_path):
    model = AIModelFactory(slug="sparse-7b", name="Sparse 7B", weights="open", context_window=8)
    url = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    data = admin_form(model, grades={"paper": "open"}, context_window="32", input_modalities=[])
    with mock.patch.object(writes, "_finish", wraps=writes._finish) as finish:
        client.post(url, data)
    (change,), context = finish.call_args.args
    assert (context.source, context.actor) == ("admin", editor)
    assert change.fields["context_window"] == (8, 32)
    assert change.fields["input_modalities"] == (("text",), ())
    assert change.fields["openness.paper"] == (None, ("open", "", ""))
    assert change.fields["openness_score"] == (None, 100)
    assert "name" not in change.fields and not change.created

    path = tmp_path / "update.json"
    path.write_text(json.dumps([{"name": "Sparse 7B", "slug": "sparse-7b", "weights": "gated"}]))
    with mock.patch.object(writes, "_finish", wraps=writes._finish) as finish:
        result = import_file(path)
    (change,), context = finish.call_args.args
    assert context.source == "import:update.json" and context.actor is None
    assert change.fields["weights"] == ("open", "gated") and result.changes == [change]


def test_rewriting_the_same_facts_changes_and_announces_nothing(tmp_path):
    path = tmp_path / "models.json"
    path.write_text(json.dumps([{"name": "Sparse 7B", "tags": "LLM", "openness": GRADES}]))
    import_file(path)
    with Announcements() as announced, mock.patch.object(writes.entries_imported, "send") as sent:
        result = import_file(path)
    assert result.changes[0].fields == {} and not result.changes[0].changed
    assert announced.reindexed == []
    assert sent.call_args.kwargs["pks"] == []


def test_admin_delete_goes_through_the_write_path(client, editor):
    model = AIModelFactory(slug="gone", tags=["LLM"])
    with Announcements() as announced:
        response = client.post(
            reverse("admin:models_catalog_aimodel_delete", args=[model.pk]), {"post": "yes"}
        )
    assert response.status_code == 302 and not AIModel.objects.exists()
    announced.assert_announced([model.pk])


def test_organisation_and_licence_saves_announce_once(client, editor):
    organization, licence = OrganizationFactory(name="Meta"), LicenseFactory(name="Custom")
    model = AIModelFactory(organization=organization, license=licence)
    url = reverse("admin:models_catalog_organization_change", args=[organization.pk])
    with Announcements() as announced:
        response = client.post(url, {"name": "Meta AI", "slug": organization.slug})
    assert response.status_code == 302, response.context["adminform"].form.errors
    announced.assert_announced([model.pk])  # its search document names the organisation
    assert found(client, "meta ai", model.slug)
    url = reverse("admin:models_catalog_license_change", args=[licence.pk])
    data = {"name": "Custom 2", "kind": "permissive", "commercial_use": "true"}
    with Announcements() as announced:
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    announced.assert_announced([])  # pages show the licence; search documents do not


def test_bulk_writes_refuse_what_the_models_refuse():
    entry = Entry(slug="bad", values={"name": "Bad", "kind": "spaceship", "weights": ""})
    with pytest.raises(InvalidEntries) as refused:
        writes.entries_write([entry], WriteContext(source="test"))
    assert "Unknown kind 'spaceship'" in refused.value.problems["bad"]["kind"][0]
    assert not AIModel.objects.exists()


def test_writes_from_outside_the_write_path_are_still_announced(client):
    """A shell or another app saving a row directly: signals.py announces it."""
    model = AIModelFactory(name="Plain save")
    with Announcements() as announced:
        model.name = "Plain save, renamed"
        model.save()
    announced.assert_announced([model.pk])
    assert found(client, "renamed", model.slug)


@pytest.mark.parametrize("model", [AIModel, Organization, License, OpennessGrade])
def test_the_catalogs_own_rows_need_no_signal_of_its_own(model):
    """Its writes announce themselves: the only save/delete receivers are other apps'."""
    for signal in (post_save, post_delete):
        receivers = signal._live_receivers(model)[0]  # (sync, async); no public list
        assert not [r for r in receivers if r.__module__.startswith("models_catalog")], signal
