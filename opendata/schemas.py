"""The open datasets and their documented fields: one definition for the CSV header, the JSON
records' keys, the Table Schema and the table on /donnees-ouvertes/.

The schemas follow the Frictionless Table Schema (version 2, https://datapackage.org/), the
form schema.data.gouv.fr and the data.gouv.fr validator read. Types are Table Schema types:
`datetime` values carry the Paris offset (+01:00 or +02:00), `list` values are joined with
`|` in the CSV (as the project stores a commune's several postcodes) and are arrays in JSON.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from events.models import EventKind, EventStatus
from indicators.rollups import ACTION, INDICATOR_KEYS, OBJECTIVE, ORIENTATION, PLAN
from territory.models import LegalForm

TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
LIST_DELIMITER = "|"
WHOLE_PERIOD = "période"
# How the page names each type and format for people who do not read Table Schema.
TYPE_LABELS = {
    "string": _("texte"),
    "integer": _("nombre entier"),
    "number": _("nombre (point décimal)"),
    "boolean": _("booléen (true ou false)"),
    "date": _("date (AAAA-MM-JJ)"),
    "datetime": _("date et heure ISO 8601 avec décalage horaire"),
    "list": _("liste (valeurs séparées par « | » dans le CSV, tableau en JSON)"),
}
FORMAT_LABELS = {"uri": _("adresse web"), "email": _("adresse de courriel")}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Table Schema type: string, integer, number, boolean, date, datetime, list
    title: str
    description: str
    format: str = ""  # "email", "uri" for strings
    required: bool = False
    enum: tuple = ()

    @property
    def type_label(self) -> str:
        label = str(TYPE_LABELS[self.type])
        if self.format:
            label = f"{label}, {FORMAT_LABELS[self.format]}"
        return label

    def descriptor(self) -> dict:
        descriptor = {
            "name": self.name,
            "type": self.type,
            "title": str(self.title),
            "description": str(self.description),
        }
        if self.format:
            descriptor["format"] = self.format
        if self.type == "list":
            descriptor["delimiter"] = LIST_DELIMITER
            descriptor["itemType"] = "string"
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            descriptor["constraints"] = constraints
        return descriptor


@dataclass(frozen=True)
class Dataset:
    slug: str  # the file names: <slug>.csv, <slug>.json, <slug>.schema.json
    title: str
    description: str
    frequency: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def table_schema(self) -> dict:
        return {
            "$schema": TABLE_SCHEMA_PROFILE,
            "name": self.slug,
            "title": str(self.title),
            "description": str(self.description),
            "fields": [f.descriptor() for f in self.fields],
            "primaryKey": list(self.primary_key),
            "missingValues": [""],
        }


EVENTS = Dataset(
    slug="evenements",
    title=_("Événements publics"),
    description=_(
        "Les rendez-vous publiés dans l'agenda du territoire, passés et à venir : petits-déjeuners thématiques, "
        "étapes du village itinérant, sensibilisations des élu·es et des jeunes. Les événements annulés ou reportés "
        "restent dans le fichier avec leur statut. Aucune donnée personnelle : ni inscrit·es, ni contacts."
    ),
    frequency=_("En continu : chaque publication ou modification d'un événement change le fichier."),
    fields=(
        Field(
            "id", "integer", _("Identifiant"), _("Identifiant stable de l'événement (celui de l'API)."), required=True
        ),
        Field(
            "kind",
            "string",
            _("Type"),
            _("Type d'événement, valeur de l'API."),
            required=True,
            enum=tuple(EventKind.values),
        ),
        Field("kind_label", "string", _("Libellé du type"), _("Type d'événement, en français.")),
        Field("title", "string", _("Titre"), _("Titre de l'événement."), required=True),
        Field("summary", "string", _("Résumé"), _("Présentation en une phrase.")),
        Field("start", "datetime", _("Début"), _("Début, ISO 8601 avec le décalage horaire de Paris."), required=True),
        Field("end", "datetime", _("Fin"), _("Fin, ISO 8601 avec le décalage horaire de Paris."), required=True),
        Field(
            "start_date",
            "date",
            _("Date"),
            _("Date locale (heure de Paris) du début : celle des filtres par mois et des indicateurs."),
            required=True,
        ),
        Field(
            "status",
            "string",
            _("Statut"),
            _("scheduled (programmé), postponed (reporté) ou cancelled (annulé)."),
            required=True,
            enum=tuple(EventStatus.values),
        ),
        Field("status_label", "string", _("Libellé du statut"), _("Statut, en français.")),
        Field(
            "status_note",
            "string",
            _("Précision sur le statut"),
            _("Note des organisateurs affichée sur la page (par exemple : reporté au 12 mars)."),
        ),
        Field(
            "commune_insee_code",
            "string",
            _("Code INSEE de la commune"),
            _("Code officiel géographique, 5 caractères."),
        ),
        Field("commune_name", "string", _("Commune"), _("Nom officiel de la commune.")),
        Field("venue_name", "string", _("Lieu"), _("Nom du lieu ; vide si seule la commune est connue.")),
        Field("venue_address", "string", _("Adresse du lieu"), _("Adresse du lieu, telle que publiée.")),
        Field(
            "latitude",
            "number",
            _("Latitude"),
            _("WGS 84, en degrés décimaux : celle du lieu, sinon celle du centre de la commune."),
        ),
        Field("longitude", "number", _("Longitude"), _("WGS 84, en degrés décimaux : voir latitude.")),
        Field(
            "coordinates_from",
            "string",
            _("Origine des coordonnées"),
            _("venue : le lieu ; commune : le centre de la commune (Base officielle des codes postaux)."),
            enum=("venue", "commune"),
        ),
        Field("capacity", "integer", _("Nombre de places"), _("Vide : pas de limite ou pas d'inscription.")),
        Field(
            "plan_actions",
            "list",
            _("Actions du plan"),
            _("Codes des actions du plan d'actions que sert l'événement (par exemple O3.2.a)."),
        ),
        Field("url", "string", _("Adresse de la page"), _("Page publique de l'événement."), format="uri"),
        Field(
            "last_modified",
            "datetime",
            _("Dernière publication"),
            _("Date de la dernière publication de la page, avec le décalage horaire de Paris."),
        ),
    ),
    primary_key=("id",),
)

ORGANISATIONS = Dataset(
    slug="structures",
    title=_("Structures de l'ESS de l'annuaire"),
    description=_(
        "Les associations, coopératives, mutuelles, fondations et entreprises agréées ESUS publiées dans l'annuaire "
        "des acteurs, une ligne par structure, avec les coordonnées que leur fiche publie."
    ),
    frequency=_("En continu : chaque structure publiée, modifiée ou retirée de l'annuaire change le fichier."),
    fields=(
        Field(
            "slug",
            "string",
            _("Identifiant"),
            _("Identifiant stable de la structure, celui de l'adresse de sa fiche."),
            required=True,
        ),
        Field("name", "string", _("Nom"), _("Nom de la structure."), required=True),
        Field(
            "legal_form",
            "string",
            _("Forme juridique"),
            _("Code de la forme juridique."),
            required=True,
            enum=tuple(LegalForm.values),
        ),
        Field("legal_form_label", "string", _("Libellé de la forme juridique"), _("Forme juridique, en français.")),
        Field("sectors", "list", _("Secteurs"), _("Secteurs d'activité de l'ESS, par ordre alphabétique.")),
        Field(
            "commune_insee_code",
            "string",
            _("Code INSEE de la commune"),
            _("Code officiel géographique, 5 caractères."),
        ),
        Field("commune_name", "string", _("Commune"), _("Nom officiel de la commune.")),
        Field("postcode", "string", _("Code postal"), _("Code postal principal de la commune.")),
        Field("address", "string", _("Adresse"), _("Adresse publiée sur la fiche.")),
        Field("summary", "string", _("En une phrase"), _("Présentation de la structure en une phrase.")),
        Field("website", "string", _("Site web"), _("Site web de la structure."), format="uri"),
        Field(
            "contact_email",
            "string",
            _("Courriel de contact"),
            _("Courriel de contact de la structure, tel que sa fiche le publie."),
            format="email",
        ),
        Field("contact_phone", "string", _("Téléphone"), _("Téléphone de la structure, tel que sa fiche le publie.")),
        Field(
            "is_example",
            "boolean",
            _("Exemple"),
            _("true : structure fictive des données de démonstration, à ne pas réutiliser comme une vraie."),
            required=True,
        ),
        Field("url", "string", _("Adresse de la fiche"), _("Fiche publique de la structure."), format="uri"),
        Field(
            "last_modified",
            "datetime",
            _("Dernière modification"),
            _("Date de la dernière modification de la fiche, avec le décalage horaire de Paris."),
        ),
    ),
    primary_key=("slug",),
)

INDICATOR_VALUES = Dataset(
    slug="indicateurs",
    title=_("Indicateurs du plan d'actions"),
    description=_(
        "Les indicateurs agrégés du plan d'actions en vigueur, à chaque niveau (plan, orientations, objectifs, "
        "actions), pour chaque année du plan et pour toute sa durée : les chiffres de la page « Le plan en "
        "chiffres ». Une ligne par niveau, indicateur et période. Uniquement des totaux : aucune personne."
    ),
    frequency=_(
        "Recalculé à chaque téléchargement : les chiffres changent quand un événement se termine ou qu'un pointage "
        "est enregistré."
    ),
    fields=(
        Field("plan", "string", _("Plan"), _("Titre court du plan d'actions."), required=True),
        Field(
            "level",
            "string",
            _("Niveau"),
            _("plan, orientation, objective (objectif) ou action."),
            required=True,
            enum=(PLAN, ORIENTATION, OBJECTIVE, ACTION),
        ),
        Field("level_label", "string", _("Libellé du niveau"), _("Niveau, en français.")),
        Field(
            "parent_code",
            "string",
            _("Code du parent"),
            _(
                "Code de l'orientation d'un objectif, de l'objectif d'une action ; vide pour le plan et les orientations."
            ),
        ),
        Field("code", "string", _("Code"), _("Code du nœud dans le plan (par exemple O3.1.b)."), required=True),
        Field("title", "string", _("Intitulé"), _("Intitulé du nœud dans le plan.")),
        Field(
            "indicator",
            "string",
            _("Indicateur"),
            _("Clé de l'indicateur, la même que dans l'API."),
            required=True,
            enum=tuple(INDICATOR_KEYS),
        ),
        Field("indicator_label", "string", _("Libellé de l'indicateur"), _("Indicateur, en français.")),
        Field("unit", "string", _("Unité"), _("« % », « h », « jours », ou vide pour un nombre.")),
        Field(
            "period",
            "string",
            _("Période"),
            _("L'année (quatre chiffres), ou « période » pour toute la durée du plan."),
            required=True,
        ),
        Field("year", "integer", _("Année"), _("L'année comptée ; vide pour toute la durée du plan.")),
        Field(
            "value",
            "number",
            _("Valeur"),
            _("Valeur calculée ; vide quand un taux ou un délai n'a pas de base."),
        ),
        Field(
            "target", "number", _("Cible"), _("Cible fixée par le plan pour ce nœud et cette période, s'il y en a une.")
        ),
    ),
    # The plans' codes are hierarchical (O3.1.b lies under O3.1, under O3), so a code names one
    # node of its level within a plan.
    primary_key=("level", "code", "indicator", "period"),
)

DATASETS = {dataset.slug: dataset for dataset in (EVENTS, ORGANISATIONS, INDICATOR_VALUES)}
