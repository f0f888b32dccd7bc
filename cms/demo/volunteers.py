"""Demo volunteering: fictitious volunteers spread over the communes, missions of example
organisations (one waiting for moderation) and a few matches, so the map, the matching
and the organisers' pages have something to show.

The volunteers are fictitious (example.org addresses, no usable password) and only the
demo volunteer account, benevole / village-demo, can log in. Everything is looked up by
a stable key (email, mission title and organisation) and created once.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from territory.models import PARIS, Commune
from volunteers.missions import MissionError, apply_to_mission, decide_application, save_mission
from volunteers.models import (
    DayPart,
    Mission,
    MissionMatch,
    MissionRhythm,
    Skill,
    VolunteerProfile,
    Weekday,
    availability_bit,
)

from .account import DEMO_PASSWORD, DemoAccountStatus

VOLUNTEER_USERNAME = "benevole"
VOLUNTEER_EMAIL = "benevole@example.org"

FIRST_NAMES = [
    "Amélie", "Bastien", "Chloé", "Damien", "Elsa", "Farid", "Gaëlle", "Hugo", "Inès", "Julien",
    "Karima", "Léo", "Manon", "Nicolas", "Océane", "Pierre", "Rania", "Samuel", "Tiphaine", "Yanis",
    "Zoé", "Arnaud", "Bérénice", "Cédric", "Dounia", "Émile", "Fanny", "Grégoire", "Hélène", "Idriss",
    "Jeanne", "Kevin", "Laure", "Mathis", "Nora", "Olivier",
]  # fmt: skip
LAST_NAMES = ["Lemaire", "Dupont", "Moreau", "Lefort", "Hanot", "Bouchez", "Carlier", "Desmet", "Fontaine"]

# (title, organisation slug or None for the plan's team, commune, description, required, welcome,
#  rhythm, schedule: (weeks ahead, weekday, start hour, end hour) or weekly slots, volunteers needed, published)
MISSIONS = [
    (
        "Accueillir les visiteurs du repair café",
        "la-manufacture-partagee",
        "Valenciennes",
        "Accueillir les habitants qui apportent un objet à réparer, noter la panne et les orienter vers un "
        "réparateur. Café offert !",
        ["accueil"],
        ["animation", "langues-etrangeres"],
        MissionRhythm.DATES,
        [(1, Weekday.SATURDAY, 9, 12), (3, Weekday.SATURDAY, 9, 12)],
        3,
        True,
    ),
    (
        "Trier les dons du mardi après-midi",
        "ressourcerie-des-deux-rives",
        "Anzin",
        "Aider l'équipe à trier vaisselle, livres et jouets arrivés dans la semaine, et préparer la boutique.",
        [],
        ["montage-logistique"],
        MissionRhythm.WEEKLY,
        [(Weekday.TUESDAY, DayPart.AFTERNOON)],
        2,
        True,
    ),
    (
        "Photographier la fête des jardins partagés",
        "jardins-de-l-ecaillon",
        "Saint-Saulve",
        "Faire des photos de la fête de fin de saison pour le site et le bilan de l'association.",
        ["photo-video"],
        ["communication"],
        MissionRhythm.DATES,
        [(2, Weekday.SATURDAY, 14, 18)],
        1,
        True,
    ),
    (
        "Tenir la comptabilité de l'épicerie solidaire",
        "le-panier-partage",
        "Valenciennes",
        "Deux heures par semaine pour saisir les factures et préparer le bilan avec la trésorière.",
        ["comptabilite"],
        ["informatique"],
        MissionRhythm.WEEKLY,
        [(Weekday.THURSDAY, DayPart.EVENING)],
        1,
        True,
    ),
    (
        "Animer un atelier vélo pour les collégiens",
        "ressourcerie-des-deux-rives",
        "Anzin",
        "Montrer aux élèves comment réparer une crevaison et régler des freins, avec l'animateur de la ressourcerie.",
        ["animation"],
        ["montage-logistique"],
        MissionRhythm.DATES,
        [(4, Weekday.WEDNESDAY, 14, 17)],
        2,
        False,  # waits for moderation: the organiser's demo sees one in "À modérer"
    ),
]


def ensure_volunteer_account(territory) -> DemoAccountStatus:
    """The demo volunteer: Anzin, 15 km, accueil and animation, Saturday mornings and Tuesday
    afternoons. An existing account is left as it is."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=VOLUNTEER_USERNAME).first()
    if user is not None:
        return DemoAccountStatus.EXISTING
    user = user_model.objects.create_user(
        VOLUNTEER_USERNAME, VOLUNTEER_EMAIL, DEMO_PASSWORD, first_name="Baptiste", last_name="Démo"
    )
    anzin = Commune.objects.get(territory=territory, name="Anzin")
    profile = VolunteerProfile.objects.create(
        user=user,
        home_commune=anzin,
        travel_km=15,
        accepts_contact=True,
        on_map=True,
        availability_bits=availability_bit(Weekday.SATURDAY, DayPart.MORNING)
        | availability_bit(Weekday.TUESDAY, DayPart.AFTERNOON),
        last_active_at=timezone.now(),
    )
    profile.skills.set(Skill.objects.filter(slug__in=["accueil", "animation"]))
    profile.refresh_skill_bits()
    return DemoAccountStatus.CREATED


def load_volunteers(report, territory) -> list:
    """About forty fictitious volunteers over the territory's communes (none can log in)."""
    rng = random.Random(2026)  # noqa: S311 - the same fictitious people on every run, nothing secret
    communes = list(Commune.objects.filter(territory=territory).order_by("-population")[:20])
    skills = list(Skill.objects.all())
    user_model = get_user_model()
    people = []
    for n, first_name in enumerate(FIRST_NAMES):
        last_name = LAST_NAMES[n % len(LAST_NAMES)]
        email = f"{first_name.lower()}.{last_name.lower()}.benevole@example.org"
        # Draw before looking up, so the draws (and the people) are the same on every run.
        commune = communes[min(int(rng.expovariate(0.25)), len(communes) - 1)]
        chosen = rng.sample(skills, rng.randint(1, 3))
        slots = rng.sample(range(21), rng.randint(2, 6))
        travel = rng.choice([5, 10, 15, 20, 30])
        on_map = rng.random() < 0.85
        user = user_model.objects.filter(username=email).first()
        if user is not None:
            report.tally("bénévoles", created=False)
            people.append(user)
            continue
        user = user_model.objects.create_user(email, email, None, first_name=first_name, last_name=last_name)
        profile = VolunteerProfile.objects.create(
            user=user,
            home_commune=commune,
            travel_km=travel,
            accepts_contact=True,
            on_map=on_map,
            availability_bits=sum(1 << bit for bit in slots),
            last_active_at=timezone.now(),
        )
        profile.skills.set(chosen)
        profile.refresh_skill_bits()
        report.tally("bénévoles", created=True)
        people.append(user)
    return people


def load_missions(report, territory, organisations: dict, organiser, today: dt.date, people: list) -> None:
    if organiser is None:
        # Missions are posted by someone: without the demo accounts, the first superuser or nobody.
        organiser = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        if organiser is None:
            return
    skills = {skill.slug: skill for skill in Skill.objects.all()}
    for title, slug, commune_name, description, required, welcome, rhythm, schedule, needed, published in MISSIONS:
        organisation = organisations.get(slug) if slug else None
        existing = Mission.objects.filter(title=title, organisation=organisation).first()
        if existing is not None:
            report.tally("missions bénévoles", created=False)
            continue
        commune = Commune.objects.get(territory=territory, name=commune_name)
        mission = Mission(
            title=title,
            description=description,
            organisation=organisation,
            commune=commune,
            rhythm=rhythm,
            volunteers_needed=needed,
        )
        dates, weekly = [], []
        if rhythm == MissionRhythm.DATES:
            for weeks, weekday, start_hour, end_hour in schedule:
                day = today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)
                dates.append(
                    (
                        dt.datetime.combine(day, dt.time(start_hour), tzinfo=PARIS),
                        dt.datetime.combine(day, dt.time(end_hour), tzinfo=PARIS),
                    )
                )
        else:
            weekly = schedule
            mission.starts_on = today
            mission.ends_on = today + dt.timedelta(days=180)
        contact = organisation.contacts.first() if organisation else None
        by = organiser if published or contact is None else contact
        try:
            save_mission(
                mission,
                required_skills=[skills[s] for s in required],
                welcome_skills=[skills[s] for s in welcome],
                dates=dates,
                weekly_slots=weekly,
                by=by,
            )
        except MissionError as error:
            report.warnings.append(f"Mission « {title} » non créée : {error.message}")
            continue
        report.tally("missions bénévoles", created=True)
    _add_matches(report, organiser, people)


def _add_matches(report, organiser, people: list) -> None:
    """An accepted application and a pending one on the repair café, once."""
    mission = Mission.objects.filter(title=MISSIONS[0][0]).first()
    if mission is None or MissionMatch.objects.filter(mission=mission).exists() or len(people) < 2:
        return
    try:
        accepted = apply_to_mission(mission, people[0], message="J'ai tenu l'accueil d'une bibliothèque.")
        decide_application(accepted, accept=True, by=organiser)
        apply_to_mission(mission, people[1], message="Disponible un samedi sur deux.")
    except MissionError as error:
        report.warnings.append(f"Mises en relation de démonstration : {error.message}")
        return
    report.tally("mises en relation", created=True, count=MissionMatch.objects.filter(mission=mission).count())
