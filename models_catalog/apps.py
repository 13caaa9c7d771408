from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ModelsCatalogConfig(AppConfig):
    name = "models_catalog"
    verbose_name = "Models catalog"

    def ready(self):
        # cycle: apps.py is imported before any model exists; these modules define or use
        # models, so they can only be imported once the registry is ready.
        from models_catalog import signals
        from models_catalog.backoffice import admin  # noqa: F401 - registers the ModelAdmins
        from models_catalog.models import ensure_modalities

        post_migrate.connect(ensure_modalities, sender=self, dispatch_uid="catalog-modalities")
        signals.connect()
