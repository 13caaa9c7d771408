"""Restore trusts nothing in its archive (issue 12, item 10).

It reports what the database holds afterwards, refuses malformed data.json with a message,
bounds how far an archive may expand (total and per file, before and while writing),
verifies the checksums and the signature `backup` writes, cleans text by config/lib/text.py's
rule, and `--replace` stays all or nothing when any step fails.
"""

import io
import json
import tarfile

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from taggit.models import Tag

from articles.backoffice.images import image_ingest
from articles.models import Article, Category, Image
from articles.operations.backup import archive as archive_module
from articles.operations.backup import database_is_empty, dump_data, media_files, signing
from tests.factories import AIModelFactory, ArticleFactory
from tests.security.test_uploads import png_bytes
from tests.users import make_editor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup(tmp_path):
    """A small site backed up: (archive path, its members as {name: bytes})."""
    editor = make_editor()
    image = image_ingest(Image(alt="Chart"), SimpleUploadedFile("c.png", png_bytes()), user=editor)
    ArticleFactory(slug="live", hero_image=image, tags=["llm", "open"])
    ArticleFactory(slug="other", tags=["llm"])
    AIModelFactory(slug="llama", tags=["llm"], grades={"license": "open"})
    path = tmp_path / "site.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    return path, read_members(path)


def read_members(path):
    with tarfile.open(path) as opened:
        return {m.name: opened.extractfile(m).read() for m in opened.getmembers() if m.isfile()}


def write_members(path, members, pax=None):
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as out:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.pax_headers = pax or {}
            out.addfile(info, io.BytesIO(content))
    return path


def resigned(members, secret=None, settings=None, **manifest_changes):
    """`members` with a manifest whose checksums and signature match them again."""
    manifest = json.loads(members["manifest.json"])
    manifest["sha256"] = {
        name: archive_module.sha256(content)
        for name, content in members.items()
        if name != "manifest.json"
    }
    manifest.update(manifest_changes)
    manifest = signing.sign(manifest)
    return {**members, "manifest.json": json.dumps(manifest).encode()}


def with_rows(members, change):
    rows = json.loads(members["data.json"])
    return {**members, "data.json": json.dumps(change(rows)).encode()}


def wipe():
    call_command("flush", interactive=False, verbosity=0)
    for name in media_files():
        default_storage.delete(name)
    assert database_is_empty() and media_files() == []


def restore(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("restore", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path, *args, match):
    """Restoring `path` fails with a message matching `match` and changes nothing."""
    before = (json.loads(dump_data()), {n: default_storage.size(n) for n in media_files()})
    with pytest.raises(CommandError, match=match) as raised:
        restore(path, *args)
    assert "Traceback" not in str(raised.value)
    assert (json.loads(dump_data()), {n: default_storage.size(n) for n in media_files()}) == before
    return str(raised.value)


def test_the_report_counts_what_the_database_holds(backup, tmp_path):
    path, members = backup
    lying = write_members(tmp_path / "lying.tar.gz", resigned(members, rows={"x.y": 10605}))
    wipe()
    out, err = restore(lying)
    assert "10605" not in out
    assert f"  articles.article: {Article.all_objects.count()}" in out
    assert f"  taggit.tag: {Tag.objects.count()}" in out and Tag.objects.count() == 2
    total = sum(int(line.split(": ")[1]) for line in out.splitlines() if line.startswith("  "))
    assert f"Restored {total} rows and {len(media_files())} media files" in out
    assert "the manifest listed other row counts" in err
    assert "Superusers (every permission) now: none." in out


MALFORMED = [
    (b"not json at all", "data.json is not valid JSON"),
    (b"\xff\xfe{}", "data.json is not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "data.json is not valid JSON"),
    (b'{"model": "articles.article"}', "must hold a list of rows"),
    (b"[1, 2]", "row 1: expected an object with a model and its fields"),
    (b'[{"model": "nope.nope", "pk": 1, "fields": {}}]', "row 1: unknown model 'nope.nope'"),
    (b'[{"model": "auth.permission", "pk": 1, "fields": {}}]', "unknown model 'auth.permission'"),
    (b'[{"model": "sessions.session", "pk": "k", "fields": {}}]', "unknown model"),
    (b'[{"model": "taggit.tag", "pk": 1, "fields": {"name": "x"}, "x": 1}]', "unexpected keys"),
]


def test_malformed_data_json_is_refused_with_a_message(backup, tmp_path):
    path, members = backup
    wipe()
    for number, (content, message) in enumerate(MALFORMED):  # one site for all: restores cost
        bad = resigned({**members, "data.json": content})
        refused(write_members(tmp_path / f"bad-{number}.tar.gz", bad), match=message)


def first(rows, model, pk=None):
    return next(r for r in rows if r["model"] == model and (pk is None or r["pk"] == pk))


def drop_field(name):
    def change(rows):
        del first(rows, "articles.article")["fields"][name]
        return rows

    return change


def set_field(model, name, value):
    def change(rows):
        first(rows, model)["fields"][name] = value
        return rows

    return change


BAD_ROWS = [
    (drop_field("category"), "missing field 'category'"),
    (drop_field("slug"), "missing field 'slug'"),
    (set_field("articles.article", "colour", "red"), "unknown field 'colour'"),
    (set_field("articles.article", "title", ["a", "list"]), "field 'title' must be text"),
    (set_field("taggit.tag", "name", None), "field 'name' must be text"),
    (set_field("articles.article", "category", 999_999), "cannot be restored"),
    (set_field("articles.article", "author", ["nobody"]), "cannot be restored"),
    (set_field("articles.article", "published_at", "yesterday"), "cannot be restored"),
    (set_field("articles.image", "uploaded_by", ["ghost"]), "cannot be restored"),
    (set_field("articles.article", "slug", "other"), "cannot be restored"),  # duplicate
]


def test_rows_the_database_cannot_take_are_refused(backup, tmp_path):
    path, members = backup
    wipe()
    for number, (change, message) in enumerate(BAD_ROWS):
        bad = write_members(tmp_path / f"bad-{number}.tar.gz", resigned(with_rows(members, change)))
        text = refused(bad, match=message)
        assert "/tmp" not in text.split("cannot be restored")[-1]  # no scratch paths shown


@pytest.mark.parametrize("replace", [False, True])
def test_a_bomb_stops_at_the_limit_before_it_is_written(backup, tmp_path, monkeypatch, replace):
    path, members = backup
    if not replace:
        wipe()
    copied = []
    real_copy = archive_module._copy
    monkeypatch.setattr(
        archive_module,
        "_copy",
        lambda source, target, limits: (
            copied.append(target.name) or real_copy(source, target, limits)
        ),
    )
    zeros = {**members, "media/zeros.bin": bytes(70 << 20)}  # 70 MiB, gzipped to ~70 KB
    bomb = write_members(tmp_path / "bomb.tar.gz", resigned(zeros))
    assert bomb.stat().st_size < 1 << 20
    args = ["--replace"] if replace else []
    refused(bomb, *args, match="expands to more than 67,108,864 bytes")
    assert "zeros.bin" not in copied  # refused from its header, before a byte was written
    refused(bomb, *args, "--max-file-size", "10M", match="zeros.bin expands to more than")
    restore(bomb, "--max-size", "200M", "--replace")  # genuine after all: a flag lets it in
    assert default_storage.size("zeros.bin") == 70 << 20


def test_many_small_members_and_huge_headers_count_too(backup, tmp_path):
    path, members = backup
    wipe()
    many = {**members, **{f"media/part-{n}.bin": bytes(512 << 10) for n in range(8)}}
    refused(write_members(tmp_path / "many.tar.gz", resigned(many)), "--max-size", "3M",
            match="The archive expands to more than 3,145,728 bytes")  # fmt: skip
    # A pax header is read into memory, never written: the stream count stops it too.
    headers = write_members(tmp_path / "pax.tar.gz", members, pax={"comment": "x" * (4 << 20)})
    refused(headers, "--max-size", "2M", match="expands to more than 2,097,152 bytes")


def test_an_added_superuser_is_detected(backup, tmp_path):
    path, members = backup
    intruder = {
        "model": "auth.user",
        "pk": 999,
        "fields": {
            "password": "md5$x$y",
            "username": "intruder",
            "is_superuser": True,
            "is_staff": True,
            "is_active": True,
            "date_joined": "2026-01-01T00:00:00Z",
            "groups": [],
            "user_permissions": [],
        },
    }
    tampered = with_rows(members, lambda rows: [*rows, intruder])
    checksum = {**tampered, "manifest.json": members["manifest.json"]}  # checksums unchanged
    manifest = json.loads(members["manifest.json"])
    manifest["sha256"]["data.json"] = archive_module.sha256(tampered["data.json"])
    forged = {**tampered, "manifest.json": json.dumps(manifest).encode()}  # not re-signed
    wipe()
    for name, content in (("checksum", checksum), ("forged", forged)):
        bad = write_members(tmp_path / f"{name}.tar.gz", content)
        message = refused(bad, match="cannot be verified, so nothing was restored")
        assert "--allow-unverified" in message
    assert "data.json differs from its checksum" in refused(
        write_members(tmp_path / "c.tar.gz", checksum), match="verified"
    )
    assert "signature does not match" in refused(
        write_members(tmp_path / "f.tar.gz", forged), match="verified"
    )
    out, err = restore(tmp_path / "f.tar.gz", "--allow-unverified")
    assert "WARNING, restored anyway: The archive's signature does not match" in err
    assert "Superusers (every permission) now: intruder." in out
    assert User.objects.get(username="intruder").is_superuser


def test_unsigned_missing_and_extra_members_are_named(backup, tmp_path):
    path, members = backup
    wipe()
    manifest = json.loads(members["manifest.json"])
    del manifest["signature"]
    unsigned = {**members, "manifest.json": json.dumps(manifest).encode()}
    assert "is not signed" in refused(
        write_members(tmp_path / "u.tar.gz", unsigned), match="verified"
    )
    image = next(name for name in members if name.startswith("media/images/"))
    extra = {**members, "media/extra.txt": b"hello"}
    message = refused(write_members(tmp_path / "e.tar.gz", extra), match="verified")
    assert "media/extra.txt is in the archive but not in the manifest" in message
    missing = {name: content for name, content in members.items() if name != image}
    message = refused(write_members(tmp_path / "m.tar.gz", missing), match="verified")
    assert f"{image} is listed in the manifest but missing from the archive" in message


def test_a_format_1_archive_needs_the_flag(backup, tmp_path):
    path, members = backup
    old = json.loads(members["manifest.json"])
    old = {key: old[key] for key in ("created_at", "rows", "media_files")} | {"format": 1}
    legacy = write_members(
        tmp_path / "v1.tar.gz", {**members, "manifest.json": json.dumps(old).encode()}
    )
    wipe()
    refused(legacy, match="is not signed")
    out, err = restore(legacy, "--allow-unverified")
    assert "is not signed" in err and Article.all_objects.count() == 2


def test_another_sites_key_fails_unless_it_is_a_fallback(backup, tmp_path, settings):
    path, members = backup
    wipe()
    settings.SECRET_KEY = "a-new-key-for-this-site-" * 3
    refused(path, match="another DJANGO_SECRET_KEY")
    settings.SECRET_KEY_FALLBACKS = ["tests-only-not-a-secret"]
    restore(path)
    assert Article.all_objects.count() == 2


@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800", "\u202e"], ids=repr
)
def test_restore_cleans_text_by_the_rule(backup, tmp_path, char):
    path, members = backup

    def dirty(rows):
        first(rows, "articles.article")["fields"].update(title=f"Ti{char}tle", body=f"Bo{char}dy")
        first(rows, "articles.category")["fields"]["description"] = f"De{char}sc\r\n"
        first(rows, "taggit.tag")["fields"]["name"] = f"ll{char}m"
        return rows

    content = resigned(with_rows(members, dirty))  # json.dumps writes "\ud800", as JSON may
    wipe()
    out, _ = restore(write_members(tmp_path / "dirty.tar.gz", content))
    body = f"Bo{char}dy" if char == "\u202e" else "Body"  # long text keeps a direction mark
    assert Article.all_objects.filter(title="Title", body=body).count() == 1
    description = f"De{char}sc\n" if char == "\u202e" else "Desc\n"
    assert Category.objects.filter(description=description).exists()
    assert Tag.objects.filter(name="llm").exists()
    cleaned = 3 if char == "\u202e" else 4  # title, tag, description's CR; and the body
    assert f"Removed control characters from {cleaned} values" in out


def snapshot():
    return json.loads(dump_data()), {name: read(name) for name in media_files()}


def read(name):
    with default_storage.open(name, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("fail_at", [1, 3])
def test_replace_is_all_or_nothing_when_media_fail(backup, tmp_path, monkeypatch, fail_at):
    path, members = backup
    Article.objects.filter(slug="live").update(title="Changed since")
    default_storage.save("only-here.txt", io.BytesIO(b"kept"))
    before = snapshot()
    saves, real_save = [], FileSystemStorage.save

    def failing_save(storage, name, content, **kwargs):
        saves.append(name)
        if len(saves) == fail_at:
            raise OSError("disk full")
        return real_save(storage, name, content, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        call_command("restore", str(path), replace=True, stdout=io.StringIO())
    monkeypatch.undo()
    assert saves[:fail_at] == saves[fail_at:]  # each file it had replaced was put back
    assert snapshot() == before  # rows, replaced files and the file only this site had


def test_replace_is_all_or_nothing_when_a_row_fails(backup, tmp_path):
    path, members = backup
    Article.objects.filter(slug="live").update(title="Changed since")
    before = snapshot()
    broken = resigned(with_rows(members, set_field("articles.article", "category", 999_999)))
    refused(
        write_members(tmp_path / "broken.tar.gz", broken), "--replace", match="cannot be restored"
    )
    assert snapshot() == before
