"""The demo's itinerant village: the tours of the seasons, pitches and stands at the stops,
volunteers' shifts, and communes' requests for a visit.

Idempotency keys: a tour by its season, a stop by its slug (demo/agenda.py); a stop's
pitches, stands and shifts are added only to a stop that has none; a visit request by
its contact email. Loading again adds nothing, and an organiser's changes stay.

Stands and shifts are written as rows, not through services/village.py: half the
stops are in the past, where the services rightly refuse to place a stand, and placing
one would email the organisation. Visit requests do go through services/visits.py, so
their history lines and acknowledgement emails are those of a real request (the
addresses are under example.org, where nobody receives mail).
"""

import datetime as dt
import logging

from django.utils import timezone

from events.models import (
    AgendaPage,
    Pitch,
    Stand,
    StandStatus,
    TourPage,
    VillageFormat,
    VillageStopPage,
    VisitOccasion,
    VisitRequest,
)
from events.services.village import VillageError
from events.services.visits import (
    VisitRequestError,
    accept_visit_request,
    propose_visit_date,
    submit_visit_request,
)
from indicators.models import ActionPlan
from territory.models import PARIS, Commune, Organisation, Territory
from volunteers.models import Shift, ShiftRole, ShiftSignup

from .agenda import weekday_in_weeks
from .site import publish_child

logger = logging.getLogger(__name__)

SATURDAY = 5

TOUR_INTRO = (
    "<p>De marché en marché, le Village de l'ESS s'installe dans les communes de Valenciennes Métropole : "
    "voici toutes ses étapes de l'année, sur la carte et dans l'ordre du calendrier. Abonnez-vous au "
    "calendrier de la tournée pour être prévenu d'une nouvelle étape ou d'un changement.</p>"
    "<p><i>Tournée d'exemple, présentée pour la démonstration du site.</i></p>"
)


class Tours:
    """The demo's tours, one per year: a stop goes into the tour of its year (as
    services.village.stop_parent does), created the first time a stop needs it."""

    def __init__(self, report, agenda: AgendaPage):
        self.report = report
        self.agenda = agenda
        self.by_season = {tour.season: tour for tour in TourPage.objects.child_of(agenda)}
        report.tally("tournées", False, len(self.by_season))

    def for_day(self, day: dt.date) -> TourPage:
        season = day.year
        tour = self.by_season.get(season)
        if tour is None:
            self.report.tally("tournées", True)
            tour = publish_child(
                self.agenda,
                TourPage(title=f"Tournée {season}", slug=f"tournee-{season}", season=season, intro=TOUR_INTRO),
            )
            self.by_season[season] = tour
        return tour


# Pitches and stands -------------------------------------------------------------------


def _pitch(theme, organisation=None, *, power=False, table=True, shelter=True) -> dict:
    return {"theme": theme, "organisation": organisation, "power": power, "table": table, "shelter": shelter}


# Per stop: its pitches in number order, each with the organisation confirmed on it (or
# None: a free pitch), and the organisation whose application is waiting, if any.
# The "stand éphémère" is one shared stand: two pitches, not five.
STOP_PLANS = {
    "village-marche-valenciennes": {
        "pitches": [
            _pitch("Alimentation durable", "le-panier-partage", power=True),
            _pitch("Alimentation durable", "jardins-de-l-ecaillon"),
            _pitch("Réemploi et réparation", "ressourcerie-des-deux-rives", power=True),
            _pitch("Mobilité", "rayons-libres", table=False),
            _pitch("Finance solidaire", "tremplin-finance-solidaire"),
            _pitch("Bénévolat et vie de quartier", "maison-de-quartier-la-boussole"),
            _pitch("Culture et animations", "les-treteaux-nomades", table=False, shelter=False),
            _pitch("Santé et prévoyance", power=True),
        ],
    },
    "mini-village-marche-anzin": {
        "pitches": [
            _pitch("Réemploi et réparation", "ressourcerie-des-deux-rives", power=True),
            _pitch("Alimentation durable", "le-panier-partage"),
            _pitch("Alimentation durable", "les-bocaux-voyageurs", power=True),
            _pitch("Mobilité", "garage-solidaire-du-hainaut", table=False),
            _pitch("Bénévolat et vie de quartier", "maison-de-quartier-la-boussole"),
        ],
    },
    "stand-marche-saint-saulve": {
        "pitches": [
            _pitch("Finance solidaire", "tremplin-finance-solidaire"),
            _pitch("Énergie citoyenne", "toits-solaires-du-hainaut", power=True),
        ],
    },
    "village-marche-conde-sur-l-escaut": {
        # Cancelled: its pitches were drawn, no stand was confirmed before the works were announced.
        "pitches": [
            _pitch("Habitat et énergie", power=True),
            _pitch("Insertion et emploi"),
            _pitch("Services à la personne"),
            _pitch("Culture et animations", table=False, shelter=False),
            _pitch("Réemploi et réparation", power=True),
            _pitch("Alimentation durable"),
        ],
    },
    "village-marche-producteurs-marly": {
        "pitches": [
            _pitch("Tiers-lieu et réparation", "la-manufacture-partagee", power=True),
            _pitch("Mobilité", "rayons-libres", table=False),
            _pitch("Alimentation durable", "les-bocaux-voyageurs", power=True),
            _pitch("Alimentation durable", "jardins-de-l-ecaillon"),
            _pitch("Culture et jeux pour les familles", "les-treteaux-nomades", table=False),
            _pitch("Habitat et énergie", "coop-batir-escaut"),
            _pitch("Services à la personne", "presences-escaut"),
            _pitch("Réemploi et réparation", power=True),
        ],
        "pending": "ressourcerie-des-deux-rives",
    },
}

STAND_ACTIVITIES = {
    "le-panier-partage": "Dégustation de soupes de saison et présentation de l'épicerie solidaire.",
    "jardins-de-l-ecaillon": "Vente de paniers de légumes bio et présentation des postes en insertion.",
    "ressourcerie-des-deux-rives": "Atelier de réparation de petits objets et collecte de dons.",
    "rayons-libres": "Révision de vélos et marquage contre le vol.",
    "tremplin-finance-solidaire": "Conseils sur l'épargne solidaire et les prêts d'honneur.",
    "maison-de-quartier-la-boussole": "Missions bénévoles du quartier et jeux pour les enfants.",
    "les-treteaux-nomades": "Saynètes sur l'ESS et quiz géant.",
    "les-bocaux-voyageurs": "Plats de saison en bocaux consignés.",
    "garage-solidaire-du-hainaut": "Diagnostic gratuit et location solidaire de véhicules.",
    "toits-solaires-du-hainaut": "Devenir sociétaire d'une centrale solaire citoyenne.",
    "la-manufacture-partagee": "Repair café en plein air.",
    "coop-batir-escaut": "Maquettes d'isolation biosourcée et offres d'emploi.",
    "presences-escaut": "Métiers de l'aide à domicile et recrutement.",
}

# Fictitious volunteers (example.org addresses: nobody receives mail there).
VOLUNTEERS = [
    ("Camille Lefebvre", "camille.lefebvre@example.org"),
    ("Mehdi Benali", "mehdi.benali@example.org"),
    ("Sophie Delattre", "sophie.delattre@example.org"),
    ("Jean-Pierre Dubus", "jean-pierre.dubus@example.org"),
    ("Inès Carpentier", "ines.carpentier@example.org"),
    ("Thomas Vandamme", "thomas.vandamme@example.org"),
    ("Fatou Diallo", "fatou.diallo@example.org"),
    ("Lucie Wattiez", "lucie.wattiez@example.org"),
]


def _local_day(stop: VillageStopPage) -> dt.date:
    return timezone.localtime(stop.start, PARIS).date()


def _add_pitches(report, stop: VillageStopPage, plan: dict) -> dict[int, Pitch]:
    pitches = {pitch.number: pitch for pitch in Pitch.objects.filter(stop_id=stop.pk)}
    report.tally("emplacements", False, len(pitches))
    if not pitches:
        for number, spec in enumerate(plan["pitches"], start=1):
            pitches[number] = Pitch.objects.create(
                stop=stop,
                number=number,
                sort_order=number,
                theme=spec["theme"],
                has_power=spec["power"],
                has_table=spec["table"],
                has_shelter=spec["shelter"],
            )
            report.tally("emplacements", True)
    return pitches


def _add_stands(report, stop, plan, pitches, organisations, contact_user) -> None:
    existing = Stand.objects.filter(stop_id=stop.pk).count()
    report.tally("stands", False, existing)
    if stop.is_cancelled or existing:
        return
    decided_at = min(timezone.now(), stop.start - dt.timedelta(days=14))
    for number, spec in enumerate(plan["pitches"], start=1):
        if spec["organisation"] is None:
            continue
        organisation = organisations[spec["organisation"]]
        Stand.objects.create(
            stop=stop,
            organisation=organisation,
            pitch=pitches[number],
            status=StandStatus.CONFIRMED,
            activity=STAND_ACTIVITIES.get(spec["organisation"], ""),
            needs_power=spec["power"],
            needs_table=spec["table"],
            needs_shelter=spec["shelter"],
            contact_name=f"Accueil {organisation.name}",
            contact_email=organisation.contact_email,
            decided_at=decided_at,
        )
        report.tally("stands", True)
    if plan.get("pending"):
        organisation = organisations[plan["pending"]]
        is_their_contact = contact_user is not None and organisation.contacts.filter(pk=contact_user.pk).exists()
        Stand.objects.create(
            stop=stop,
            organisation=organisation,
            status=StandStatus.APPLIED,
            activity=STAND_ACTIVITIES.get(plan["pending"], ""),
            needs_power=True,
            contact_name="Nadia Démo",
            contact_email=organisation.contact_email,
            applied_by=contact_user if is_their_contact else None,
        )
        report.tally("stands", True)


def _add_shifts(report, stop: VillageStopPage, rotation: int) -> None:
    """Set-up, welcome, activity and tear-down shifts, more or less filled."""
    existing = Shift.objects.filter(event_id=stop.pk).count()
    report.tally("créneaux bénévoles", False, existing)
    if stop.is_cancelled or existing:
        return
    day = _local_day(stop)
    start, end = timezone.localtime(stop.start, PARIS), timezone.localtime(stop.end, PARIS)

    def at(time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=PARIS)

    middle = start + (end - start) / 2
    setup_from = at(stop.setup_from) if stop.setup_from else start - dt.timedelta(hours=1)
    teardown_until = at(stop.teardown_until) if stop.teardown_until else end + dt.timedelta(hours=1)
    shifts = [
        (ShiftRole.SETUP, "Montage des barnums et des tables", setup_from, start, 3),
        (ShiftRole.WELCOME, "Accueil et orientation des visiteurs", start, middle, 2),
        (ShiftRole.ACTIVITY, "Quiz de l'ESS avec les familles", middle, end, 2),
        (ShiftRole.TEARDOWN, "Démontage et rangement du kit", end, teardown_until, 3),
    ]
    for index, (role, label, starts_at, ends_at, capacity) in enumerate(shifts):
        shift = Shift.objects.create(
            event=stop, role=role, label=label, starts_at=starts_at, ends_at=ends_at, capacity=capacity
        )
        # Some shifts full, others still looking for someone.
        filled = capacity if (index + rotation) % 3 else max(capacity - 1, 1)
        for offset in range(filled):
            name, email = VOLUNTEERS[(rotation * 3 + index * 2 + offset) % len(VOLUNTEERS)]
            ShiftSignup.objects.create(shift=shift, name=name, email=email)
        report.tally("créneaux bénévoles", True)


def place_stops_in_tours(report, agenda: AgendaPage, tours: Tours) -> None:
    """Stops that an earlier demo put directly under the agenda move into the tour of their year."""
    for stop in VillageStopPage.objects.child_of(agenda).filter(slug__in=STOP_PLANS).order_by("start"):
        stop.move(tours.for_day(stop.start_date), pos="last-child")
        report.moved("étapes du village")


def load_stop_details(report, agenda: AgendaPage, organisations: dict[str, Organisation], contact_user=None) -> None:
    stops = VillageStopPage.objects.descendant_of(agenda).filter(slug__in=STOP_PLANS).order_by("start")
    for rotation, stop in enumerate(stops):
        plan = STOP_PLANS[stop.slug]
        pitches = _add_pitches(report, stop, plan)
        _add_stands(report, stop, plan, pitches, organisations, contact_user)
        _add_shifts(report, stop, rotation)


# Communes' requests -------------------------------------------------------------------


def _request_specs(today: dt.date, venues: dict) -> list[dict]:
    """Three requests: one waiting, one answered with another date, one accepted (its stop is a draft)."""

    def saturday(weeks: int) -> dt.date:
        return weekday_in_weeks(today, weeks, SATURDAY)

    return [
        {
            "decision": None,
            "commune": "Famars",
            "contact_name": "Élodie Marchand",
            "contact_role": "Adjointe à la vie associative",
            "email": "vie-associative.famars@example.org",
            "occasion": VisitOccasion.TOWN_FESTIVAL,
            "occasion_detail": "Ducasse de printemps",
            "venue_text": "Place de la mairie",
            "preferred_dates": [saturday(10), saturday(11)],
            "expected_audience": 400,
            "has_power": True,
            "space": "Environ 400 m² sur la place, à côté des manèges",
            "message": "La ducasse attire beaucoup de familles : un village complet serait idéal.",
        },
        {
            "decision": "propose",
            "commune": "Bruay-sur-l'Escaut",
            "contact_name": "Karim Haddad",
            "contact_role": "Chargé de mission développement local",
            "email": "developpement-local.bruay@example.org",
            "occasion": VisitOccasion.WEEKLY_MARKET,
            "venue_text": "Marché de la place Jean Jaurès",
            "preferred_dates": [saturday(8)],
            "expected_audience": 250,
            "space": "Un angle de la place, environ 150 m²",
            "proposal": (saturday(9), (8, 0), (12, 30), VillageFormat.MINI_VILLAGE),
            "note": "Le kit du village est réservé ce samedi-là pour une autre commune : nous vous proposons le "
            "samedi suivant, en format mini-village.",
        },
        {
            "decision": "accept",
            "commune": "Onnaing",
            "contact_name": "Martine Lemaire",
            "contact_role": "Directrice du centre social",
            "email": "centre-social.onnaing@example.org",
            "occasion": VisitOccasion.FORUM,
            "occasion_detail": "Forum des associations",
            "venue": venues["Onnaing", "Salle des fêtes"],
            "preferred_dates": [saturday(12)],
            "expected_audience": 300,
            "has_power": True,
            "has_parking": True,
            "space": "Parvis de la salle des fêtes",
            "acceptance": (saturday(12), (10, 0), (17, 0), VillageFormat.MINI_VILLAGE),
        },
    ]


def _between(day: dt.date, start: tuple[int, int], end: tuple[int, int]) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(day, dt.time(*start), tzinfo=PARIS),
        dt.datetime.combine(day, dt.time(*end), tzinfo=PARIS),
    )


def load_visit_requests(
    report,
    territory: Territory,
    tours: Tours,
    plan: ActionPlan,
    venues: dict,
    today: dt.date,
    organiser=None,
) -> None:
    communes = {commune.name: commune for commune in Commune.objects.in_territory(territory)}
    known = set(VisitRequest.objects.values_list("email", flat=True))
    for spec in _request_specs(today, venues):
        report.tally("demandes des communes", spec["email"] not in known)
        if spec["email"] in known:
            continue
        fields = {
            key: value for key, value in spec.items() if key not in ("decision", "proposal", "acceptance", "note")
        }
        request = submit_visit_request(
            territory=territory, **{**fields, "commune": communes[spec["commune"]]}, consent=True
        )
        try:
            if spec["decision"] == "propose":
                day, start, end, village_format = spec["proposal"]
                start, end = _between(day, start, end)
                propose_visit_date(
                    request, start=start, end=end, by=organiser, village_format=village_format, note=spec["note"]
                )
            elif spec["decision"] == "accept":
                day, start, end, village_format = spec["acceptance"]
                tours.for_day(day)  # the new stop goes into its year's tour
                start, end = _between(day, start, end)
                stop = accept_visit_request(request, start=start, end=end, by=organiser, village_format=village_format)
                _serve_the_village_action(stop, plan, organiser)
        except (VillageError, VisitRequestError) as exc:
            # A stop an organiser scheduled on that day holds the kit: the request stays waiting.
            report.warnings.append(f"Demande de {spec['commune']} laissée en attente : {exc}")


def _serve_the_village_action(stop: VillageStopPage, plan: ActionPlan, organiser) -> None:
    """Link the accepted stop to the plan's village action, in the page and in its draft revision,
    as demo/agenda.py does: a stop dated after the plan's last year would otherwise serve none."""
    action = plan.default_action_for_kind(VillageStopPage.event_kind)
    if action is None or list(stop.plan_actions.all()) == [action]:
        return
    stop.plan_actions = [action]
    stop.save()
    stop.save_revision(user=organiser)
