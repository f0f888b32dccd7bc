"""Fixtures for registrations and tickets: event -> registration -> ticket code.

`register_person(event, **overrides)` registers through the service with valid values,
so a test states only what it is about.
"""

import datetime as dt
import itertools

import pytest

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
