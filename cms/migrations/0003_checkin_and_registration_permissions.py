"""Grant the check-in and registration permissions to the back-office roles.

"Équipe de pointage" (door and stand staff) may check people in and count visitors,
and see the registrations of the events they scan; "Organisateurs" may do the same and
manage registrations (walk-ins, cancellations) in the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISERS = "Organisateurs"
CHECKIN_STAFF = "Équipe de pointage"

GRANTS = {
    ORGANISERS: [
        ("events", "perform_checkin"),
        ("events", "view_checkin"),
        ("events", "view_scan"),
        ("events", "view_registration"),
        ("events", "add_registration"),
        ("events", "change_registration"),
        ("events", "view_visitorcheckin"),
        ("events", "view_tallymark"),
        ("events", "view_outgoingemail"),
    ],
    CHECKIN_STAFF: [
        ("events", "perform_checkin"),
        ("events", "view_registration"),
    ],
}


def grant(apps, schema_editor):
    # On a fresh database Django creates permissions only after the last migration.
    app_config = apps.get_app_config("events")
    app_config.models_module = True
    try:
        create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codename in codenames:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for app_label, codename in codenames:
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_organiser_group"),
        ("events", "0002_registrations_tickets_checkins"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
