"""The two editorial roles and their permissions.

A data migration creates the groups (so every database has them); this module gives them
their permissions after every `migrate`, because permissions only exist once post_migrate
has created them, and the catalog app's may arrive in a later migration than ours.

Authors upload images (`add_image`) and see the whole library (`view_image`), so any
picture can be reused; changing or deleting an image is the editors' job. They create tags
by typing them in the tag field of an article or a catalog entry, which needs no tag
permission at all: the tag admin (rename, describe, merge, delete, add a bare tag) is the
editors' too, so Authors only view it (README, "Roles"; tests/articles/test_author_rights.py).
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
]
# Granted by earlier versions and taken back on the next `migrate`: `add_tag` only opened
# the tag admin's "add" form, which authors never needed to tag anything (issue 12).
REVOKED_AUTHOR_PERMISSIONS = [("taggit", "add_tag")]


def sync_roles(apps=global_apps, using=DEFAULT_DB_ALIAS, verbosity=0):
    """Create both groups if missing and add their permissions.

    Permissions given by hand are kept; only REVOKED_AUTHOR_PERMISSIONS are taken away.
    """
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
    ours = list(permissions.filter(content_type__app_label__in=EDITOR_APPS))
    authors.permissions.add(*_matching(ours, AUTHOR_PERMISSIONS))
    authors.permissions.remove(*_matching(ours, REVOKED_AUTHOR_PERMISSIONS))


def _matching(permissions, wanted):
    wanted = set(wanted)
    return [perm for perm in permissions if (perm.content_type.app_label, perm.codename) in wanted]


def sync_roles_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    # Connected with sender=articles, so this runs once per migrate (and after each test
    # flush); create_permissions above covers the other apps whatever their order.
    sync_roles(using=using, verbosity=kwargs.get("verbosity", 0))
