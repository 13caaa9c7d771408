import re
from argparse import ArgumentTypeError

from django.core.management import BaseCommand, CommandError

from articles.operations.backup import BackupError, Limits, backup_restore

_SIZE = re.compile(r"^\s*(\d+)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def size(value):
    """'500M', '2G', '1048576' -> bytes (K, M, G and T are powers of 1024)."""
    match = _SIZE.match(value)
    if not match or not int(match[1]):
        raise ArgumentTypeError(f"{value!r} is not a size such as 500M or 2G")
    return int(match[1]) * 1024 ** " kmgt".index(match[2].lower() or " ")


class Command(BaseCommand):
    help = (
        "Rebuild the database content and media files from a `manage.py backup` archive, in "
        "one transaction. Run `migrate` first. Refuses a database that already has content "
        "unless --replace is given, which deletes that content first; refuses an archive "
        "whose checksums or signature do not verify unless --allow-unverified is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete everything in the database before restoring.",
        )
        parser.add_argument(
            "--allow-unverified",
            action="store_true",
            help="Restore an archive whose checksums or signature do not verify (made before "
            "backups were signed, or by a site with another DJANGO_SECRET_KEY), with a warning.",
        )
        parser.add_argument(
            "--max-size",
            type=size,
            help="Refuse an archive that expands to more than this, e.g. 20G (default: 100 "
            "times the archive's size, at least 64M).",
        )
        parser.add_argument(
            "--max-file-size",
            type=size,
            help="Refuse an archive holding a file larger than this (default: 2G).",
        )

    def handle(self, *args, path, **options):
        try:
            limits = Limits.for_archive(path, options["max_size"], options["max_file_size"])
            report = backup_restore(
                path,
                replace=options["replace"],
                limits=limits,
                allow_unverified=options["allow_unverified"],
            )
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except BackupError as error:
            raise CommandError(str(error)) from None
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"WARNING, restored anyway: {warning}"))
        self.write_report(path, report)

    def write_report(self, path, report):
        """What the database and the media storage hold now, read back after the restore."""
        when = report.manifest.get("created_at")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {sum(report.rows.values())} rows and {report.media_files} media "
                f"files from {path}" + (f" (backed up {when})." if isinstance(when, str) else ".")
            )
        )
        for label, count in report.rows.items():
            self.stdout.write(f"  {label}: {count}")
        listed = report.manifest.get("rows")
        if isinstance(listed, dict) and listed != report.rows:
            self.stderr.write(
                self.style.WARNING("WARNING: the manifest listed other row counts than these.")
            )
        names = ", ".join(report.superusers) or "none"
        self.stdout.write(f"Superusers (every permission) now: {names}.")
        if report.cleaned:
            shown = ", ".join(f"{label} {pk} {name}" for label, pk, name in report.cleaned[:10])
            more = f" and {len(report.cleaned) - 10} more" if len(report.cleaned) > 10 else ""
            self.stdout.write(
                f"Removed control characters from {len(report.cleaned)} values: {shown}{more}."
            )
