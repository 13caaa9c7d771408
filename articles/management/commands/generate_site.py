from django.core.management import BaseCommand, CommandError

from articles.operations.generate_site import GenerateError, generate_site


class Command(BaseCommand):
    help = "Generate a large deterministic site (articles, catalog, tags) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--models", type=int, default=10_000)
        parser.add_argument("--tags", type=int, default=5_000)
        parser.add_argument("--authors", type=int, default=50)
        parser.add_argument("--categories", type=int, default=20)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options):
        names = ("articles", "models", "tags", "authors", "categories", "seed")
        try:
            summary = generate_site(**{name: options[name] for name in names})
        except GenerateError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(summary)
