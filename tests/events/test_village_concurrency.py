"""Organisers competing for the kit and the pitches at the same moment, on SQLite and PostgreSQL.

On PostgreSQL the scheduling transactions queue on the territory's row lock and the
stand decisions on the stop's; on SQLite on the database's write lock (IMMEDIATE).
Without the territory lock, two acceptances that both count the day's stops before
either commits would both schedule one.
"""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import EventKind, Pitch, Stand, StandStatus, VillageStopPage, VisitRequestStatus
from events.services import village, visits
from territory.models import PARIS, Organisation
from tests.concurrency import at_the_same_moment

from .conftest import visit_request_values

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def saturday():
    """A Saturday 8:00 in Paris, three weeks ahead (threads see the real clock)."""
    day = timezone.localtime(timezone.now(), PARIS).date() + dt.timedelta(days=21)
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(8, 0), tzinfo=PARIS)


def test_two_organisers_accepting_clashing_dates_schedule_one_stop(
    agenda_page, commune, other_commune, organiser, outsider, saturday
):
    requests = [
        visits.submit_visit_request(**visit_request_values(place, preferred_dates=[saturday.date()]))
        for place in (commune, other_commune)
    ]
    results = at_the_same_moment(
        [
            lambda request=request, by=by: visits.accept_visit_request(
                request, start=saturday, end=saturday + dt.timedelta(hours=5), by=by
            )
            for request, by in zip(requests, (organiser, outsider), strict=True)
        ],
        expected=(village.VillageError,),
    )

    stops = [r for r in results if isinstance(r, VillageStopPage)]
    refusals = [r for r in results if isinstance(r, village.VillageError)]
    assert len(stops) == 1 and len(refusals) == 1
    assert refusals[0].code == "kit_unavailable" and stops[0].title in refusals[0].message
    assert VillageStopPage.objects.filter(start_date=saturday.date()).count() == 1
    statuses = sorted(r.status for r in type(requests[0]).objects.all())
    assert statuses == sorted([VisitRequestStatus.ACCEPTED, VisitRequestStatus.RECEIVED])


def test_the_same_request_accepted_twice_at_once_makes_one_stop(agenda_page, commune, organiser, outsider, saturday):
    request = visits.submit_visit_request(**visit_request_values(commune, preferred_dates=[saturday.date()]))
    results = at_the_same_moment(
        [
            lambda by=by, hour=hour: visits.accept_visit_request(
                request,
                start=saturday + dt.timedelta(days=7 * hour),
                end=saturday + dt.timedelta(days=7 * hour, hours=4),
                by=by,
            )
            for by, hour in ((organiser, 0), (outsider, 1))
        ],
        expected=(village.VillageError, visits.VisitRequestError),
    )
    assert sum(isinstance(r, VillageStopPage) for r in results) == 1
    assert [r.code for r in results if isinstance(r, visits.VisitRequestError)] == ["already_decided"]
    assert VillageStopPage.objects.count() == 1


def test_confirmations_racing_for_the_last_pitch_confirm_one(make_event, commune, organiser, saturday):
    stop = make_event(EventKind.ITINERANT_VILLAGE, start=saturday, hours=5)
    pitch = Pitch.objects.create(stop=stop, number=1)
    stands = []
    for n in range(6):
        organisation = Organisation.objects.create(
            name=f"Structure {n}", legal_form="association", commune=commune, summary="-"
        )
        stands.append(village.apply_for_stand(stop, organisation, contact_name="X", contact_email=f"x{n}@example.org"))
    results = at_the_same_moment(
        [lambda stand=stand: village.confirm_stand(stand, pitch, by=organiser) for stand in stands],
        expected=(village.VillageError,),
    )
    assert sum(isinstance(r, Stand) for r in results) == 1
    assert {r.code for r in results if isinstance(r, village.VillageError)} == {"pitch_taken"}
    assert Stand.objects.filter(status=StandStatus.CONFIRMED).count() == 1


def test_one_organisation_applying_to_two_overlapping_stops_at_once_gets_one(
    make_event, commune, other_commune, organisation, saturday
):
    first = make_event(EventKind.ITINERANT_VILLAGE, start=saturday, hours=5, commune=commune)
    # The kit rule is the scheduling service's; these pages are created directly.
    second = make_event(
        EventKind.ITINERANT_VILLAGE, start=saturday + dt.timedelta(hours=2), hours=5, commune=other_commune
    )
    for stop in (first, second):
        Pitch.objects.create(stop=stop, number=1)
    results = at_the_same_moment(
        [
            lambda stop=stop: village.apply_for_stand(
                stop, organisation, contact_name="X", contact_email="x@example.org"
            )
            for stop in (first, second)
        ],
        expected=(village.VillageError,),
    )
    assert sum(isinstance(r, Stand) for r in results) == 1
    assert [r.code for r in results if isinstance(r, village.VillageError)] == ["overlapping_stand"]
