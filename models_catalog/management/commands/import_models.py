from django.core.management import BaseCommand, CommandError

from models_catalog.management.output import draw_bar, refused
from models_catalog.transfer.importer import ImportFailed, import_file

PROGRESS_FROM = 200  # rows; smaller files finish before a bar is worth drawing


class Command(BaseCommand):
    help = (
        "Import catalog entries from a .json (list of objects), .jsonl or .csv file. Every row "
        "is validated first; if any is bad, all errors are listed and nothing is written. "
        "Entries are matched by slug, so importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        self.verbosity = options["verbosity"]
        try:
            result = import_file(file, progress=self.progress)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        except ImportFailed as failure:
            raise refused(self.stderr, failure, str(failure)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {file}: {result}."))

    def progress(self, phase, done, total):
        if total < PROGRESS_FROM or self.verbosity < 1:
            return
        if done != total and done % 50:
            return
        draw_bar(self.stderr, phase, done, total)
