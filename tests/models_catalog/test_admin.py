import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from models_catalog.models import AIModel, OpennessGrade
from tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


def staff(username, *codenames, superuser=False):
    user = get_user_model().objects.create_user(
        username, password="pw", is_staff=True, is_superuser=superuser
    )
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="models_catalog", codename__in=codenames)
    )
    return user


@pytest.fixture
def model():
    return AIModelFactory(
        name="Llama 8B", weights="gated", tags=["LLM"], grades={"license": "partial"}
    )


def forged_post(model, **changes):
    grade = model.openness_grades.get()
    data = {
        "name": "Hacked",
        "slug": "hacked",
        "weights": "open",
        "kind": "image",
        "tags": "LLM, Open source",
        "price_points-TOTAL_FORMS": "0",
        "price_points-INITIAL_FORMS": "0",
        "openness_grades-TOTAL_FORMS": "1",
        "openness_grades-INITIAL_FORMS": "1",
        "openness_grades-MIN_NUM_FORMS": "0",
        "openness_grades-MAX_NUM_FORMS": "14",
        "openness_grades-0-id": str(grade.pk),
        "openness_grades-0-aimodel": str(model.pk),
        "openness_grades-0-dimension": "license",
        "openness_grades-0-grade": "open",
    }
    return {**data, **changes}


def test_tagger_sees_a_form_with_only_the_tags_field(client, model):
    client.force_login(staff("tagger", "tag_aimodel"))
    url = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    response = client.get(url)
    assert response.status_code == 200
    adminform = response.context["adminform"]
    assert list(adminform.form.fields) == ["tags"]
    assert {"name", "slug", "weights"} <= set(adminform.readonly_fields)  # shown, not editable
    assert client.get(reverse("admin:models_catalog_aimodel_add")).status_code == 403
    delete = reverse("admin:models_catalog_aimodel_delete", args=[model.pk])
    assert client.get(delete).status_code == 403


def test_forged_post_from_a_tagger_changes_only_the_tags(client, model):
    original_slug = model.slug
    client.force_login(staff("tagger", "tag_aimodel"))
    url = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    response = client.post(url, forged_post(model))
    assert response.status_code == 302, response.context and response.context["errors"]
    model.refresh_from_db()
    assert (model.name, model.slug, model.weights, model.kind) == (
        "Llama 8B",
        original_slug,
        "gated",
        "language",
    )
    assert sorted(t.name for t in model.tags.all()) == ["LLM", "Open source"]
    assert OpennessGrade.objects.get(aimodel=model).grade == "partial"


def test_editor_changes_everything_and_openness_is_rederived(client, model):
    editor = staff(
        "editor", "change_aimodel", "view_aimodel", "change_opennessgrade", "view_opennessgrade"
    )
    client.force_login(editor)
    url = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    data = forged_post(
        model,
        organization=str(model.organization_id),
        license=str(model.license_id),
        input_modalities="text",
        output_modalities="text",
        release_date="",
        release_date_precision="",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    model = AIModel.objects.get(pk=model.pk)
    assert (model.name, model.weights) == ("Hacked", "open")
    assert model.openness_grades.get().grade == "open"
    assert model.openness_score == 100  # 1 open of 1 graded, recomputed after the inline saved


def test_changelist_and_search(client, model):
    client.force_login(staff("admin", superuser=True))
    response = client.get(reverse("admin:models_catalog_aimodel_changelist") + "?q=llama")
    assert response.status_code == 200 and "Llama 8B" in response.content.decode()
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "models_catalog", "model_name": "aimodel", "field_name": "organization"},
    )
    assert autocomplete.status_code == 200
