"""Delete autosaves older than 30 days and the presence of tabs that stopped beating.

Safe to run from cron at any interval (each login purges old autosaves too).
"""

from django.core.management.base import BaseCommand

from articles.backoffice.editing import autosaves_purge, presences_purge, setting


class Command(BaseCommand):
    help = "Delete article autosaves older than 30 days (ARTICLE_AUTOSAVE_MAX_AGE)."

    def handle(self, *args, **options):
        autosaves = autosaves_purge()
        presences = presences_purge()
        days = setting("ARTICLE_AUTOSAVE_MAX_AGE").days
        self.stdout.write(
            f"Deleted {autosaves} autosave(s) older than {days} days "
            f"and {presences} expired presence entr{'y' if presences == 1 else 'ies'}."
        )
