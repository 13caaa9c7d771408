from django.core.management import BaseCommand

from models_catalog.changes import WriteContext
from models_catalog.management.output import draw_bar, refused
from models_catalog.transfer.files import ImportFailed
from models_catalog.transfer.osai import import_index


class Command(BaseCommand):
    help = (
        "Import the European Open Source AI Index's grades from its folder of YAML files "
        "(osai-index.eu, CC-BY 4.0, doi:10.5281/zenodo.15386042). Each system is linked to "
        "the catalog entry of the exact model it grades, and entries are created for the "
        "systems the catalog lacks. All or nothing; importing the same files again changes "
        "nothing."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version is the index's (as the issue names it), not Django's own --version.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--version",
            dest="index_version",
            help="The index version to record (default: the folder's newest git commit when "
            "it is a checkout, else today's date).",
        )

    def handle(self, *args, directory, index_version=None, **options):
        self.show_progress = options["verbosity"] >= 1 and self.stderr.isatty()
        context = WriteContext(source="import:osai-index")
        try:
            result = import_index(directory, context, index_version, self.progress)
        except ImportFailed as failure:
            raise refused(self.stderr, failure, f"Refused {directory}: {failure}") from None
        for file in result.by_name:
            self.stdout.write(f"  {file}: matched by the system's name (no unique end model)")
        self.stdout.write(self.style.SUCCESS(f"Imported {directory}: {result}."))

    def progress(self, phase, done, total):
        """A bar on stderr, only on a terminal."""
        if not self.show_progress or not total:
            return
        draw_bar(self.stderr, phase, done, total)
