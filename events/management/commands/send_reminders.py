from django.core.management.base import BaseCommand

from events.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "Met en file les rappels des événements qui commencent dans les deux jours, et renvoie les "
        "courriels restés en attente. Lancée chaque heure par django-q2 ; sans effet la deuxième fois."
    )

    def handle(self, *args, **options):
        count = send_reminders()
        self.stdout.write(f"{count} courriel(s) mis en file.")
