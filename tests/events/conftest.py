"""Fixtures for registrations and tickets: event -> registration -> ticket code.

`register_person(event, **overrides)` registers through the service with valid values,
so a test states only what it is about.
"""

import datetime as dt
import itertools

import pytest
from wagtail.models import GroupPagePermission, Page

from events.models import AttendeeCategory, EventKind
from events.services.registrations import register
from territory.models import PARIS

# Before every event the fixtures create (10 December 2026 by default), registrations open.
REGISTRATION_NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)

_people = itertools.count(1)


def person(**overrides) -> dict:
    """Valid keyword arguments of `register` for one person; a fresh email each time."""
    n = next(_people)
    values = {
        "name": f"Camille Martin {n}",
        "email": f"camille.{n}@example.org",
        "phone": "",
        "category": AttendeeCategory.RESIDENT,
        "consent": True,
    }
    values.update(overrides)
    return values


def group(**overrides) -> dict:
    """A class registered for a youth outreach session."""
    values = person(
        name="Sophie Lambert",
        category=AttendeeCategory.YOUNG_PERSON,
        is_group=True,
        structure_kind="school",
        organisation_name="Lycée Watteau",
        teacher_name="Sophie Lambert",
        level="high_school",
        headcount=24,
    )
    values.update(overrides)
    return values


@pytest.fixture
def registration_now(time_machine):
    time_machine.move_to(REGISTRATION_NOW, tick=False)
    return REGISTRATION_NOW


@pytest.fixture
def register_person():
    def make(event, **overrides):
        return register(event, **person(**overrides))

    return make


@pytest.fixture
def breakfast(make_event):
    """A thematic breakfast with 30 seats, on 10 December 2026."""
    return make_event(kind=EventKind.THEMATIC_BREAKFAST, capacity=30, title="Petit-déjeuner : manger local")


@pytest.fixture
def registered(breakfast, register_person):
    """(registration, code) of a confirmed person at the breakfast."""
    return register_person(breakfast, name="Camille Martin", email="camille@example.org")


@pytest.fixture
def registration(registered):
    return registered[0]


@pytest.fixture
def ticket_code(registered):
    return registered[1]


# The itinerant village ------------------------------------------------------------

# A Saturday market stop, well after VILLAGE_NOW.
STOP_START = dt.datetime(2026, 12, 5, 8, 0, tzinfo=PARIS)
VILLAGE_NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)


@pytest.fixture
def village_now(time_machine):
    time_machine.move_to(VILLAGE_NOW, tick=False)
    return VILLAGE_NOW


@pytest.fixture
def stop(make_event, market):
    """A live village stop at the Saturday market, with three pitches (the first with power)."""
    from events.models import Pitch

    page = make_event(EventKind.ITINERANT_VILLAGE, start=STOP_START, hours=5, venue=market, title="Village au marché")
    for number in (1, 2, 3):
        Pitch.objects.create(stop=page, number=number, theme="Réemploi" if number == 1 else "", has_power=number == 1)
    return page


@pytest.fixture
def contact_user(django_user_model, organisation):
    """Persona: an ESS organisation's contact, with an account, no admin access."""
    user = django_user_model.objects.create_user(
        "contact-ressourcerie", "contact@ressourcerie.example.org", "secret-pass-4", first_name="Nadia"
    )
    organisation.contacts.add(user)
    return user


@pytest.fixture
def village_organiser(organiser):
    """The organiser persona with the permissions of the "Organisateurs" group for the village."""
    from django.contrib.auth.models import Permission

    codenames = [
        "view_visitrequest",
        "change_visitrequest",
        "decide_visitrequest",
        "view_stand",
        "add_stand",
        "change_stand",
        "view_kitday",
        "add_kitday",
        "change_kitday",
        "delete_kitday",
    ]
    group = organiser.groups.first()
    group.permissions.add(*Permission.objects.filter(content_type__app_label="events", codename__in=codenames))
    root = Page.get_first_root_node()
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=root,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )
    return organiser


def visit_request_values(commune, /, **overrides) -> dict:
    """Valid keyword arguments of services.visits.submit_visit_request."""
    values = {
        "territory": commune.territory,
        "commune": commune,
        "contact_name": "Léa Dubois",
        "contact_role": "Chargée de la vie associative",
        "email": "vie-associative@mairie.example.fr",
        "phone": "03 27 00 00 00",
        "occasion": "weekly_market",
        "preferred_dates": [dt.date(2026, 12, 12)],
        "consent": True,
    }
    values.update(overrides)
    return values


@pytest.fixture
def visit_request(commune, village_now, django_capture_on_commit_callbacks):
    from events.services.visits import submit_visit_request

    with django_capture_on_commit_callbacks(execute=True):
        return submit_visit_request(**visit_request_values(commune))


_organisations = itertools.count(1)


@pytest.fixture
def make_organisation(commune):
    """make_organisation(name=None) -> another ESS organisation in `commune`."""
    from territory.models import LegalForm, Organisation

    def make(name=None):
        n = next(_organisations)
        return Organisation.objects.create(
            name=name or f"Association n° {n}",
            slug=f"association-{n}",
            legal_form=LegalForm.ASSOCIATION,
            commune=commune,
            summary="Une structure de l'ESS.",
        )

    return make
