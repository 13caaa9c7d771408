from django.apps import AppConfig


class ModelsCatalogConfig(AppConfig):
    name = "models_catalog"
    verbose_name = "Models catalog"

    def ready(self):
        from models_catalog import signals

        signals.connect()
