"""Grant "Organisateurs" the indicators' targets and the governance bodies' meetings."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISERS = "Organisateurs"

GRANTS = [
    *(("indicators", f"{action}_indicatortarget") for action in ("add", "change", "delete", "view")),
    *(("indicators", f"{action}_committeemeeting") for action in ("add", "change", "delete", "view")),
]


def grant(apps, schema_editor):
    # On a fresh database Django creates permissions only after the last migration.
    app_config = apps.get_app_config("indicators")
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
        ("cms", "0006_mission_permissions"),
        ("indicators", "0002_targets_and_committee_meetings"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
