from django.core.management.base import BaseCommand, CommandError

from territory.models import Territory
from territory.sites import TerritorySiteError, prepare_territory_site


class Command(BaseCommand):
    help = (
        "Donne à un territoire son site : page d'accueil, agenda, adresse (nom d'hôte) et groupe "
        "« Organisateurs — <territoire> » limité à ses pages. Relancer la commande ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("territory", help="Identifiant du territoire (par exemple : maubeuge-val-de-sambre).")
        parser.add_argument("--hostname", required=True, help="Nom d'hôte du site (par exemple : ess.example.org).")
        parser.add_argument("--port", type=int, default=80, help="Port du site (80 par défaut).")
        parser.add_argument(
            "--site-name", default=None, help="Nom du site (par défaut : Le Village de l'ESS — <territoire>)."
        )

    def handle(self, *args, territory, hostname, port, site_name, **options):
        found = Territory.objects.filter(slug=territory).first()
        if found is None:
            known = ", ".join(Territory.objects.values_list("slug", flat=True)) or "aucun"
            raise CommandError(
                f"Territoire inconnu : {territory}. Territoires : {known}. Importez d'abord ses communes (import_communes)."
            )
        try:
            setup = prepare_territory_site(found, hostname=hostname, port=port, site_name=site_name)
        except TerritorySiteError as exc:
            raise CommandError(exc.message) from exc
        for line in setup.done:
            self.stdout.write(f"{found} : {line}.")
        if not setup.done:
            self.stdout.write(f"{found} : rien n'a changé.")
        self.stdout.write(
            f"Site {setup.site.site_name} : http://{setup.site.hostname}"
            + ("" if setup.site.port == 80 else f":{setup.site.port}")
            + "/"
        )
        self.stdout.write(
            f"Ajoutez ses organisateurs à l'équipe du territoire et au groupe « {setup.group.name} » "
            "(et non au groupe « Organisateurs », qui voit les pages du premier site)."
        )
