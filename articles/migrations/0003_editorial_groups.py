# The two editorial roles exist in every database from here on. Their permissions are added
# by articles.roles.sync_roles after each migrate (post_migrate), because permission rows
# only exist once post_migrate has run, and the catalog's arrive with its own migrations.

from django.db import migrations

GROUPS = ["Editors", "Authors"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0002_editorial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
