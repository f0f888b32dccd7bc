"""The hourly schedule that sends the reminders two days before events (events.tasks.send_reminders).

A data migration rather than code at start-up: the schedule exists once per database,
and organisers can see or pause it in the admin ("Tâches de fond").
"""

from django.db import migrations

SCHEDULE_NAME = "Rappels J-2 et courriels en attente"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "events.tasks.send_reminders", "schedule_type": "H", "repeats": -1},
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_outgoing_email_context"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
