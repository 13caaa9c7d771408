from django.core.management import BaseCommand

from articles import search
from articles.writes import references_refresh_due


class Command(BaseCommand):
    help = "Rebuild the site search index from every published article and catalog entry."

    def handle(self, *args, **options):
        # Bodies waiting to be rendered again (a referenced article went live, or an upgrade
        # marked them) first, so the index holds what readers will see.
        rendered = references_refresh_due()
        if rendered:
            self.stdout.write(f"Rendered again: {rendered} article bodies.")
        count = search.rebuild()
        self.stdout.write(f"Search index rebuilt: {count} entries.")
