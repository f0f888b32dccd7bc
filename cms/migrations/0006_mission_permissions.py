"""Grant "Organisateurs" the volunteers' missions (add, change, delete, view) and their matches (view, change)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISERS = "Organisateurs"

GRANTS = [
    ("volunteers", "add_mission"),
    ("volunteers", "change_mission"),
    ("volunteers", "delete_mission"),
    ("volunteers", "view_mission"),
    ("volunteers", "view_missionmatch"),
    ("volunteers", "change_missionmatch"),
]


def grant(apps, schema_editor):
    # On a fresh database Django creates permissions only after the last migration.
    app_config = apps.get_app_config("volunteers")
    app_config.models_module = True
    try:
        create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ORGANISERS)
    for app_label, codename in GRANTS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ORGANISERS).first()
    if group is None:
        return
    for app_label, codename in GRANTS:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_volunteer_permissions"),
        ("volunteers", "0005_missions_matches_presence_and_feed"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
