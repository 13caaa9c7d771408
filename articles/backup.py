"""Whole-site backup and restore: one .tar.gz with the database content and the media files.

The archive holds `manifest.json` (format, date, row counts), `data.json` (Django's
serialisation of every model, foreign keys to users, groups, tags, permissions and content
types written as natural keys) and `media/` (every uploaded file, from the filesystem or the
S3 bucket alike: it goes through the media storage). Content types and
permissions are left out: `migrate` creates them, and the natural keys find them again.
Derived data (the search index) is left out too and rebuilt after a restore.
"""

import io
import json
import tarfile
import tempfile
from collections import Counter
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from config.lib import cache

FORMAT = 1
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",  # admin history points at objects by id and type; not content
    "axes",  # login attempts and lockouts
    "django_tasks_database",  # queued and finished background tasks: work, not content
    "articles.searchentry",  # derived: rebuilt after a restore
    "articles.searchentryfts",
]
# A database holding any of these is not empty: restoring over it needs --replace.
CONTENT_MODELS = [
    "auth.User",
    "articles.Article",
    "articles.Author",
    "articles.Category",
    "articles.Image",
    "models_catalog.AIModel",
    "models_catalog.Organization",
    "models_catalog.License",
    "taggit.Tag",
]


class BackupError(Exception):
    """The archive cannot be restored (shown to the user as is)."""


def dump_data():
    """Every row of every backed-up model as Django's JSON serialisation (a str)."""
    out = io.StringIO()
    call_command(
        "dumpdata",
        exclude=EXCLUDED,
        natural_foreign=True,
        use_base_manager=True,  # articles in the trash too
        indent=None,
        stdout=out,
    )
    return out.getvalue()


def media_files():
    """Names of every file in the media storage (the filesystem or a bucket), sorted."""

    def walk(folder):
        try:
            folders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            return
        for name in files:
            yield f"{folder}/{name}" if folder else name
        for name in folders:
            yield from walk(f"{folder}/{name}" if folder else name)

    return sorted(walk(""))


def backup_create(path):
    """Write the archive to `path`; returns the manifest (a dict)."""
    with transaction.atomic():  # one consistent snapshot of the database
        data = dump_data().encode("utf-8")
    rows = Counter(item["model"] for item in json.loads(data))
    files = media_files()
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "rows": dict(sorted(rows.items())),
        "media_files": len(files),
    }
    with tarfile.open(path, "w:gz") as archive:
        _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        _add_bytes(archive, "data.json", data)
        for name in files:
            with default_storage.open(name, "rb") as handle:
                _add_bytes(archive, f"media/{name}", handle.read())
    return manifest


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def database_is_empty():
    return not any(apps.get_model(label).objects.exists() for label in CONTENT_MODELS)


def backup_restore(path, replace=False):
    """Rebuild the database content and the media files from the archive at `path`.

    All or nothing: the database is written in one transaction, and the media files are
    copied into MEDIA_ROOT only after it succeeded. Returns the manifest.
    """
    with tempfile.TemporaryDirectory(prefix="modelpress-restore-") as scratch:
        scratch = Path(scratch)
        manifest = _extract(path, scratch)
        with transaction.atomic():
            if not database_is_empty():
                if not replace:
                    raise BackupError(
                        "The database already has content. Restore into a fresh database, "
                        "or pass --replace to delete everything in it first."
                    )
                call_command("flush", interactive=False, verbosity=0)
            # migrate (or flush) created the editorial groups; the archive has them as saved.
            Group.objects.all().delete()
            call_command("loaddata", str(scratch / "data.json"), verbosity=0)
            call_command("rebuild_search_index", stdout=io.StringIO())
            cache.bump()  # loaddata sends raw signals and flush none: pages cached before
        _move_media(scratch / "media")  # only once the database has its content
    return manifest


def _extract(path, scratch):
    """Unpack the archive into `scratch` after checking every member; returns the manifest."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive.getmembers():
                _check_member(member)
            archive.extractall(scratch, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"Not a readable backup archive: {error}") from None
    try:
        manifest = json.loads((scratch / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError("The archive has no readable manifest.json.") from None
    if manifest.get("format") != FORMAT or not (scratch / "data.json").is_file():
        raise BackupError("This is not a ModelPress backup this version can restore.")
    return manifest


def _check_member(member):
    name = PurePosixPath(member.name)
    allowed = name.parts and (
        str(name) in ("manifest.json", "data.json") or (name.parts[0] == "media")
    )
    if not allowed or name.is_absolute() or ".." in name.parts:
        raise BackupError(f"Unexpected entry in the archive: {member.name!r}")
    if not (member.isfile() or member.isdir()):
        raise BackupError(f"Links and devices are not restored: {member.name!r}")


def _move_media(source):
    """Put every restored file in the media storage under its own name, replacing any."""
    if not source.is_dir():
        return
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        name = file.relative_to(source).as_posix()
        if default_storage.exists(name):
            default_storage.delete(name)
        with file.open("rb") as handle:
            saved = default_storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"The media storage renamed {name!r} to {saved!r}.")
