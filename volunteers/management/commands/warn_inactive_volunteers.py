from django.core.management.base import BaseCommand

from volunteers import services


class Command(BaseCommand):
    help = "Warn the volunteers inactive for VOLUNTEER_INACTIVITY_MONTHS, anonymise those warned 30 days ago."

    def handle(self, *args, **options):
        warned, anonymised = services.warn_then_anonymise_inactive()
        self.stdout.write(f"{warned} warned, {anonymised} anonymised")
