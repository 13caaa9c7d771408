from django.conf import settings
from django.core.management import BaseCommand, call_command, get_commands

from articles.operations.demo import create_demo_accounts, load_demo_articles


class Command(BaseCommand):
    help = "Load the demo articles and catalog, and (with DEBUG on) the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts", action="store_true", help="Do not create the demo accounts."
        )

    def handle(self, *args, no_accounts=False, **options):
        # The catalog goes first: article bodies reference catalog entries by slug.
        if "load_demo_catalog" in get_commands():
            call_command("load_demo_catalog", stdout=self.stdout)
        count = load_demo_articles()
        self.stdout.write(f"Demo articles loaded: {count}.")
        if no_accounts:
            return
        if settings.DEBUG:
            create_demo_accounts(self.stdout)
        else:
            self.stdout.write("DEBUG is off: demo accounts were not created.")
