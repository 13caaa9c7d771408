"""Nothing lost: `backup` then `restore` into an empty database gives back every row and file."""

import io
import json
import tarfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from taggit.models import Tag

from articles.backoffice import workflow
from articles.backoffice.images import image_ingest
from articles.backoffice.revisions import revision_create
from articles.models import Article, Image, TagDescription
from articles.operations.backup import EXCLUDED, database_is_empty, dump_data, media_files
from articles.search import visible_entries
from articles.writes import article_save
from models_catalog.models import AIModel
from tests.factories import AIModelFactory, ArticleFactory, LicenseFactory
from tests.security.test_restore_hostile import read_members, resigned, with_rows, write_members
from tests.security.test_uploads import png_bytes
from tests.users import make_author, make_editor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site():
    """Some of everything: every model the site has, in every state."""
    editor, author_user = make_editor(), make_author()
    custom = Group.objects.create(name="Fact checkers")
    custom.permissions.add(Permission.objects.get(codename="view_aimodel"))
    author_user.user_permissions.add(Permission.objects.get(codename="view_revision"))
    image = image_ingest(
        Image(alt="A chart", caption="Openness", credit="ModelPress"),
        SimpleUploadedFile("chart.png", png_bytes((1200, 800))),
        user=editor,
    )
    author = author_user.author_profile
    author.bio = "Writes **well**."
    author.avatar.save("ada.png", SimpleUploadedFile("ada.png", png_bytes((64, 64), "red")))
    AIModelFactory(
        slug="llama",
        name="Llama",
        tags=["llm", "open"],
        grades={"license": "open", "weights_basemodel": "partial"},
        license=LicenseFactory(name="Llama licence", spdx_id="", commercial_use=None),
        description="A *model*.",
    )
    live = ArticleFactory(
        slug="live",
        author=author,
        hero_image=image,
        body=f"See [[model:llama]].\n\n![Chart](image:{image.pk})\n",
        tags=["llm", "Open"],
        seo_title="Live!",
    )
    draft = ArticleFactory(
        slug="draft", author=author, status="draft", published_at=None, body="[[article:live]]"
    )
    ArticleFactory(slug="scheduled", published_at=timezone.now() + timedelta(days=3))
    trashed = ArticleFactory(slug="trashed", tags=["old"])
    workflow.article_trash(trashed, editor)
    workflow.article_submit(draft, author_user)
    revision_create(live, editor, note="Checked")
    live.title = "Live, with draft changes"
    article_save(live, editor, tags=["llm"], draft=True)  # readers keep the live version
    TagDescription.objects.create(tag=Tag.objects.get(name="llm"), description="Large *language*.")
    return editor


def snapshot():
    """({"model pk": fields} for every backed-up row, {media path: bytes})."""
    rows = {f"{row['model']} {row['pk']}": row["fields"] for row in json.loads(dump_data())}
    files = {name: read(name) for name in media_files()}
    return rows, files


def read(name):
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def wipe():
    call_command("flush", interactive=False, verbosity=0)
    for name in media_files():
        default_storage.delete(name)
    assert database_is_empty() and media_files() == []


def test_every_model_is_backed_up_and_restored_identically(site, tmp_path):
    before_rows, before_files = snapshot()
    models = {key.split()[0] for key in before_rows}
    assert {
        "auth.user", "auth.group", "articles.article", "articles.revision", "articles.author",
        "articles.category", "articles.image", "articles.taggedarticle",
        "articles.tagdescription", "models_catalog.aimodel", "models_catalog.organization",
        "models_catalog.license", "models_catalog.opennessgrade",
        "models_catalog.taggedmodel", "taggit.tag", "articles.articledraft",
    } <= models  # fmt: skip
    assert len(before_files) >= 5  # the image, its renditions, the avatar
    assert Article.all_objects.filter(deleted_at__isnull=False).exists()
    searchable = set(visible_entries().values_list("kind", "object_id", "title"))
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    wipe()
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    assert "Restored" in out.getvalue()
    after_rows, after_files = snapshot()
    assert after_rows == before_rows
    assert after_files == before_files
    # The search index is derived: rebuilt after the restore, it finds the same things.
    assert set(visible_entries().values_list("kind", "object_id", "title")) == searchable
    assert len(searchable) == 2  # the live article and the model
    editor = User.objects.get(username="editor")
    assert editor.check_password("correct-horse-battery")
    assert editor.has_perm("articles.publish_article")


def test_the_archive_holds_data_json_and_media(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest = json.load(opened.extractfile("manifest.json"))
    assert "data.json" in names and any(n.startswith("media/images/") for n in names)
    assert manifest["rows"]["articles.article"] == 4
    assert not any(model.startswith(tuple(EXCLUDED)) for model in manifest["rows"])


def test_restore_refuses_a_database_with_content_unless_told(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    Article.objects.filter(slug="live").update(title="Changed since")
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(archive))
    assert Article.objects.get(slug="live").title == "Changed since"
    call_command("restore", str(archive), replace=True, stdout=io.StringIO())
    assert Article.objects.get(slug="live").title != "Changed since"


def test_restore_refuses_archives_that_escape_media(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as opened:
        for name in ("manifest.json", "data.json", "../../etc/evil"):
            info = tarfile.TarInfo(name)
            info.size = 2
            opened.addfile(info, io.BytesIO(b"{}"))
    with pytest.raises(CommandError, match="Unexpected entry"):
        call_command("restore", str(archive))
    assert not (tmp_path.parent.parent / "etc" / "evil").exists()


@pytest.mark.parametrize("replace", [False, True])
def test_a_failure_midway_leaves_database_and_media_as_they_were(
    site, tmp_path, monkeypatch, replace
):
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    if not replace:
        wipe()
    before = snapshot()

    def broken_rebuild(*args, **kwargs):  # runs after every row has been loaded
        raise RuntimeError("disk full")

    monkeypatch.setattr("config.lib.indexing.rebuild", broken_rebuild)
    with pytest.raises(RuntimeError, match="disk full"):
        call_command("restore", str(archive), replace=replace)
    assert snapshot() == before  # rows and media files alike


def test_restore_leaves_no_cached_page_behind(site, tmp_path, client, settings):
    settings.PAGE_CACHE = True
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    live = Article.objects.get(slug="live")
    Article.objects.filter(slug="live").update(title="Changed since")  # no signal: no bump
    assert "Changed since" in client.get(live.get_absolute_url()).content.decode()
    call_command("restore", str(archive), replace=True, stdout=io.StringIO())
    page = client.get(live.get_absolute_url())
    assert "Changed since" not in page.content.decode() and page["X-Cache"] == "miss"


def test_an_archive_from_before_modality_links_restores_them(tmp_path):
    """Archives written before migration 0008 hold modalities as `;`-separated text."""
    entry = AIModelFactory(slug="older")
    entry.input_modalities.set(["text"])
    path = tmp_path / "site.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())

    def as_text(rows):
        for row in rows:
            if row["model"] == "models_catalog.aimodel":
                row["fields"]["input_modalities"] = "Text; image;smell"
                row["fields"]["output_modalities"] = "text"
        return rows

    write_members(path, resigned(with_rows(read_members(path), as_text)))
    wipe()
    call_command("restore", str(path), stdout=io.StringIO())
    restored = AIModel.objects.get(slug="older")
    assert [m.code for m in restored.input_modalities.order_by("position")] == ["text", "image"]
    assert [m.code for m in restored.output_modalities.all()] == ["text"]
