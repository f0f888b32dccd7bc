from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territory.services import SHIPPED_COMMUNES, DataImportError, import_communes, shipped_communes


class Command(BaseCommand):
    help = (
        "Importe les communes d'un territoire (EPCI) depuis un CSV "
        "insee_code,name,postcode,population,latitude,longitude. "
        "Fichiers fournis : " + ", ".join(SHIPPED_COMMUNES) + ". Relancer l'import ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("file_or_name", help="Chemin d'un CSV, ou nom d'un fichier fourni (par exemple : mel).")
        parser.add_argument("--territory", help="Nom du territoire (facultatif pour les fichiers fournis).")
        parser.add_argument("--siren", default="", help="SIREN de l'EPCI (9 chiffres).")
        parser.add_argument("--slug", default="", help="Identifiant du territoire (par défaut : tiré de son nom).")

    def handle(self, *args, file_or_name, territory, siren, slug, **options):
        path = Path(file_or_name)
        shipped = shipped_communes(file_or_name)
        if not path.exists():
            if shipped is None:
                raise CommandError(
                    f"Fichier introuvable : {file_or_name}. Fichiers fournis : {', '.join(SHIPPED_COMMUNES)}."
                )
            path = shipped.path
        if shipped is not None:
            territory = territory or shipped.territory_name
            siren = siren or shipped.siren
            slug = slug or shipped.slug
        if not territory:
            raise CommandError('Indiquez le nom du territoire : --territory "Nom de l\'EPCI".')

        try:
            result = import_communes(path, territory, siren=siren, slug=slug)
        except DataImportError as exc:
            raise CommandError(str(exc)) from exc

        if result.territory_created:
            self.stdout.write(f"Territoire créé : {result.territory} ({result.territory.slug}).")
        self.stdout.write(f"{result.territory} — {result.summary()}")
        for commune in result.not_in_file:
            self.stderr.write(
                f"Attention : {commune.name} ({commune.insee_code}) n'est plus dans le fichier ; "
                "la commune est conservée (des lieux ou des événements peuvent s'y rattacher)."
            )
        if not result.changed_anything:
            self.stdout.write("Rien n'a changé.")
