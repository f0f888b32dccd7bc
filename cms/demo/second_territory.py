"""A second territory in the demo, to see one installation serve two: Maubeuge Val de Sambre, with
the Sambre-Avesnois ESS plan, at http://sambre-avesnois.localhost:8000/ (browsers resolve any
*.localhost name to this machine).

Its communes and plan are the shipped ones (territory/data/communes/, indicators/data/action_plans/);
its site and organisers' group come from territory/sites.py, as they would for a real territory;
three example events, one of them past and counted at the door so its dashboard has figures, and
its demo organiser, organisateur-sambre / village-demo, who sees only this territory.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from events.models import AgendaPage, ElectedAwarenessPage, EventKind, ThematicBreakfastPage, VillageStopPage
from indicators.models import Action
from indicators.services import import_action_plan
from territory.models import Commune, Territory, Venue, VenueKind
from territory.services import import_communes, shipped_communes
from territory.sites import prepare_territory_site

from .account import DEMO_PASSWORD, DEMO_USERNAME
from .agenda import DEMO_NOTE, THURSDAY, TUESDAY, _between, weekday_in_weeks
from .attendance import load_attendance
from .site import demo_port, publish_child

TERRITORY_FILE = "maubeuge_val_de_sambre"
PLAN_FILE = "sambre_avesnois_2012"
HOSTNAME = "sambre-avesnois.localhost"
SITE_NAME = "Le Village de l'ESS en Sambre-Avesnois"
ORGANISER_USERNAME = "organisateur-sambre"
ORGANISER_EMAIL = "organisateur-sambre@example.org"
SATURDAY = 5
# The Sambre-Avesnois plan names no default action per event kind (no default_action_for_kind in
# its file): these are the actions of its "Moments solidaires" and "Outils de communication
# (... stand)" headings that such events serve.
ACTIONS = {
    EventKind.THEMATIC_BREAKFAST: "S1.1.d",
    EventKind.ITINERANT_VILLAGE: "S1.1.c",
    EventKind.ELECTED_AWARENESS: "S1.1.d",
}

HOME_INTRO = """\
<p>Le Village de l'ESS s'installe aussi en Sambre-Avesnois : petits-déjeuners, étapes du village \
sur les marchés et soirées avec les élus font connaître les structures de l'économie sociale et \
solidaire du territoire. <i>Les événements présentés sur ce site de démonstration sont des exemples.</i></p>"""


def load_second_territory(report, *, today: dt.date, with_demo_account: bool = False) -> Territory:
    """Load (or complete) the second territory of the demo; a second run changes nothing."""
    shipped = shipped_communes(TERRITORY_FILE)
    communes = import_communes(shipped.path, shipped.territory_name, siren=shipped.siren, slug=shipped.slug)
    territory = communes.territory
    report.tally("communes du second territoire", created=communes.changed_anything, count=communes.total)
    plan_result = import_action_plan(PLAN_FILE, territory=territory)
    plan = plan_result.plan
    report.tally("plan du second territoire", created=plan_result.changed_anything)

    setup = prepare_territory_site(territory, hostname=HOSTNAME, port=demo_port() or 80, site_name=SITE_NAME)
    report.tally("site du second territoire", created=bool(setup.done))
    home = setup.site.root_page.specific
    if not home.intro:
        home.intro = HOME_INTRO
        home.save_revision().publish()
        report.tally("pages", created=True)
    agenda = AgendaPage.objects.child_of(home).get()

    _load_events(report, agenda, plan, territory, today)
    # The past breakfast's registrations and check-ins, as for the first territory.
    load_attendance(report, territory, plan)
    if with_demo_account:
        _ensure_organiser(report, territory, setup.group)
    return territory


def _load_events(report, agenda: AgendaPage, plan, territory: Territory, today: dt.date) -> None:
    communes = {commune.name: commune for commune in Commune.objects.in_territory(territory)}
    market, created = Venue.objects.get_or_create(
        commune=communes["Maubeuge"],
        name="Marché du samedi (exemple)",
        defaults={
            "kind": VenueKind.MARKET,
            "address": "Place des Nerviens",
            "recurrence": "FREQ=WEEKLY;BYDAY=SA",
            "opens_at": dt.time(8, 0),
            "closes_at": dt.time(12, 30),
            "is_example": True,
        },
    )
    report.tally("lieux", created=created)
    # The plan ran from 2012 to 2014 and its figures stop there: the past breakfast is dated in
    # its last year so that the plan's dashboard counts it; the two coming events are dated from today.
    breakfast_day = dt.date(plan.end_year, 10, 1)
    breakfast_day += dt.timedelta(days=(TUESDAY - breakfast_day.weekday()) % 7)
    stop_day = weekday_in_weeks(today, 2, SATURDAY)
    specs = [
        (
            ThematicBreakfastPage,
            {
                "slug": "petit-dejeuner-sambre-reemploi",
                "title": "Petit-déjeuner thématique : le réemploi en Sambre",
                "theme": "Réemploi et économie circulaire",
                "commune": communes["Hautmont"],
                **_between(breakfast_day, (8, 30), (10, 0)),
                "capacity": 30,
                "audience": "Habitants, acteurs de l'ESS, partenaires",
                "summary": "Ressourceries et ateliers de réparation du Val de Sambre racontent comment les objets "
                "donnés retrouvent une seconde vie, et des emplois avec eux.",
                "body": "<p>Un petit-déjeuner pour découvrir les structures du réemploi du territoire.</p>" + DEMO_NOTE,
            },
        ),
        (
            VillageStopPage,
            {
                "slug": "village-marche-maubeuge",
                "title": "Le Village de l'ESS au marché de Maubeuge",
                "venue": market,
                **_between(stop_day, (8, 0), (12, 30)),
                "setup_from": dt.time(6, 30),
                "teardown_until": dt.time(13, 30),
                "audience": "Tout public",
                "summary": "Quelques stands de structures de l'ESS au marché du samedi : alimentation, réemploi, "
                "insertion.",
                "body": "<p>Le village fait étape au marché de Maubeuge.</p>" + DEMO_NOTE,
            },
        ),
        (
            ElectedAwarenessPage,
            {
                "slug": "soiree-elus-val-de-sambre",
                "title": "Soirée des élus : l'ESS, un levier pour le Val de Sambre",
                "commune": communes["Jeumont"],
                **_between(weekday_in_weeks(today, 6, THURSDAY), (18, 0), (19, 30)),
                "capacity": 40,
                "audience": "Élus et agents des communes",
                "summary": "Une heure et demie pour découvrir ce que l'ESS apporte aux communes : emplois non "
                "délocalisables, services de proximité, achats responsables.",
                "body": "<p>Une soirée de sensibilisation pour les élus du Val de Sambre.</p>" + DEMO_NOTE,
                "target_communes": [communes[name] for name in ("Jeumont", "Maubeuge", "Louvroil", "Feignies")],
            },
        ),
    ]
    existing = set(agenda.get_descendants().values_list("slug", flat=True))
    for page_class, fields in specs:
        report.tally("événements", fields["slug"] not in existing)
        if fields["slug"] in existing:
            continue
        action = plan.default_action_for_kind(page_class.event_kind) or Action.objects.get(
            objective__orientation__plan=plan, code=ACTIONS[page_class.event_kind]
        )
        publish_child(agenda, page_class(**fields, plan_actions=[action]))


def _ensure_organiser(report, territory: Territory, group: Group) -> None:
    """The second territory's demo organiser; and the first one's organiser in her territory's team,
    since with two territories only the team's members act for a territory (territory/access.py)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=ORGANISER_USERNAME).first()
    report.tally("comptes de démonstration", created=user is None)
    if user is None:
        user = user_model.objects.create_user(
            ORGANISER_USERNAME, ORGANISER_EMAIL, DEMO_PASSWORD, first_name="Organisateur", last_name="Sambre"
        )
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
    if not territory.team.filter(pk=user.pk).exists():
        territory.team.add(user)
    first = Territory.default()
    organiser = user_model.objects.filter(username=DEMO_USERNAME).first()
    if first is not None and organiser is not None and not first.team.filter(pk=organiser.pk).exists():
        first.team.add(organiser)
        report.tally("équipes", created=True)
