from pathlib import Path

from django.core.management import BaseCommand, CommandError

from models_catalog.models import AIModel
from models_catalog.transfer.exporter import render
from models_catalog.transfer.importer import FORMATS


class Command(BaseCommand):
    help = "Export the catalog in the import format (JSON, JSON Lines or CSV)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Output file; standard output if omitted.")
        parser.add_argument(
            "--format",
            choices=sorted(set(FORMATS.values())),
            help="Default: from the file name, else json.",
        )

    def handle(self, *args, file=None, format=None, **options):
        if format is None and file:
            format = FORMATS.get(Path(file).suffix.lower())
            if format is None:
                raise CommandError("Name the file .json, .jsonl or .csv, or pass --format.")
        text = render(AIModel.objects.all(), format or "json")
        if file:
            with open(file, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            self.stderr.write(f"Exported {AIModel.objects.count()} entries to {file}.")
        else:
            self.stdout.write(text, ending="")
