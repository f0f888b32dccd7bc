from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.demo import DemoAccountStatus, load_demo
from cms.demo.account import DEMO_PASSWORD, DEMO_USERNAME
from territory.services import DataImportError


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : communes de Valenciennes Métropole, PLDESS 2021-2026, "
        "pages du site, structures, lieux et événements d'exemple. Relancer la commande ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-demo-account",
            action="store_true",
            help=f"Crée le compte organisateur {DEMO_USERNAME} même hors mode DEBUG (mot de passe public).",
        )

    def handle(self, *args, with_demo_account, **options):
        # The account's password is public (README, `make run`): never create it on a
        # production site by accident.
        with_account = with_demo_account or settings.DEBUG
        try:
            report = load_demo(with_demo_account=with_account)
        except DataImportError as exc:
            raise CommandError(str(exc)) from exc

        self.stdout.write(f"{report.communes.territory} — {report.communes.summary()}")
        self.stdout.write(report.plan.summary())
        for warning in report.plan.warnings:
            self.stderr.write(f"Attention : {warning}")
        for label, counter in report.rows.items():
            self.stdout.write(
                f"{label.capitalize()} : {counter['created']} créé(s), {counter['existing']} déjà présent(s)"
            )
        if report.account == DemoAccountStatus.CREATED:
            self.stdout.write(f"Compte organisateur créé : {DEMO_USERNAME} / {DEMO_PASSWORD}")
        elif report.account == DemoAccountStatus.EXISTING:
            self.stdout.write(f"Compte organisateur {DEMO_USERNAME} déjà présent (laissé tel quel).")
        else:
            self.stdout.write(
                f"Compte organisateur {DEMO_USERNAME} non créé (DEBUG désactivé) : "
                "relancez avec --with-demo-account pour le créer."
            )
        if report.created_anything:
            self.stdout.write(self.style.SUCCESS("Démonstration chargée."))
        else:
            self.stdout.write("Démonstration déjà chargée : rien n'a changé.")
