from django.contrib.admin.apps import AdminConfig


class ModelPressAdminConfig(AdminConfig):
    """django.contrib.admin with our site class (config/admin_site.py) as the default site."""

    default_site = "config.admin_site.AdminSite"

    def ready(self):
        super().ready()  # imports every app's admin module, axes' included
        from django.contrib import admin

        from config.admin_site import repair_axes_cleanup

        repair_axes_cleanup(admin.site)
