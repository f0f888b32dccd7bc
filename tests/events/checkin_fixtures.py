"""Fixtures of the check-in tests: staff personas, tickets made directly, a frozen door time.

Kept apart from tests/events/conftest.py (shared with the registration tests); import
them with `from tests.events.checkin_fixtures import *`. Tickets are made directly
(Registration + Ticket with the hashed code) so these tests do not depend on the
registration service.
"""

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import Group

from events.models import ApiToken, AttendeeCategory, Registration, RegistrationStatus, Ticket
from events.tokens import hash_code, new_code
from territory.models import PARIS

__all__ = [
    "DOOR_OPEN",
    "EVENT_START",
    "api_token",
    "checkin_staff",
    "door_open",
    "make_ticket",
    "other_staff",
    "ticket",
]

# The default event of tests/conftest.py starts on 10 December 2026 at 8:30 (Paris);
# the door opens at 6:30 and at 8:15 people queue in.
EVENT_START = dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS)
DOOR_OPEN = dt.datetime(2026, 12, 10, 8, 15, tzinfo=PARIS)

_emails = itertools.count(1)


@pytest.fixture
def door_open(time_machine):
    """Freeze the clock at 8:15 on the day of the default event."""
    time_machine.move_to(DOOR_OPEN, tick=False)
    return DOOR_OPEN


@pytest.fixture
def checkin_staff(django_user_model):
    """A volunteer of the "Équipe de pointage" group (cms/migrations/0003)."""
    user = django_user_model.objects.create_user(
        "camille", "camille@example.org", "secret-pass-2", first_name="Camille"
    )
    user.groups.add(Group.objects.get(name="Équipe de pointage"))
    return user


@pytest.fixture
def other_staff(django_user_model):
    user = django_user_model.objects.create_user("yanis", "yanis@example.org", "secret-pass-4", first_name="Yanis")
    user.groups.add(Group.objects.get(name="Équipe de pointage"))
    return user


@pytest.fixture
def make_ticket():
    """make_ticket(event, name=..., status=..., category=..., seats=1, **fields) -> Ticket with `.code`."""

    def make(
        event,
        name="Hélène Dupont",
        status=RegistrationStatus.CONFIRMED,
        category=AttendeeCategory.RESIDENT,
        seats=1,
        revoked_at=None,
        **fields,
    ):
        registration = Registration.objects.create(
            event=event,
            status=status,
            name=name,
            email=fields.pop("email", f"personne{next(_emails)}@example.org"),
            category=category,
            seats=seats,
            **fields,
        )
        code = new_code()
        ticket = Ticket.objects.create(registration=registration, code_hash=hash_code(code), revoked_at=revoked_at)
        ticket.code = code
        return ticket

    return make


@pytest.fixture
def ticket(event, make_ticket):
    return make_ticket(event)


@pytest.fixture
def api_token(checkin_staff):
    """A script's token for the check-in staff member: (ApiToken, the token shown once)."""
    token = new_code()
    return ApiToken.objects.create(user=checkin_staff, label="Script de test", token_hash=hash_code(token)), token
