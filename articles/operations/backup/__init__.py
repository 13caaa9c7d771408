"""Whole-site backup and restore: one .tar.gz with the database content and the media files.

The archive holds `data.json` (Django's serialisation of every model, foreign keys to users,
groups, tags, permissions and content types written as natural keys), `media/` (every
uploaded file, from the filesystem or the S3 bucket alike: it goes through the media storage)
and `manifest.json` (format, date, row counts, the SHA-256 of every other member, and a
signature: signing.py says what it proves). Content types and permissions are left out:
`migrate` creates them, and the natural keys find them again. Derived data (the search index)
is left out too and rebuilt after a restore.

A restore trusts nothing in the archive: it unpacks within size limits (archive.py), verifies
checksums and signature, checks and cleans data.json (data.py), then writes the database and
the media files all or nothing, and reports what the database holds afterwards. Articles go
through the write path in bulk (articles/writes.py): their fields are checked, their bodies
derived again where needed (every one from an unverified archive), and the restore is
announced once.
"""

import io
import json
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from articles.announce import announcing, everything_changed
from articles.models import Article
from articles.operations.backup import archive, data, signing
from articles.operations.backup.archive import BackupError, Limits
from articles.operations.backup.media import MediaSwap
from articles.writes import articles_check_all, articles_rerender_all
from models_catalog import announce as catalog_announce

__all__ = ["BackupError", "Limits", "backup_create", "backup_restore", "database_is_empty"]
FORMAT = 2  # 2: checksums and a signature in the manifest; 1 had neither
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",  # admin history points at objects by id and type; not content
    "axes",  # login attempts and lockouts
    "django_tasks_database",  # queued and finished background tasks: work, not content
    "articles.searchentry",  # derived: rebuilt after a restore
    "articles.searchentryfts",
    "articles.searchword",  # derived from the index: rebuilt with it
    "articles.presence",  # who has a form open right now: stale the moment it is written
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


@dataclass
class RestoreReport:
    """What a restore wrote, read back from the database and the media storage."""

    manifest: dict
    rows: dict  # model label -> rows in the database after the restore
    media_files: int
    superusers: list
    cleaned: list = field(default_factory=list)  # (model label, pk, field) stripped of controls
    warnings: list = field(default_factory=list)  # verification problems, when allowed


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
    """Write the archive to `path`; returns the manifest (a dict), signed."""
    with transaction.atomic():  # one consistent snapshot of the database
        content = dump_data().encode("utf-8")
    rows = Counter(item["model"] for item in json.loads(content))
    files = media_files()
    checksums = {archive.DATA: archive.sha256(content)}
    with tarfile.open(path, "w:gz") as out:
        archive.add_bytes(out, archive.DATA, content)
        for name in files:
            with default_storage.open(name, "rb") as handle:
                blob = handle.read()
            checksums[f"media/{name}"] = archive.sha256(blob)
            archive.add_bytes(out, f"media/{name}", blob)
        manifest = signing.sign(
            {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "rows": dict(sorted(rows.items())),
                "media_files": len(files),
                "sha256": checksums,
            }
        )
        archive.add_bytes(out, archive.MANIFEST, json.dumps(manifest, indent=2).encode())
    return manifest


def database_is_empty():
    return not any(apps.get_model(label).objects.exists() for label in CONTENT_MODELS)


def backup_restore(path, replace=False, limits=None, allow_unverified=False):
    """Rebuild the database content and the media files from the archive at `path`.

    All or nothing: the database is written in one transaction, and the media files are put
    in place inside it, undone if anything fails. Refuses an archive whose checksums or
    signature do not verify unless `allow_unverified`. Returns a RestoreReport.
    """
    limits = limits or Limits.for_archive(path)
    with tempfile.TemporaryDirectory(prefix="modelpress-restore-") as scratch:
        scratch = Path(scratch)
        manifest, warnings = _unpack(path, scratch / "archive", limits)
        if warnings and not allow_unverified:
            raise BackupError(
                "The archive cannot be verified, so nothing was restored:\n  "
                + "\n  ".join(warnings)
                + "\nIf you trust it anyway, restore it with --allow-unverified."
            )
        rows = archive.read_json(scratch / "archive" / archive.DATA, archive.DATA)
        cleaned = data.check_rows(rows, tuple(EXCLUDED))
        report = _write(rows, scratch, replace, verified=not warnings)
    report.manifest, report.cleaned, report.warnings = manifest, cleaned, warnings
    return report


def _unpack(path, folder, limits):
    """(manifest, verification problems) after unpacking the archive into `folder`."""
    digests = archive.extract(path, folder, limits)
    manifest = archive.read_json(folder / archive.MANIFEST, archive.MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") not in (1, FORMAT):
        raise BackupError("This is not a ModelPress backup this version can restore.")
    if archive.DATA not in digests:
        raise BackupError(f"The archive has no {archive.DATA}.")
    digests.pop(archive.MANIFEST)
    return manifest, signing.signature_problems(manifest) + (
        signing.checksum_problems(manifest, digests) if "sha256" in manifest else []
    )


def _write(rows, scratch, replace, verified):
    """Load `rows` and put the media files in place, all or nothing; a RestoreReport."""
    media = MediaSwap(scratch / "archive" / "media", scratch / "replaced")
    try:
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
            with announcing(), catalog_announce.superseded():
                data.load(rows, scratch / "data.json")
                _derive_articles(verified)
                # loaddata's writes are raw and flush's silent: rebuild the whole index and
                # invalidate every cached page, once.
                everything_changed()
            media.put()  # last: undone below if the commit itself fails
            report = _report(rows, media)
    except BaseException:
        media.undo()
        raise
    return report


def _derive_articles(verified):
    """Check every restored article's fields; derive again the bodies that need it.

    An archive this site signed holds HTML this site rendered from the same rows, so only the
    bodies whose referenced article has gone live since are rendered again. An unverified one
    proves nothing about its HTML: every body is rendered again (about 25 ms an article of
    1,500 words, against under 1 ms for the check).
    """
    articles = Article.all_objects.all()
    try:
        articles_check_all(articles)
    except ValidationError as error:
        raise BackupError(f"data.json cannot be restored: {' '.join(error.messages)}") from None
    if verified:
        articles = articles.filter(rerender_at__lte=timezone.now())
    articles_rerender_all(articles)


def _report(rows, media):
    labels = sorted({row["model"] for row in rows})
    counts = {label: apps.get_model(label)._base_manager.count() for label in labels}
    superusers = get_user_model().objects.filter(is_superuser=True).order_by("username")
    return RestoreReport(
        manifest={},
        rows=counts,
        media_files=len(media.written),
        superusers=list(superusers.values_list("username", flat=True)),
    )
