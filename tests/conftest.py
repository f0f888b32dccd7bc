"""Small chained fixtures: territory -> commune -> venue -> site tree -> events.

Personas for permission tests live here too (organiser, outsider...).
"""

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import Page, Site

from cms.models import HomePage
from events.models import (
    AgendaPage,
    ElectedAwarenessPage,
    EventKind,
    ThematicBreakfastPage,
    VillageStopPage,
    YouthOutreachPage,
)
from indicators.models import Action, ActionPlan, Objective, Orientation
from territory.models import PARIS, Commune, LegalForm, Organisation, Sector, Territory, Venue, VenueKind

_sequence = itertools.count(1)


@pytest.fixture
def territory(db):
    return Territory.objects.create(name="Valenciennes Métropole", slug="valenciennes-metropole", siren="245901160")


@pytest.fixture
def commune(territory):
    return Commune.objects.create(
        territory=territory,
        insee_code="59606",
        name="Valenciennes",
        postcodes="59300",
        population=43680,
        latitude=50.3579,
        longitude=3.5233,
    )


@pytest.fixture
def other_commune(territory):
    return Commune.objects.create(
        territory=territory,
        insee_code="59014",
        name="Anzin",
        postcodes="59410",
        population=13183,
        latitude=50.3754,
        longitude=3.5111,
    )


@pytest.fixture
def venue(commune):
    return Venue.objects.create(commune=commune, name="Salle des fêtes", kind=VenueKind.HALL)


@pytest.fixture
def market(commune):
    return Venue.objects.create(
        commune=commune,
        name="Marché de la place d'Armes",
        kind=VenueKind.MARKET,
        recurrence="FREQ=WEEKLY;BYDAY=SA",
        opens_at=dt.time(8, 0),
        closes_at=dt.time(13, 0),
        is_example=True,
    )


@pytest.fixture
def sector(db):
    return Sector.objects.create(name="Réemploi", slug="reemploi")


@pytest.fixture
def organisation(commune, sector):
    org = Organisation.objects.create(
        name="Ressourcerie du Hainaut",
        legal_form=LegalForm.ASSOCIATION,
        commune=commune,
        summary="Collecte, répare et revend des objets du quotidien.",
    )
    org.sectors.add(sector)
    return org


@pytest.fixture
def plan(territory):
    """A slice of the PLDESS 2021-2026 with the default action of each event kind."""
    plan = ActionPlan.objects.create(
        territory=territory,
        title="Plan Local de Développement de l'ESS 2021-2026",
        short_title="PLDESS 2021-2026",
        start_year=2021,
        end_year=2026,
        default_action_codes={
            "thematic_breakfast": "O3.2.a",
            "itinerant_village": "O3.1.b",
            "elected_awareness": "O3.1.a",
            "youth_outreach": "O4.1.a",
        },
        volunteering_action_code="O4.1.b",
    )
    o3 = Orientation.objects.create(plan=plan, code="O3", title="Visibilité : sensibilisation et promotion", position=3)
    o31 = Objective.objects.create(
        orientation=o3, code="O3.1", title="Promouvoir l'ESS auprès des décideurs", position=1
    )
    o32 = Objective.objects.create(
        orientation=o3, code="O3.2", title="Faire connaître l'ESS au grand public", position=2
    )
    o4 = Orientation.objects.create(plan=plan, code="O4", title="Citoyenneté, bénévolat et jeunesse", position=4)
    o41 = Objective.objects.create(orientation=o4, code="O4.1", title="Encourager la participation", position=1)
    Action.objects.create(objective=o31, code="O3.1.a", title="Sensibilisation auprès des élus", position=1)
    Action.objects.create(objective=o31, code="O3.1.b", title="Village itinérant de l'ESS", position=2)
    Action.objects.create(objective=o32, code="O3.2.a", title="Rencontres thématiques", position=1)
    Action.objects.create(objective=o41, code="O4.1.a", title="Sensibilisation du public jeune", position=1)
    Action.objects.create(objective=o41, code="O4.1.b", title="Promotion du bénévolat", position=2)
    return plan


@pytest.fixture
def home_page(db):
    """The site's home page at the root of the default Site, replacing Wagtail's welcome page."""
    root = Page.get_first_root_node()
    home = root.add_child(
        instance=HomePage(title="Le Village de l'ESS", slug="accueil", tagline="L'ESS près de chez vous")
    )
    site = Site.objects.get(is_default_site=True)
    old_root = site.root_page
    site.root_page = home
    site.hostname = "testserver"
    site.save()
    if old_root.pk != home.pk and not isinstance(old_root.specific, HomePage):
        old_root.delete()
    return home


@pytest.fixture
def agenda_page(home_page):
    return home_page.add_child(instance=AgendaPage(title="Agenda", slug="agenda"))


PAGE_CLASSES = {
    EventKind.THEMATIC_BREAKFAST: (ThematicBreakfastPage, {"theme": "Alimentation durable"}),
    EventKind.ITINERANT_VILLAGE: (VillageStopPage, {}),
    EventKind.ELECTED_AWARENESS: (ElectedAwarenessPage, {}),
    EventKind.YOUTH_OUTREACH: (YouthOutreachPage, {"structure_name": "Lycée Watteau"}),
}


@pytest.fixture
def make_event(agenda_page, commune):
    """make_event(kind=..., start=aware datetime, hours=2, **fields) -> a live event page."""

    def make(kind=EventKind.THEMATIC_BREAKFAST, start=None, hours=1.5, title=None, **fields):
        page_class, defaults = PAGE_CLASSES[kind]
        start = start or dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS)
        n = next(_sequence)
        values = {
            "title": title or f"{page_class._meta.verbose_name.capitalize()} n° {n}",
            "slug": f"evenement-{n}",
            "start": start,
            "end": start + dt.timedelta(hours=hours),
            "summary": "Un temps d'échange autour de l'ESS.",
            **defaults,
            **fields,
        }
        if "venue" not in values and "commune" not in values:
            values["commune"] = commune
        return agenda_page.add_child(instance=page_class(**values))

    return make


@pytest.fixture
def event(make_event):
    return make_event()


# Personas -----------------------------------------------------------------------


@pytest.fixture
def organiser(django_user_model):
    """A member of the ESS team: Wagtail admin access."""
    user = django_user_model.objects.create_user("organisatrice", "orga@example.org", "secret-pass-1")
    group, _ = Group.objects.get_or_create(name="Test organisers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    return user


@pytest.fixture
def outsider(django_user_model):
    """A logged-in person with no role at all."""
    return django_user_model.objects.create_user("charlie", "charlie@example.org", "secret-pass-3")


# Several territories ---------------------------------------------------------------


@pytest.fixture
def second_territory(db):
    return Territory.objects.create(name="Sambre-Avesnois", slug="sambre-avesnois", siren="200043396")


@pytest.fixture
def second_commune(second_territory):
    return Commune.objects.create(
        territory=second_territory,
        insee_code="59392",
        name="Maubeuge",
        postcodes="59600",
        population=29679,
        latitude=50.2775,
        longitude=3.9734,
    )


@pytest.fixture
def other_organiser(territory, second_territory, organiser, django_user_model):
    """The organiser of the second territory, with the same groups and permissions as `organiser`
    at the time this fixture runs; `organiser` then acts for the first territory only."""
    territory.team.add(organiser)
    other = django_user_model.objects.create_user("organisateur-sambre", "sambre@example.org", "secret-pass-5")
    other.groups.set(organiser.groups.all())
    other.user_permissions.set(organiser.user_permissions.all())
    second_territory.team.add(other)
    return other
