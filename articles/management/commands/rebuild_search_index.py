from django.core.management import BaseCommand

from articles import search


class Command(BaseCommand):
    help = "Rebuild the site search index from every published article and catalog entry."

    def handle(self, *args, **options):
        count = search.rebuild()
        self.stdout.write(f"Search index rebuilt: {count} entries.")
