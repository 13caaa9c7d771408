from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class ModelPressAdminConfig(AdminConfig):
    """django.contrib.admin with our site class (config/admin_site.py) as the default site."""

    default_site = "config.admin_site.AdminSite"

    def ready(self):
        super().ready()  # imports every app's admin module, axes' included
        # cycle: config.admin_site imports axes.models, and models load only after the app
        # registry has imported every apps.py, this one included.
        from config.admin_site import repair_axes_cleanup

        repair_axes_cleanup(admin.site)
