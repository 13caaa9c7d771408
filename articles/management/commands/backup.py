from django.core.management import BaseCommand
from django.utils import timezone

from articles.operations.backup import backup_create


class Command(BaseCommand):
    help = (
        "Write the whole site to one .tar.gz: the database content (data.json) and every "
        "uploaded file (media/). Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", help="Where to write (default: modelpress-<date>.tar.gz here)."
        )

    def handle(self, *args, path=None, **options):
        path = path or f"modelpress-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        manifest = backup_create(path)
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows} rows and {manifest['media_files']} media files to {path}."
            )
        )
        self.stdout.write(
            "The manifest holds their checksums, signed with this site's DJANGO_SECRET_KEY: "
            "`restore` verifies them with the same key."
        )
