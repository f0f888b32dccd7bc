"""The hourly schedules that remind volunteers of their shifts and record the no-shows.

volunteers.tasks.queue_shift_reminders (volunteers/reminders.py) and
volunteers.tasks.record_no_shows (volunteers/presence.py). A data migration rather than
code at start-up: each schedule exists once per database, and organisers can see or
pause it in the admin ("Tâches de fond").
"""

from django.db import migrations

SCHEDULES = {
    "Rappels des créneaux bénévoles": "volunteers.tasks.queue_shift_reminders",
    "Absences aux créneaux bénévoles": "volunteers.tasks.record_no_shows",
}


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func in SCHEDULES.items():
        Schedule.objects.update_or_create(name=name, defaults={"func": func, "schedule_type": "H", "repeats": -1})


def delete_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0005_missions_matches_presence_and_feed"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
