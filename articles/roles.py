"""The two editorial roles and their permissions.

A data migration creates the groups (so every database has them); this module gives them
their permissions after every `migrate`, because permissions only exist once post_migrate
has created them, and the catalog app's may arrive in a later migration than ours.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS

EDITORS = "Editors"
AUTHORS = "Authors"
EDITOR_APPS = ("articles", "models_catalog", "taggit")
AUTHOR_PERMISSIONS = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "view_category"),
    ("articles", "view_author"),
    ("articles", "view_image"),
    ("articles", "add_image"),
    ("models_catalog", "view_aimodel"),
    ("models_catalog", "tag_aimodel"),
    ("taggit", "view_tag"),
    ("taggit", "add_tag"),
]


def sync_roles(apps=global_apps, using=DEFAULT_DB_ALIAS, verbosity=0):
    """Create both groups if missing and add their permissions (never removes any)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for label in EDITOR_APPS:
        try:
            create_permissions(apps.get_app_config(label), verbosity=verbosity, using=using)
        except LookupError:
            continue
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    authors, _ = Group.objects.using(using).get_or_create(name=AUTHORS)
    permissions = Permission.objects.using(using).select_related("content_type")
    editors.permissions.add(*permissions.filter(content_type__app_label__in=EDITOR_APPS))
    wanted = set(AUTHOR_PERMISSIONS)
    authors.permissions.add(
        *[
            perm
            for perm in permissions.filter(content_type__app_label__in=EDITOR_APPS)
            if (perm.content_type.app_label, perm.codename) in wanted
        ]
    )


def sync_roles_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    # Connected with sender=articles, so this runs once per migrate (and after each test
    # flush); create_permissions above covers the other apps whatever their order.
    sync_roles(using=using, verbosity=kwargs.get("verbosity", 0))
