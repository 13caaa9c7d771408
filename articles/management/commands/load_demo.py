from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import BaseCommand, call_command, get_commands

from articles.demo_loader import load_demo_articles
from articles.models import Author

DEMO_ACCOUNTS = [
    # (username, password, group, superuser)
    ("editor", "modelpress-editor", "Editors", False),
    ("author", "modelpress-author", "Authors", False),
]


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
        if not no_accounts:
            if settings.DEBUG:
                self.create_accounts()
            else:
                self.stdout.write("DEBUG is off: demo accounts were not created.")

    def create_accounts(self):
        User = get_user_model()
        self.stdout.write("Demo accounts (development only):")
        for username, password, group_name, is_superuser in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = is_superuser
            user.set_password(password)
            user.save()
            group = Group.objects.filter(name=group_name).first()
            if group:
                user.groups.add(group)
            self.stdout.write(f"  {username:<8} password: {password}   ({group_name})")
        author_user = User.objects.get(username="author")
        Author.objects.filter(user__isnull=True, slug__in=_author_slugs_for("author")).update(
            user=author_user
        )
        self.stdout.write("  Log in at http://127.0.0.1:8000/admin/")


def _author_slugs_for(username):
    import json

    path = settings.BASE_DIR / "articles" / "demo" / "authors.json"
    return [row["slug"] for row in json.loads(path.read_text()) if row.get("username") == username]
