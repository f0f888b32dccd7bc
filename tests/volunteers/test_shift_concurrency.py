"""Volunteers racing for the last places of a shift: never more than its places, on SQLite and PostgreSQL.

Each thread has its own connection; they queue on the shift's row lock (PostgreSQL) or
the database's write lock (SQLite, IMMEDIATE transactions).
"""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import EventKind
from tests.concurrency import at_the_same_moment
from volunteers import shifts as service
from volunteers.models import Shift, ShiftRole, ShiftSignup, ShiftSignupStatus, VolunteerProfile

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_ten_volunteers_for_three_places_get_three(make_event, commune, django_user_model):
    start = timezone.now() + dt.timedelta(days=20)
    stop = make_event(EventKind.ITINERANT_VILLAGE, start=start, hours=5)
    shift = Shift.objects.create(
        event=stop, role=ShiftRole.WELCOME, starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=3
    )
    volunteers = []
    for n in range(10):
        user = django_user_model.objects.create_user(f"v{n}@example.org", f"v{n}@example.org", "x")
        VolunteerProfile.objects.create(user=user, home_commune=commune)
        volunteers.append(user)

    results = at_the_same_moment(
        [lambda user=user: service.sign_up(user, shift) for user in volunteers], expected=(service.ShiftError,)
    )

    assert sum(isinstance(r, ShiftSignup) for r in results) == 3
    assert {r.code for r in results if isinstance(r, service.ShiftError)} == {"shift_full"}
    assert ShiftSignup.objects.filter(shift=shift, status=ShiftSignupStatus.CONFIRMED).count() == 3


def test_one_volunteer_on_two_overlapping_shifts_at_once_gets_one(make_event, commune, django_user_model):
    start = timezone.now() + dt.timedelta(days=20)
    stop = make_event(EventKind.ITINERANT_VILLAGE, start=start, hours=5)
    shifts = [
        Shift.objects.create(
            event=stop, role=role, starts_at=start + dt.timedelta(hours=h), ends_at=start + dt.timedelta(hours=h + 2)
        )
        for role, h in ((ShiftRole.WELCOME, 0), (ShiftRole.ACTIVITY, 1))
    ]
    user = django_user_model.objects.create_user("v@example.org", "v@example.org", "x")
    VolunteerProfile.objects.create(user=user, home_commune=commune)

    results = at_the_same_moment(
        [lambda shift=shift: service.sign_up(user, shift) for shift in shifts], expected=(service.ShiftError,)
    )

    # Two different shift rows: what serialises these is the volunteer's profile row.
    assert sum(isinstance(r, ShiftSignup) for r in results) == 1
    assert ShiftSignup.objects.filter(user=user).count() == 1
