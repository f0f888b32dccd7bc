"""Grant "Organisateurs" the village's back office: commune requests, stands, kits, shifts."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISERS = "Organisateurs"

GRANTS = [
    ("events", "view_visitrequest"),
    ("events", "change_visitrequest"),
    ("events", "decide_visitrequest"),
    ("events", "view_stand"),
    ("events", "add_stand"),
    ("events", "change_stand"),
    ("events", "view_kitday"),
    ("events", "add_kitday"),
    ("events", "change_kitday"),
    ("events", "delete_kitday"),
    ("volunteers", "view_shift"),
    ("volunteers", "add_shift"),
    ("volunteers", "change_shift"),
    ("volunteers", "delete_shift"),
]


def grant(apps, schema_editor):
    # On a fresh database Django creates permissions only after the last migration.
    for label in ("events", "volunteers"):
        app_config = apps.get_app_config(label)
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
        ("cms", "0003_checkin_and_registration_permissions"),
        ("events", "0005_village_tour_stands_visit_requests"),
        ("volunteers", "0001_shifts"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
