from django.apps import AppConfig
from django.db.models.signals import post_migrate

from config.lib import cache


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Publication"

    def ready(self):
        # cycle: these modules import models, which Django loads only after this module (the
        # app registry imports apps.py first; models may not be imported before ready()).
        from articles import announce, signals
        from articles.backoffice import editing
        from articles.backoffice.roles import sync_roles_after_migrate
        from articles.models.drafts import next_go_live
        from articles.search import indexing
        from articles.writes import drafts_publish_due

        post_migrate.connect(sync_roles_after_migrate, sender=self, dispatch_uid="articles-roles")
        indexing.connect()
        signals.connect()
        editing.connect()  # autosaves older than 30 days go at each login
        # Scheduled articles go live with no write: the page cache asks us when, and which
        # pages show what came due. Scheduled draft changes of live articles are written over
        # them at the first request after.
        cache.register_due_source(next_go_live, announce.came_due_keys, on_due=drafts_publish_due)
