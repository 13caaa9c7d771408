from django.core.management import BaseCommand, CommandError

from articles.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Rebuild the database content and media files from a `manage.py backup` archive, in "
        "one transaction. Run `migrate` first. Refuses a database that already has content "
        "unless --replace is given, which deletes that content first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete everything in the database before restoring.",
        )

    def handle(self, *args, path, replace=False, **options):
        try:
            manifest = backup_restore(path, replace=replace)
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows and {manifest['media_files']} media files from {path} "
                f"(backed up {manifest['created_at']})."
            )
        )
