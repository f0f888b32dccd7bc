"""Sectors, example ESS organisations and example venues of the demo.

The organisations are fictional (names chosen not to match real structures of the
Valenciennois) and flagged `is_example`; their web and mail addresses are under
example.org, reserved for documentation. The venues sit in real communes, but no open
dataset lists the area's markets (territory/data/communes/SOURCES.md): the markets, their
days and hours are examples too, and their names say so.
"""

import datetime as dt

from django.db.models import Q

from territory.models import PARIS, Commune, LegalForm, Organisation, Sector, Territory, Venue, VenueClosure, VenueKind

SECTORS = {
    "alimentation-durable": "Alimentation durable",
    "reemploi-recyclage": "Réemploi et recyclage",
    "insertion": "Insertion par l'activité économique",
    "mobilite": "Mobilité",
    "culture": "Culture",
    "habitat": "Habitat",
    "finance-solidaire": "Finance solidaire",
    "services-a-la-personne": "Services à la personne",
    "education-populaire": "Éducation populaire",
    "energie": "Énergie",
}


def _organisation(slug, name, legal_form, commune, sectors, summary, description):
    return {
        "slug": slug,
        "name": name,
        "legal_form": legal_form,
        "commune": commune,
        "sectors": sectors,
        "summary": summary,
        "description": description,
        "website": f"https://example.org/{slug}",
        "contact_email": f"{slug}@example.org",
    }


ORGANISATIONS = [
    _organisation(
        "ressourcerie-des-deux-rives",
        "Ressourcerie des Deux Rives",
        LegalForm.ASSOCIATION,
        "Anzin",
        ["reemploi-recyclage", "insertion"],
        "Collecte, répare et revend à petits prix meubles, vaisselle, livres et jouets.",
        "<p>Installée dans un ancien entrepôt, la ressourcerie donne une seconde vie à une centaine de "
        "tonnes d'objets par an. Ses salariés en parcours d'insertion trient, réparent et tiennent la "
        "boutique ; des ateliers de réparation sont ouverts aux habitants chaque mois.</p>",
    ),
    _organisation(
        "le-panier-partage",
        "Le Panier Partagé",
        LegalForm.ASSOCIATION,
        "Valenciennes",
        ["alimentation-durable"],
        "Épicerie solidaire : des produits frais et locaux accessibles à toutes les bourses.",
        "<p>Les familles orientées par les travailleurs sociaux y font leurs courses à 20 % du prix, "
        "les autres clients paient un prix juste qui finance la solidarité. L'épicerie s'approvisionne "
        "auprès de maraîchers du territoire et propose des ateliers cuisine anti-gaspillage.</p>",
    ),
    _organisation(
        "jardins-de-l-ecaillon",
        "Les Jardins de l'Écaillon",
        LegalForm.ASSOCIATION,
        "Monchaux-sur-Écaillon",
        ["insertion", "alimentation-durable"],
        "Chantier d'insertion maraîcher : des légumes bio en paniers et des parcours vers l'emploi.",
        "<p>Sur trois hectares au bord de l'Écaillon, une vingtaine de salariés en insertion cultivent "
        "des légumes biologiques vendus en paniers hebdomadaires. Chacun y construit son projet "
        "professionnel avec une accompagnatrice socioprofessionnelle.</p>",
    ),
    _organisation(
        "rayons-libres",
        "Rayons Libres",
        LegalForm.ASSOCIATION,
        "Valenciennes",
        ["mobilite", "reemploi-recyclage"],
        "Atelier vélo participatif : apprendre à réparer son vélo et remettre en route des vélos donnés.",
        "<p>Des bénévoles mécaniciens accueillent chacun pour réparer son vélo avec les outils de "
        "l'atelier. Les vélos donnés sont remis en état et revendus à petit prix ; des séances de remise "
        "en selle sont proposées aux adultes qui n'ont jamais appris à rouler.</p>",
    ),
    _organisation(
        "coop-batir-escaut",
        "Coop'Bâtir Escaut",
        LegalForm.COOPERATIVE,
        "Condé-sur-l'Escaut",
        ["habitat", "energie"],
        "SCOP du bâtiment : rénovation énergétique et écoconstruction avec des matériaux biosourcés.",
        "<p>Les quinze salariés associés de la coopérative rénovent maisons de ville et logements "
        "sociaux : isolation en fibre de bois ou en paille, menuiseries, ventilation. Chaque année, "
        "la SCOP forme des apprentis aux techniques de l'écoconstruction.</p>",
    ),
    _organisation(
        "toits-solaires-du-hainaut",
        "Toits Solaires du Hainaut",
        LegalForm.COOPERATIVE,
        "Quiévrechain",
        ["energie", "finance-solidaire"],
        "SCIC d'énergie citoyenne : des panneaux solaires sur les toits publics, financés par les habitants.",
        "<p>Habitants, communes et entreprises locales sont sociétaires de cette société coopérative "
        "d'intérêt collectif. Elle installe des centrales photovoltaïques sur des écoles et des salles "
        "de sport, et réinvestit ses bénéfices dans des actions de sobriété énergétique.</p>",
    ),
    _organisation(
        "mutuelle-des-trois-rivieres",
        "Mutuelle des Trois Rivières",
        LegalForm.MUTUAL,
        "Valenciennes",
        ["services-a-la-personne"],
        "Mutuelle de santé à but non lucratif, gouvernée par ses adhérents.",
        "<p>Ses adhérents élisent leurs délégués et décident ensemble des garanties et des cotisations. "
        "Au-delà du remboursement des soins, la mutuelle anime des actions de prévention : dépistage, "
        "ateliers équilibre pour les seniors, accompagnement des aidants.</p>",
    ),
    _organisation(
        "fondation-horizons-partages",
        "Fondation Horizons Partagés",
        LegalForm.FOUNDATION,
        "Valenciennes",
        ["education-populaire", "finance-solidaire"],
        "Fondation qui soutient les projets de jeunes du territoire : bourses, prêts d'honneur, parrainage.",
        "<p>La fondation accompagne chaque année une quarantaine de jeunes de 16 à 25 ans qui portent un "
        "projet associatif, culturel ou d'entreprise. Elle finance, met en relation avec des parrains "
        "et marraines bénévoles et fait connaître leurs réalisations.</p>",
    ),
    _organisation(
        "tremplin-finance-solidaire",
        "Tremplin Finance Solidaire",
        LegalForm.ASSOCIATION,
        "Saint-Saulve",
        ["finance-solidaire"],
        "Aide les porteurs de projets solidaires à trouver leur financement : prêts, garanties, épargne locale.",
        "<p>L'association étudie les projets de création ou de développement d'activités d'utilité "
        "sociale, accorde des prêts sans intérêt et met en relation avec les banques et les plateformes "
        "de financement participatif. Des bénévoles issus de la banque et de l'expertise comptable "
        "suivent les projets financés.</p>",
    ),
    _organisation(
        "presences-escaut",
        "Présences Escaut",
        LegalForm.ASSOCIATION,
        "Bruay-sur-l'Escaut",
        ["services-a-la-personne", "insertion"],
        "Aide et accompagnement à domicile des personnes âgées ou en situation de handicap.",
        "<p>Une soixantaine d'aides à domicile interviennent chaque jour pour les courses, les repas, "
        "l'entretien du logement et la compagnie. L'association forme ses salariées et privilégie "
        "les contrats stables et les temps de trajet rémunérés.</p>",
    ),
    _organisation(
        "les-treteaux-nomades",
        "Les Tréteaux Nomades",
        LegalForm.ASSOCIATION,
        "Vieux-Condé",
        ["culture", "education-populaire"],
        "Compagnie de théâtre de rue qui joue et crée avec les habitants, de place en place.",
        "<p>La compagnie installe son chapiteau dans les quartiers et les villages, monte des spectacles "
        "avec les habitants et anime des ateliers d'expression dans les écoles et les centres sociaux. "
        "Ses comédiens animent les étapes du Village de l'ESS avec des saynètes sur l'économie solidaire.</p>",
    ),
    _organisation(
        "maison-de-quartier-la-boussole",
        "Maison de quartier La Boussole",
        LegalForm.ASSOCIATION,
        "Onnaing",
        ["education-populaire"],
        "Centre social associatif : accueil des familles, soutien scolaire, sorties et projets d'habitants.",
        "<p>Gérée par un conseil d'administration d'habitants, la maison de quartier accueille les "
        "familles du lundi au samedi : accompagnement à la scolarité, ateliers numériques, sorties "
        "culturelles et un café des parents où naissent des projets collectifs.</p>",
    ),
    _organisation(
        "la-manufacture-partagee",
        "La Manufacture Partagée",
        LegalForm.COOPERATIVE,
        "Marly",
        ["culture", "reemploi-recyclage"],
        "Tiers-lieu coopératif : atelier partagé, repair café, espace de travail et programmation culturelle.",
        "<p>Cette SCIC réunit artisans, associations, habitants et la commune autour d'une ancienne "
        "friche réhabilitée : un atelier de fabrication ouvert à tous, un espace de travail partagé, "
        "une cantine et une salle où se tiennent concerts, débats et petits-déjeuners thématiques.</p>",
    ),
    _organisation(
        "les-bocaux-voyageurs",
        "Les Bocaux Voyageurs",
        LegalForm.ESUS_COMPANY,
        "Aulnoy-lez-Valenciennes",
        ["alimentation-durable", "reemploi-recyclage"],
        "Entreprise solidaire agréée ESUS : repas à emporter en bocaux consignés, cuisinés par des salariés en insertion.",
        "<p>La cuisine prépare chaque jour des plats de saison à partir de produits locaux, livrés en "
        "bocaux de verre consignés aux entreprises et aux administrations du territoire. Les bocaux "
        "sont lavés sur place ; l'entreprise emploie des personnes éloignées de l'emploi.</p>",
    ),
    _organisation(
        "garage-solidaire-du-hainaut",
        "Garage Solidaire du Hainaut",
        LegalForm.ESUS_COMPANY,
        "Petite-Forêt",
        ["mobilite", "insertion"],
        "Entreprise solidaire agréée ESUS : réparation et location de véhicules à petit prix pour aller travailler.",
        "<p>Le garage répare à prix réduit les voitures des personnes aux revenus modestes orientées par "
        "les partenaires de l'emploi, et loue voitures et scooters à celles qui reprennent un emploi ou "
        "une formation. Ses mécaniciens encadrent des salariés en parcours d'insertion.</p>",
    ),
]


def _venue(commune, name, kind, **fields):
    return {"commune": commune, "name": name, "kind": kind, **fields}


# Weekly markets: examples, see the module docstring. Hours are typical of the area's
# markets: mornings, and one late-afternoon producers' market.
VENUES = [
    _venue(
        "Valenciennes",
        "Marché du samedi matin (exemple)",
        VenueKind.MARKET,
        recurrence="FREQ=WEEKLY;BYDAY=SA",
        opens_at=dt.time(8, 0),
        closes_at=dt.time(13, 0),
    ),
    _venue(
        "Anzin",
        "Marché du mercredi (exemple)",
        VenueKind.MARKET,
        recurrence="FREQ=WEEKLY;BYDAY=WE",
        opens_at=dt.time(8, 0),
        closes_at=dt.time(12, 30),
    ),
    _venue(
        "Saint-Saulve",
        "Marché du dimanche (exemple)",
        VenueKind.MARKET,
        recurrence="FREQ=WEEKLY;BYDAY=SU",
        opens_at=dt.time(8, 30),
        closes_at=dt.time(13, 0),
    ),
    _venue(
        "Condé-sur-l'Escaut",
        "Marché du jeudi (exemple)",
        VenueKind.MARKET,
        recurrence="FREQ=WEEKLY;BYDAY=TH",
        opens_at=dt.time(8, 0),
        closes_at=dt.time(12, 30),
    ),
    _venue(
        "Marly",
        "Marché de producteurs du vendredi (exemple)",
        VenueKind.MARKET,
        recurrence="FREQ=WEEKLY;BYDAY=FR",
        opens_at=dt.time(15, 0),
        closes_at=dt.time(19, 0),
    ),
    _venue(
        "Valenciennes",
        "Hôtel de ville",
        VenueKind.TOWN_HALL,
        accessibility="Entrée de plain-pied par la cour, ascenseur jusqu'aux salles de réunion.",
    ),
    _venue("Condé-sur-l'Escaut", "Mairie", VenueKind.TOWN_HALL, accessibility="Salle du conseil au rez-de-chaussée."),
    _venue("Marly", "Mairie", VenueKind.TOWN_HALL, accessibility="Salle du conseil accessible par un ascenseur."),
    _venue(
        "Saint-Saulve",
        "Médiathèque",
        VenueKind.LIBRARY,
        accessibility="Accès de plain-pied, boucle magnétique à l'accueil.",
    ),
    _venue("Valenciennes", "Lycée des Trois-Rivières (exemple)", VenueKind.SCHOOL),
    _venue("Marly", "Collège de la Rhonelle (exemple)", VenueKind.SCHOOL),
    _venue("Onnaing", "Salle des fêtes", VenueKind.HALL, accessibility="Accès de plain-pied, toilettes adaptées."),
    _venue(
        "Marly",
        "La Manufacture Partagée",
        VenueKind.THIRD_PLACE,
        accessibility="Rez-de-chaussée accessible en fauteuil, places de stationnement réservées.",
    ),
    _venue("Vieux-Condé", "Espace jeunesse", VenueKind.OTHER),
]


def load_sectors(report) -> dict[str, Sector]:
    sectors = {}
    for slug, name in SECTORS.items():
        # An organiser may have created the same sector under another slug: reuse it.
        sector = Sector.objects.filter(Q(slug=slug) | Q(name=name)).first()
        report.tally("secteurs", sector is None)
        sectors[slug] = sector or Sector.objects.create(slug=slug, name=name)
    return sectors


def _communes(territory: Territory, names) -> dict[str, Commune]:
    communes = {commune.name: commune for commune in Commune.objects.in_territory(territory).filter(name__in=names)}
    missing = set(names) - set(communes)
    if missing:
        raise LookupError(f"Communes absentes du territoire {territory} : {', '.join(sorted(missing))}")
    return communes


def load_organisations(report, territory: Territory, sectors: dict[str, Sector]) -> dict[str, Organisation]:
    communes = _communes(territory, {spec["commune"] for spec in ORGANISATIONS})
    existing = Organisation.objects.in_bulk([spec["slug"] for spec in ORGANISATIONS], field_name="slug")
    organisations = {}
    for spec in ORGANISATIONS:
        organisation = existing.get(spec["slug"])
        report.tally("structures", organisation is None)
        if organisation is None:
            fields = {key: value for key, value in spec.items() if key != "sectors"}
            organisation = Organisation.objects.create(
                **{**fields, "commune": communes[spec["commune"]]}, is_example=True, is_published=True
            )
            organisation.sectors.set([sectors[slug] for slug in spec["sectors"]])
        organisations[spec["slug"]] = organisation
    return organisations


# France's fixed-date bank holidays: a weekly market that falls on one usually does not take place.
BANK_HOLIDAYS = {
    (1, 1): "Jour de l'an",
    (5, 1): "Fête du Travail",
    (5, 8): "Victoire 1945",
    (7, 14): "Fête nationale",
    (8, 15): "Assomption",
    (11, 1): "Toussaint",
    (11, 11): "Armistice 1918",
    (12, 25): "Noël",
}


def load_market_closures(report, venue: Venue, today: dt.date) -> None:
    """The year's bank holidays on the market's day, as days without market (EXDATE in its feed)."""
    after = dt.datetime.combine(today, dt.time.min, tzinfo=PARIS)
    for start, _end in venue.next_occurrences(count=60, after=after):
        reason = BANK_HOLIDAYS.get((start.month, start.day))
        if reason and start.date() <= today + dt.timedelta(days=365):
            _closure, created = VenueClosure.objects.get_or_create(
                venue=venue, date=start.date(), defaults={"reason": reason}
            )
            report.tally("jours sans marché", created)


def load_venues(report, territory: Territory, today: dt.date | None = None) -> dict[tuple[str, str], Venue]:
    """The example venues, keyed by (commune name, venue name), and the markets' bank holidays."""
    communes = _communes(territory, {spec["commune"] for spec in VENUES})
    venues = {}
    for spec in VENUES:
        commune = communes[spec["commune"]]
        fields = {key: value for key, value in spec.items() if key not in ("commune", "name")}
        venue, created = Venue.objects.get_or_create(
            commune=commune, name=spec["name"], defaults={**fields, "is_example": True}
        )
        report.tally("lieux", created)
        if today is not None and venue.recurrence:
            load_market_closures(report, venue, today)
        venues[spec["commune"], spec["name"]] = venue
    return venues
