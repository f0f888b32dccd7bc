"""A rush of registrations at the same moment: exactly `capacity` seats confirmed, on SQLite and PostgreSQL.

Each thread has its own database connection, as a web worker does. On PostgreSQL they
queue on the event row's lock (select_for_update); on SQLite on the database's write
lock, taken when each transaction begins (IMMEDIATE). The SQLite test database is a file
(village/settings/test.py) so that the threads share it.
"""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events.models import EventKind, OutgoingEmail, Registration, RegistrationStatus, Ticket
from events.services.registrations import RegistrationError, cancel_registration, register
from tests.concurrency import at_the_same_moment as concurrently

from .conftest import group, person

# Transactional: every thread must see what the others commit. The serialized rollback
# restores what the migrations created (Wagtail's root page) after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 12


def at_the_same_moment(calls):
    return concurrently(calls, expected=(RegistrationError,))


@pytest.fixture
def soon():
    return timezone.now() + dt.timedelta(days=20)


def test_a_rush_confirms_exactly_the_capacity(make_event, soon):
    event = make_event(capacity=5, start=soon)

    results = at_the_same_moment(
        [lambda n=n: register(event, **person(email=f"rush{n}@example.org")) for n in range(THREADS)]
    )

    assert all(isinstance(result, tuple) for result in results)
    statuses = [registration.status for registration, _code in results]
    assert statuses.count(RegistrationStatus.CONFIRMED) == 5
    assert statuses.count(RegistrationStatus.WAITLISTED) == THREADS - 5
    assert event.registrations.confirmed().count() == 5
    assert Ticket.objects.filter(registration__event=event).count() == THREADS
    # Every person got exactly one email, sent after their transaction committed.
    assert OutgoingEmail.objects.filter(status="sent").count() == THREADS
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"rush{n}@example.org" for n in range(THREADS))


def test_a_rush_of_groups_never_exceeds_the_seats(make_event, soon):
    event = make_event(kind=EventKind.YOUTH_OUTREACH, capacity=30, start=soon)
    headcounts = [12, 9, 7, 5, 11, 8, 6, 10]

    at_the_same_moment(
        [
            lambda n=n, h=h: register(event, **group(email=f"class{n}@example.org", headcount=h))
            for n, h in enumerate(headcounts)
        ]
    )

    confirmed = sum(event.registrations.confirmed().values_list("seats", flat=True))
    waiting = list(event.registrations.waitlisted().values_list("seats", flat=True))
    assert confirmed <= 30
    assert confirmed + sum(waiting) == sum(headcounts)
    # Whatever order the threads ran in, a class waits only because it does not fit: 12, 8 and
    # 5 in first leave 5 seats that neither 6, 7, 9, 10 nor 11 pupils fit in.
    assert all(seats > 30 - confirmed for seats in waiting)


def test_the_same_email_submitted_at_once_makes_one_registration(make_event, soon):
    event = make_event(capacity=5, start=soon)

    results = at_the_same_moment(
        [lambda: register(event, **person(email="Double@Example.org")) for _ in range(THREADS)]
    )

    created = [result for result in results if isinstance(result, tuple)]
    refused = [result for result in results if isinstance(result, RegistrationError)]
    assert len(created) == 1
    assert {error.code for error in refused} == {"already_registered"}
    assert len(refused) == THREADS - 1
    assert Registration.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 1


def test_cancellations_and_registrations_at_once_keep_the_count(make_event, soon):
    event = make_event(capacity=4, start=soon)
    seated = [register(event, **person(email=f"seated{n}@example.org"))[0] for n in range(4)]
    waiting = [register(event, **person(email=f"waiting{n}@example.org"))[0] for n in range(4)]
    assert all(r.status == RegistrationStatus.WAITLISTED for r in waiting)

    at_the_same_moment(
        [lambda r=r: cancel_registration(r) for r in seated[:2]]
        + [lambda n=n: register(event, **person(email=f"late{n}@example.org")) for n in range(6)]
    )

    confirmed = event.registrations.confirmed()
    assert confirmed.count() == 4
    # The two freed seats went to the first two people waiting, not to the late comers.
    assert set(confirmed.values_list("email", flat=True)) == {
        "seated2@example.org",
        "seated3@example.org",
        "waiting0@example.org",
        "waiting1@example.org",
    }
