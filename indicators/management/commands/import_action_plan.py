from django.core.management.base import BaseCommand, CommandError

from indicators.services import PlanImportError, import_action_plan, shipped_plans
from territory.models import Territory


class Command(BaseCommand):
    help = (
        "Importe un plan d'actions (orientations > objectifs > actions) depuis un fichier YAML. "
        "Plans fournis : " + ", ".join(shipped_plans()) + ". Relancer l'import met le plan à jour sans doublons."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Chemin d'un fichier YAML, ou nom d'un plan fourni.")
        parser.add_argument(
            "--territory",
            metavar="IDENTIFIANT",
            help="Identifiant (slug) du territoire du plan, quand il diffère du nom écrit dans le fichier.",
        )

    def handle(self, *args, file, territory, **options):
        territory_obj = None
        if territory:
            territory_obj = Territory.objects.filter(slug=territory).first()
            if territory_obj is None:
                known = ", ".join(Territory.objects.values_list("slug", flat=True)) or "aucun"
                raise CommandError(
                    f"Territoire inconnu : {territory}. Territoires existants : {known}. "
                    "Importez d'abord ses communes avec import_communes."
                )
        try:
            result = import_action_plan(file, territory=territory_obj)
        except PlanImportError as exc:
            raise CommandError(str(exc)) from exc

        if result.plan_created:
            self.stdout.write(f"Plan créé : {result.plan.title}.")
        self.stdout.write(result.summary())
        for warning in result.warnings:
            self.stderr.write(f"Attention : {warning}")
        if not result.changed_anything:
            self.stdout.write("Rien n'a changé.")
