"""What an author may do with images and tags, checked over HTTP (README, "Roles").

Authors upload images and see the whole library; they change or delete none, not even their
own. They create tags by typing them into an article's or a catalog entry's tag field; the
tag admin (add, rename, merge, delete) is the editors'.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from taggit.models import Tag

from articles.backoffice.images import image_ingest
from articles.backoffice.roles import AUTHORS, sync_roles
from articles.models import Article, Image
from tests.articles.helpers import article_form_data, image_bytes
from tests.factories import AIModelFactory, CategoryFactory
from tests.users import make_author, make_editor

pytestmark = pytest.mark.django_db


def upload(client, alt):
    file = SimpleUploadedFile("a.png", image_bytes(size=(40, 30)))
    return client.post(reverse("admin:articles_image_add"), {"file": file, "alt": alt})


@pytest.fixture
def editors_image(db):
    image = Image(alt="The editor's picture")
    return image_ingest(image, SimpleUploadedFile("e.png", image_bytes()), user=make_editor())


@pytest.fixture
def author_client(client):
    author = make_author()
    client.force_login(author)
    client.user = author
    return client


def author_permissions():
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=AUTHORS).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_authors_hold_exactly_the_image_and_tag_rights_the_readme_lists():
    granted = author_permissions()
    assert {"articles.add_image", "articles.view_image", "taggit.view_tag"} <= granted
    for kept_from_them in (
        "articles.change_image",
        "articles.delete_image",
        "taggit.add_tag",
        "taggit.change_tag",
        "taggit.delete_tag",
    ):
        assert kept_from_them not in granted


def test_migrate_takes_add_tag_back_and_keeps_what_was_given_by_hand():
    authors = Group.objects.get(name=AUTHORS)
    authors.permissions.add(
        Permission.objects.get(codename="add_tag"), Permission.objects.get(codename="view_license")
    )
    sync_roles()
    assert "taggit.add_tag" not in author_permissions()
    assert "models_catalog.view_license" in author_permissions()


def test_an_author_uploads_an_image_and_it_is_theirs(author_client):
    response = upload(author_client, "A red square")
    assert response.status_code == 302
    image = Image.objects.get(alt="A red square")
    assert image.uploaded_by == author_client.user


def test_an_author_sees_the_library_but_cannot_change_or_delete_an_image(
    author_client, editors_image
):
    upload(author_client, "Mine")
    own = Image.objects.get(alt="Mine")
    listing = author_client.get(reverse("admin:articles_image_changelist")).content.decode()
    assert "The editor&#x27;s picture" in listing and "Mine" in listing
    for image in (editors_image, own):
        change = reverse("admin:articles_image_change", args=[image.pk])
        page = author_client.get(change)
        assert page.status_code == 200 and "Save" not in page.content.decode()  # read-only
        forged = author_client.post(change, {"alt": "Defaced", "caption": "x"})
        assert forged.status_code == 403
        delete = reverse("admin:articles_image_delete", args=[image.pk])
        assert author_client.get(delete).status_code == 403
        assert author_client.post(delete, {"post": "yes"}).status_code == 403
        image.refresh_from_db()
        assert image.alt in ("The editor's picture", "Mine")
    assert Image.objects.count() == 2


def test_an_author_creates_tags_through_the_article_and_catalog_fields(author_client):
    data = article_form_data(category=CategoryFactory().pk, tags="Brand new tag, Llama")
    assert author_client.post(reverse("admin:articles_article_add"), data).status_code == 302
    article = Article.all_objects.get(slug=data["slug"])
    assert sorted(t.name for t in article.tags.all()) == ["Brand new tag", "Llama"]
    model = AIModelFactory()
    change = reverse("admin:models_catalog_aimodel_change", args=[model.pk])
    inline = {
        f"{prefix}-{key}": "0"
        for prefix in ("openness_grades", "price_points")
        for key in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    response = author_client.post(change, {"tags": "Catalog only tag", **inline})
    assert response.status_code == 302
    assert [t.name for t in model.tags.all()] == ["Catalog only tag"]


def test_the_tag_admin_is_read_only_for_an_author(author_client):
    tag = Tag.objects.create(name="Llama", slug="llama")
    other = Tag.objects.create(name="Mistral", slug="mistral")
    changelist = reverse("admin:taggit_tag_changelist")
    assert author_client.get(changelist).status_code == 200
    add = reverse("admin:taggit_tag_add")
    assert author_client.get(add).status_code == 403
    assert author_client.post(add, {"name": "Bare tag", "slug": "bare-tag"}).status_code == 403
    change = reverse("admin:taggit_tag_change", args=[tag.pk])
    assert author_client.post(change, {"name": "Renamed", "slug": "renamed"}).status_code == 403
    delete = reverse("admin:taggit_tag_delete", args=[other.pk])
    assert author_client.post(delete, {"post": "yes"}).status_code == 403
    for action, extra in (("merge_tags", {"survivor": tag.pk}), ("delete_unused", {})):
        selected = {"action": action, "_selected_action": [tag.pk, other.pk], **extra}
        author_client.post(changelist, selected)
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Llama", "Mistral"]
