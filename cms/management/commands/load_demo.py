from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cms.demo import DemoAccountStatus, load_demo
from cms.demo.account import CONTACT_ORGANISATION, CONTACT_USERNAME, DEMO_PASSWORD, DEMO_USERNAME
from cms.demo.second_territory import ORGANISER_USERNAME as SECOND_ORGANISER
from cms.demo.site import demo_port
from cms.demo.volunteers import VOLUNTEER_USERNAME
from territory.models import Organisation
from territory.services import DataImportError

User = get_user_model()


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : communes de Valenciennes Métropole, PLDESS 2021-2026, "
        "pages du site, structures, lieux et événements d'exemple, tournées du village avec stands, bénévoles "
        "et demandes des communes. Relancer la commande ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-demo-account",
            action="store_true",
            help=f"Crée les comptes {DEMO_USERNAME} (organisatrice) et {CONTACT_USERNAME} (contact d'une structure) "
            "même hors mode DEBUG (mot de passe public).",
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
            parts = [f"{counter['created']} créé(s)", f"{counter['existing']} déjà présent(s)"]
            if counter["moved"]:
                parts.append(f"{counter['moved']} déplacé(s)")
            if counter["removed"]:
                parts.append(f"{counter['removed']} supprimé(s)")
            self.stdout.write(f"{label.capitalize()} : {', '.join(parts)}")
        for warning in report.warnings:
            self.stderr.write(f"Attention : {warning}")
        organisation = Organisation.objects.filter(slug=CONTACT_ORGANISATION).first()
        accounts = [
            ("Compte organisateur", DEMO_USERNAME, report.account, ""),
            ("Compte structure", CONTACT_USERNAME, report.contact_account, f" (contact de {organisation})"),
            ("Compte bénévole", VOLUNTEER_USERNAME, report.volunteer_account, ""),
        ]
        for label, username, status, detail in accounts:
            if status == DemoAccountStatus.CREATED:
                self.stdout.write(f"{label} créé : {username} / {DEMO_PASSWORD}{detail}")
            elif status == DemoAccountStatus.EXISTING:
                self.stdout.write(f"{label} {username} déjà présent (laissé tel quel).")
            else:
                self.stdout.write(
                    f"{label} {username} non créé (DEBUG désactivé) : relancez avec --with-demo-account pour le créer."
                )
        if User.objects.filter(username=SECOND_ORGANISER).exists():
            self.stdout.write(
                f"Second territoire : http://sambre-avesnois.localhost:{demo_port() or 8000}/ ; son organisateur : "
                f"{SECOND_ORGANISER} / {DEMO_PASSWORD} (ne voit que ce territoire)."
            )
        if report.created_anything:
            self.stdout.write(self.style.SUCCESS("Démonstration chargée."))
        else:
            self.stdout.write("Démonstration déjà chargée : rien n'a changé.")
