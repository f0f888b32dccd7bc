"""The demo's events: the four kinds, dated relative to the day the demo is loaded.

Dates run from about four months ago to about five months ahead, so the agenda has a
past and a future whenever the demo is loaded. The page slug is the idempotency key: it
does not depend on the date, so loading the demo again on another day adds nothing.
"""

import datetime as dt

from django.utils import timezone

from events.models import (
    AgendaPage,
    ElectedAwarenessPage,
    EventPage,
    EventStatus,
    ThematicBreakfastPage,
    VillageFormat,
    VillageStopPage,
    YouthLevel,
    YouthOutreachPage,
)
from indicators.models import ActionPlan
from territory.models import PARIS, Commune, Organisation, Territory, Venue

from .site import publish_child

DEMO_NOTE = "<p><i>Événement d'exemple, présenté pour la démonstration du site.</i></p>"
TUESDAY, WEDNESDAY, THURSDAY = 1, 2, 3


def in_holiday_break(day: dt.date, *, school: bool) -> bool:
    winter_break = (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 4)
    return winter_break or (school and day.month in (7, 8))


def away_from_holidays(day: dt.date, weeks: int, *, school: bool) -> dt.date:
    """Move a date out of the end-of-year break (and the summer, for schools), away from today."""
    step = dt.timedelta(weeks=1 if weeks >= 0 else -1)
    while in_holiday_break(day, school=school):
        day += step
    return day


def weekday_in_weeks(today: dt.date, weeks: int, weekday: int, *, school: bool = False) -> dt.date:
    """The first `weekday` (0 is Monday) on or after today + `weeks` weeks, out of the holidays."""
    day = today + dt.timedelta(weeks=weeks)
    day += dt.timedelta(days=(weekday - day.weekday()) % 7)
    return away_from_holidays(day, weeks, school=school)


def _between(day: dt.date, start: tuple[int, int], end: tuple[int, int]) -> dict:
    # Wall-clock times in Paris, whatever the offset on that day (summer time or not).
    return {
        "start": dt.datetime.combine(day, dt.time(*start), tzinfo=PARIS),
        "end": dt.datetime.combine(day, dt.time(*end), tzinfo=PARIS),
    }


def _market_day(venue: Venue, today: dt.date, weeks: int) -> dict:
    """The market's occurrence on or after today + `weeks`, read from its recurrence rule."""
    target = today + dt.timedelta(weeks=weeks)
    step = dt.timedelta(weeks=1 if weeks >= 0 else -1)
    while True:
        start, end = venue.next_occurrences(count=1, after=dt.datetime.combine(target, dt.time.min, tzinfo=PARIS))[0]
        if not in_holiday_break(start.date(), school=False):
            return {"start": start, "end": end}
        target += step


def _village_hours(venue: Venue) -> dict:
    """The stands go up an hour and a half before the market opens and come down an hour after."""
    opens = dt.datetime.combine(dt.date.min, venue.opens_at)
    closes = dt.datetime.combine(dt.date.min, venue.closes_at)
    return {
        "setup_from": (opens - dt.timedelta(minutes=90)).time(),
        "teardown_until": (closes + dt.timedelta(hours=1)).time(),
    }


def event_specs(today, venues, organisations, communes) -> list[tuple[type[EventPage], dict]]:
    """(page class, fields) of every demo event; fields include the slug."""

    def venue(commune, name):
        return venues[commune, name]

    def hosts(*slugs):
        return [organisations[slug] for slug in slugs]

    def in_communes(*names):
        return [communes[name] for name in names]

    def village_stop(weeks, venue_obj, **fields):
        return {"venue": venue_obj, **_market_day(venue_obj, today, weeks), **_village_hours(venue_obj), **fields}

    valenciennes_market = venue("Valenciennes", "Marché du samedi matin (exemple)")
    anzin_market = venue("Anzin", "Marché du mercredi (exemple)")
    saint_saulve_market = venue("Saint-Saulve", "Marché du dimanche (exemple)")
    conde_market = venue("Condé-sur-l'Escaut", "Marché du jeudi (exemple)")
    marly_market = venue("Marly", "Marché de producteurs du vendredi (exemple)")
    third_place = venue("Marly", "La Manufacture Partagée")

    return [
        # The itinerant village -------------------------------------------------------
        (
            VillageStopPage,
            village_stop(
                -11,
                valenciennes_market,
                slug="village-marche-valenciennes",
                title="Le Village de l'ESS au marché de Valenciennes",
                summary="Une douzaine de stands de structures de l'ESS, des animations pour les enfants "
                "et un quiz géant, au cœur du marché du samedi.",
                village_format=VillageFormat.FULL_VILLAGE,
                audience="Tout public",
                body="<p>Le village complet s'installe au cœur du marché du samedi : alimentation durable, "
                "réemploi, mobilité, finance solidaire… Venez rencontrer les structures qui font "
                "l'économie sociale et solidaire du Valenciennois, faire réviser votre vélo avec Rayons "
                "Libres ou goûter les légumes des Jardins de l'Écaillon.</p>"
                "<p>Au programme : quiz géant de l'ESS, atelier de réparation, saynètes des Tréteaux "
                "Nomades et un point d'information sur le bénévolat.</p>" + DEMO_NOTE,
                accessibility="Stands de plain-pied, allées larges accessibles en fauteuil.",
            ),
        ),
        (
            VillageStopPage,
            village_stop(
                -6,
                anzin_market,
                slug="mini-village-marche-anzin",
                title="Mini-village de l'ESS au marché d'Anzin",
                summary="Cinq stands autour du réemploi et de l'alimentation : réparer, donner, bien manger "
                "sans se ruiner.",
                village_format=VillageFormat.MINI_VILLAGE,
                audience="Tout public",
                body="<p>Un mini-village de cinq stands s'installe au marché du mercredi. La Ressourcerie des "
                "Deux Rives y montre comment elle répare et revend les objets donnés, Le Panier Partagé "
                "présente son épicerie solidaire et l'équipe ESS de Valenciennes Métropole répond à vos "
                "questions sur le bénévolat.</p>" + DEMO_NOTE,
            ),
        ),
        (
            VillageStopPage,
            village_stop(
                3,
                saint_saulve_market,
                slug="stand-marche-saint-saulve",
                title="Stand éphémère de l'ESS au marché de Saint-Saulve",
                summary="Un stand pour découvrir l'épargne solidaire et l'énergie citoyenne, avec Tremplin "
                "Finance Solidaire et Toits Solaires du Hainaut.",
                village_format=VillageFormat.SINGLE_STAND,
                audience="Tout public",
                body="<p>Où va l'argent de votre épargne ? Peut-on produire son électricité entre voisins ? "
                "Le temps d'une matinée de marché, deux structures de l'ESS vous expliquent comment "
                "placer son argent dans des projets utiles au territoire et devenir sociétaire d'une "
                "centrale solaire citoyenne.</p>" + DEMO_NOTE,
            ),
        ),
        (
            VillageStopPage,
            village_stop(
                7,
                conde_market,
                slug="village-marche-conde-sur-l-escaut",
                title="Le Village de l'ESS au marché de Condé-sur-l'Escaut",
                summary="Le village complet au marché du jeudi : habitat, énergie, insertion et culture, avec "
                "les structures du nord de l'agglomération.",
                village_format=VillageFormat.FULL_VILLAGE,
                audience="Tout public",
                status=EventStatus.CANCELLED,
                status_note="La place du marché est en travaux : une nouvelle étape à Condé-sur-l'Escaut "
                "sera programmée.",
                body="<p>Coop'Bâtir Escaut, Présences Escaut, Les Tréteaux Nomades et une dizaine d'autres "
                "structures devaient présenter leurs activités et leurs offres d'emploi et de bénévolat "
                "au marché du jeudi.</p>" + DEMO_NOTE,
            ),
        ),
        (
            VillageStopPage,
            village_stop(
                17,
                marly_market,
                slug="village-marche-producteurs-marly",
                title="Le Village de l'ESS au marché de producteurs de Marly",
                summary="Une fin d'après-midi au marché de producteurs : circuits courts, tiers-lieu, atelier "
                "vélo et jeux pour les familles.",
                village_format=VillageFormat.FULL_VILLAGE,
                audience="Tout public, familles",
                body="<p>Le village s'installe parmi les producteurs du vendredi. La Manufacture Partagée "
                "ouvre son repair café en plein air, Rayons Libres marque les vélos contre le vol et Les "
                "Bocaux Voyageurs font goûter leurs plats de saison. Les enfants ont leur parcours-jeu "
                "pour découvrir l'économie sociale et solidaire.</p>" + DEMO_NOTE,
                accessibility="Place de plain-pied ; toilettes accessibles dans la salle voisine.",
            ),
        ),
        # Thematic breakfasts -----------------------------------------------------------
        (
            ThematicBreakfastPage,
            {
                "slug": "petit-dejeuner-manger-local",
                "title": "Petit-déjeuner thématique : manger local et solidaire",
                "theme": "Alimentation durable",
                "host_organisations": hosts("le-panier-partage", "jardins-de-l-ecaillon"),
                "venue": third_place,
                **_between(weekday_in_weeks(today, -15, TUESDAY), (8, 30), (10, 0)),
                "capacity": 30,
                "audience": "Habitants, acteurs de l'ESS, partenaires",
                "summary": "Comment rendre les produits locaux accessibles à tous ? Échanges avec une épicerie "
                "solidaire et un chantier d'insertion maraîcher, autour d'un petit-déjeuner de producteurs.",
                "body": "<p>Une épicerie solidaire et un chantier d'insertion maraîcher racontent comment ils "
                "travaillent ensemble : des légumes cultivés par des salariés en parcours d'insertion, "
                "vendus à un prix adapté aux revenus de chacun.</p><p>Petit-déjeuner préparé avec les "
                "produits des Jardins de l'Écaillon.</p>" + DEMO_NOTE,
            },
        ),
        (
            ThematicBreakfastPage,
            {
                "slug": "petit-dejeuner-reparer-reemployer",
                "title": "Petit-déjeuner thématique : réparer plutôt que jeter",
                "theme": "Réemploi et économie circulaire",
                "host_organisations": hosts("ressourcerie-des-deux-rives", "rayons-libres"),
                "commune": communes["Anzin"],
                **_between(weekday_in_weeks(today, -4, THURSDAY), (8, 30), (10, 0)),
                "capacity": 25,
                "audience": "Tout public",
                "summary": "Visite de la Ressourcerie des Deux Rives et échanges sur le réemploi : comment les "
                "objets et les vélos donnés retrouvent une seconde vie, et des emplois avec eux.",
                "body": "<p>Rendez-vous dans les locaux de la Ressourcerie des Deux Rives, à Anzin, pour "
                "suivre le parcours d'un objet donné, du tri à la boutique. L'atelier vélo Rayons Libres "
                "présente ses séances de réparation ouvertes à tous.</p>" + DEMO_NOTE,
            },
        ),
        (
            ThematicBreakfastPage,
            {
                "slug": "petit-dejeuner-financer-autrement",
                "title": "Petit-déjeuner thématique : financer son projet autrement",
                "theme": "Finance solidaire",
                "host_organisations": hosts("tremplin-finance-solidaire", "toits-solaires-du-hainaut"),
                "venue": venue("Saint-Saulve", "Médiathèque"),
                **_between(weekday_in_weeks(today, 2, TUESDAY), (8, 30), (10, 0)),
                "capacity": 30,
                "audience": "Porteurs de projets, associations, habitants",
                "status": EventStatus.POSTPONED,
                "status_note": "L'intervenante est indisponible : la nouvelle date sera annoncée ici et par "
                "courriel aux inscrits.",
                "summary": "Prêts d'honneur, garanties, financement participatif, sociétariat citoyen : les "
                "solutions pour financer un projet d'utilité sociale.",
                "body": "<p>Vous portez un projet associatif ou d'entreprise solidaire ? Deux structures "
                "présentent les financements qui existent sur le territoire, de la première avance "
                "remboursable à la levée de fonds auprès des habitants.</p>" + DEMO_NOTE,
            },
        ),
        (
            ThematicBreakfastPage,
            {
                "slug": "petit-dejeuner-renover-son-logement",
                "title": "Petit-déjeuner thématique : rénover son logement avec l'ESS",
                "theme": "Habitat et énergie",
                "host_organisations": hosts("coop-batir-escaut", "toits-solaires-du-hainaut"),
                "venue": venue("Onnaing", "Salle des fêtes"),
                **_between(weekday_in_weeks(today, 8, THURSDAY), (8, 30), (10, 0)),
                "capacity": 40,
                "audience": "Propriétaires, locataires, bailleurs",
                "summary": "Isolation biosourcée, énergie citoyenne, aides à la rénovation : une coopérative du "
                "bâtiment et une SCIC d'énergie partagent leur expérience.",
                "body": "<p>Une SCOP du bâtiment montre, photos de chantiers à l'appui, comment elle rénove des "
                "maisons de ville avec des matériaux biosourcés. Une coopérative d'énergie citoyenne explique "
                "comment les habitants financent ensemble des toits solaires.</p>" + DEMO_NOTE,
            },
        ),
        (
            ThematicBreakfastPage,
            {
                "slug": "petit-dejeuner-s-engager-benevole",
                "title": "Petit-déjeuner thématique : s'engager comme bénévole",
                "theme": "Bénévolat et engagement",
                "host_organisations": hosts("maison-de-quartier-la-boussole", "les-treteaux-nomades"),
                "venue": third_place,
                **_between(weekday_in_weeks(today, 15, TUESDAY), (8, 30), (10, 0)),
                "capacity": 20,
                "audience": "Toute personne qui souhaite donner de son temps",
                "summary": "Une heure et demie pour découvrir les missions bénévoles des structures de l'ESS, "
                "du soutien scolaire à l'accueil sur le Village.",
                "body": "<p>Bénévoles et responsables associatifs racontent leur engagement : quelques heures "
                "par mois ou un coup de main ponctuel, chacun trouve sa place. Repartez avec des missions "
                "près de chez vous.</p>" + DEMO_NOTE,
            },
        ),
        # Awareness sessions for elected officials --------------------------------------
        (
            ElectedAwarenessPage,
            {
                "slug": "sensibilisation-elus-coeur-agglomeration",
                "title": "Sensibilisation des élus : l'ESS, un levier pour nos communes",
                "venue": venue("Valenciennes", "Hôtel de ville"),
                **_between(weekday_in_weeks(today, -9, TUESDAY), (18, 0), (19, 30)),
                "target_communes": in_communes(
                    "Valenciennes",
                    "Anzin",
                    "Beuvrages",
                    "Bruay-sur-l'Escaut",
                    "Saint-Saulve",
                    "Marly",
                    "Petite-Forêt",
                    "Aulnoy-lez-Valenciennes",
                ),
                "capacity": 40,
                "audience": "Élus municipaux et communautaires, directions générales des services",
                "summary": "Rencontre des élus du cœur d'agglomération : ce que l'ESS apporte à l'emploi local "
                "et à la vie des quartiers, exemples du territoire à l'appui.",
                "body": "<p>Qu'est-ce que l'économie sociale et solidaire, qui sont ses acteurs dans nos "
                "communes et comment une municipalité peut-elle s'appuyer sur eux ? L'équipe ESS de "
                "Valenciennes Métropole présente le plan local 2021-2026, puis trois structures témoignent "
                "de leurs partenariats avec des communes.</p>" + DEMO_NOTE,
            },
        ),
        (
            ElectedAwarenessPage,
            {
                "slug": "sensibilisation-elus-achat-public",
                "title": "Sensibilisation des élus : achat public responsable et ESS",
                "venue": venue("Condé-sur-l'Escaut", "Mairie"),
                **_between(weekday_in_weeks(today, 5, THURSDAY), (18, 0), (19, 30)),
                "target_communes": in_communes(
                    "Condé-sur-l'Escaut",
                    "Vieux-Condé",
                    "Fresnes-sur-Escaut",
                    "Hergnies",
                    "Odomez",
                    "Vicq",
                    "Crespin",
                    "Quiévrechain",
                    "Saint-Aybert",
                    "Thivencelle",
                    "Onnaing",
                    "Quarouble",
                ),
                "capacity": 35,
                "audience": "Élus et agents chargés des achats",
                "summary": "Clauses sociales, marchés réservés, achats auprès des structures d'insertion : "
                "comment la commande publique peut soutenir l'emploi local.",
                "body": "<p>Une rencontre pour les élus du nord de l'agglomération : les outils juridiques de "
                "l'achat responsable expliqués simplement, et le témoignage d'une coopérative du bâtiment "
                "et d'un garage solidaire qui répondent aux marchés publics.</p>" + DEMO_NOTE,
            },
        ),
        (
            ElectedAwarenessPage,
            {
                "slug": "sensibilisation-elus-communes-rurales",
                "title": "Sensibilisation des élus : accueillir le Village de l'ESS dans sa commune",
                "venue": venue("Marly", "Mairie"),
                **_between(weekday_in_weeks(today, 13, TUESDAY), (18, 0), (19, 30)),
                "target_communes": in_communes(
                    "Marly",
                    "Famars",
                    "Maing",
                    "Préseau",
                    "Saultain",
                    "Sebourg",
                    "Curgies",
                    "Estreux",
                    "Artres",
                    "Quérénaing",
                    "Verchain-Maugré",
                    "Monchaux-sur-Écaillon",
                    "Rombies-et-Marchipont",
                ),
                "capacity": 35,
                "audience": "Élus des communes du sud de l'agglomération",
                "summary": "Ce qu'une étape du village apporte à une petite commune, ce qu'elle demande, et les "
                "structures de l'ESS qui interviennent déjà en milieu rural.",
                "body": "<p>Marché, fête communale ou brocante : le Village de l'ESS peut venir à la rencontre "
                "des habitants des petites communes. Présentation de l'offre, retours d'expérience d'élus "
                "qui ont accueilli le village et échanges sur les besoins de vos communes.</p>" + DEMO_NOTE,
            },
        ),
        # Youth outreach ---------------------------------------------------------------
        (
            YouthOutreachPage,
            {
                "slug": "jeunes-lycee-entreprendre-autrement",
                "title": "Entreprendre autrement : l'ESS racontée aux lycéens",
                "venue": venue("Valenciennes", "Lycée des Trois-Rivières (exemple)"),
                **_between(weekday_in_weeks(today, -5, THURSDAY, school=True), (10, 0), (12, 0)),
                "structure_name": "Lycée des Trois-Rivières (exemple), classes de première",
                "level": YouthLevel.HIGH_SCHOOL,
                "capacity": 35,
                "audience": "Élèves de première et leurs enseignants",
                "summary": "Deux heures pour découvrir les coopératives, les associations employeuses et les "
                "entreprises solidaires, avec un jeu de rôle sur la création d'une SCOP.",
                "body": "<p>Après une présentation de l'économie sociale et solidaire, les élèves créent en "
                "équipes une coopérative fictive : objet social, partage du pouvoir, affectation des "
                "bénéfices. Une salariée associée de Coop'Bâtir Escaut répond à leurs questions.</p>" + DEMO_NOTE,
            },
        ),
        (
            YouthOutreachPage,
            {
                "slug": "jeunes-mission-locale-metiers-ess",
                "title": "Découvrir les métiers de l'ESS avec la Mission Locale",
                "venue": venue("Vieux-Condé", "Espace jeunesse"),
                **_between(weekday_in_weeks(today, 4, WEDNESDAY, school=True), (14, 0), (16, 0)),
                "structure_name": "Mission Locale, groupe d'accompagnement vers l'emploi (exemple)",
                "level": YouthLevel.MISSION_LOCALE,
                "capacity": 15,
                "audience": "Jeunes de 16 à 25 ans accompagnés par la Mission Locale",
                "summary": "Aide à domicile, maraîchage, mécanique solidaire, animation : des professionnels "
                "de l'ESS présentent leurs métiers et leurs offres d'emploi et d'alternance.",
                "body": "<p>Un après-midi de rencontres en petits groupes avec Présences Escaut, Les Jardins "
                "de l'Écaillon et le Garage Solidaire du Hainaut : ce que l'on fait au quotidien, les "
                "formations pour y arriver et les postes ouverts.</p>" + DEMO_NOTE,
            },
        ),
        (
            YouthOutreachPage,
            {
                "slug": "jeunes-college-cooperative",
                "title": "Créer une coopérative le temps d'un atelier",
                "venue": venue("Marly", "Collège de la Rhonelle (exemple)"),
                **_between(weekday_in_weeks(today, 10, TUESDAY, school=True), (9, 0), (11, 0)),
                "structure_name": "Collège de la Rhonelle (exemple), classes de quatrième",
                "level": YouthLevel.MIDDLE_SCHOOL,
                "capacity": 28,
                "audience": "Élèves de quatrième",
                "summary": "Un atelier ludique pour comprendre comment décider ensemble, partager les rôles et "
                "mener un projet utile au collège.",
                "body": "<p>Les élèves inventent une coopérative scolaire (un troc de fournitures, un "
                "potager, une radio) et votent ses règles de fonctionnement. L'atelier est animé par "
                "l'équipe ESS et La Manufacture Partagée.</p>" + DEMO_NOTE,
            },
        ),
    ]


def load_events(
    report,
    agenda: AgendaPage,
    plan: ActionPlan,
    territory: Territory,
    venues: dict,
    organisations: dict[str, Organisation],
    today: dt.date,
    tours=None,
):
    """Publish the missing demo events; village stops go into the tour of their year (`tours`,
    demo/village.py), the other events under the agenda."""
    communes = {commune.name: commune for commune in Commune.objects.in_territory(territory)}
    # Descendants, not children: the stops live one level down, in their tour.
    existing = set(agenda.get_descendants().values_list("slug", flat=True))
    for page_class, fields in event_specs(today, venues, organisations, communes):
        report.tally("événements", fields["slug"] not in existing)
        if fields["slug"] in existing:
            continue
        # Linked explicitly rather than through EventPage's default: demo events dated after
        # the plan's last year would otherwise serve no action at all.
        action = plan.default_action_for_kind(page_class.event_kind)
        parent = agenda
        if page_class is VillageStopPage and tours is not None:
            parent = tours.for_day(timezone.localtime(fields["start"], PARIS).date())
        publish_child(parent, page_class(**fields, plan_actions=[action]))
