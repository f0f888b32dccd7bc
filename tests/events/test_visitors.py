"""Visitors counted at the stands: record_visit counts a device once, visitor_counts adds everything up."""

import datetime as dt
import hashlib
import threading

import pytest
from django.db import connection
from wagtail.models import Page

from events.models import AgeBracket, EventKind, EventStatus, TallyMark, VisitorCheckIn, VisitorRole
from events.services.visitors import (
    SelfCheckinState,
    VisitError,
    VisitorAnswers,
    device_key,
    record_visit,
    self_checkin_state,
    self_checkin_window,
    visitor_counts,
)
from territory.models import PARIS, Commune, Territory

START = dt.datetime(2026, 6, 13, 8, 0, tzinfo=PARIS)  # a Saturday market, summer time
DURING = START + dt.timedelta(hours=2)


@pytest.fixture
def stop(make_event):
    return make_event(kind=EventKind.ITINERANT_VILLAGE, start=START, hours=5, title="Le village au marché d'Anzin")


@pytest.fixture
def during(time_machine):
    time_machine.move_to(DURING, tick=False)


def answers(**fields):
    return VisitorAnswers(**fields)


# record_visit -------------------------------------------------------------------------


@pytest.mark.usefixtures("during")
def test_a_first_visit_is_counted_with_its_answers(stop, commune):
    visit, created = record_visit(
        stop, "token-a", answers(home_commune=commune, age_bracket=AgeBracket.FROM_26_TO_59, role=VisitorRole.TEACHER)
    )

    assert created
    visit.refresh_from_db()
    assert (visit.event_id, visit.home_commune, visit.age_bracket, visit.role, visit.outside_territory) == (
        stop.pk,
        commune,
        "26_59",
        "teacher",
        False,
    )


@pytest.mark.usefixtures("during")
def test_a_visit_without_any_answer_counts(stop):
    visit, created = record_visit(stop, "token-a", answers())

    assert created
    assert (visit.home_commune, visit.outside_territory, visit.age_bracket, visit.role) == (None, False, "", "")


@pytest.mark.usefixtures("during")
def test_the_same_device_counts_once_and_its_later_answers_replace_the_first(stop, commune, other_commune):
    first, created_first = record_visit(stop, "token-a", answers(home_commune=commune, role=VisitorRole.RESIDENT))
    second, created_second = record_visit(stop, "token-a", answers(home_commune=other_commune))

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert VisitorCheckIn.objects.count() == 1
    second.refresh_from_db()
    assert (second.home_commune, second.role) == (other_commune, "")


@pytest.mark.usefixtures("during")
def test_two_devices_are_two_visits(stop):
    record_visit(stop, "token-a", answers())
    record_visit(stop, "token-b", answers())

    assert VisitorCheckIn.objects.filter(event=stop).count() == 2


@pytest.mark.usefixtures("during")
def test_one_device_counts_once_per_event(stop, make_event):
    other_stop = make_event(kind=EventKind.ITINERANT_VILLAGE, start=START, hours=5)

    record_visit(stop, "token-a", answers())
    record_visit(other_stop, "token-a", answers())

    assert VisitorCheckIn.objects.count() == 2


@pytest.mark.usefixtures("during")
def test_only_the_sha256_of_the_device_token_is_stored(stop):
    visit, _ = record_visit(stop, "token-a", answers())

    assert visit.device_key == hashlib.sha256(b"token-a").hexdigest() == device_key("token-a")
    assert not VisitorCheckIn.objects.filter(device_key__contains="token-a").exists()


@pytest.mark.usefixtures("during")
def test_outside_the_territory_is_kept_only_without_a_commune(stop, commune):
    outside, _ = record_visit(stop, "token-a", answers(outside_territory=True))
    both, _ = record_visit(stop, "token-b", answers(home_commune=commune, outside_territory=True))

    assert (outside.home_commune, outside.outside_territory) == (None, True)
    assert (both.home_commune, both.outside_territory) == (commune, False)


@pytest.mark.usefixtures("during")
def test_a_submission_that_loses_the_race_updates_the_row_the_winner_inserted(stop, commune):
    # What the unique constraint sees when a second request arrives just after the first
    # inserted: the INSERT fails, and the answers of the late one are kept.
    VisitorCheckIn.objects.create(event=stop, device_key=device_key("token-a"))

    visit, created = record_visit(stop, "token-a", answers(home_commune=commune))

    assert not created
    assert VisitorCheckIn.objects.get().home_commune == commune


@pytest.mark.usefixtures("during")
def test_a_commune_of_another_territory_is_refused(stop):
    elsewhere = Territory.objects.create(name="Métropole Européenne de Lille", slug="mel", siren="200093201")
    lille = Commune.objects.create(
        territory=elsewhere, insee_code="59350", name="Lille", postcodes="59000", population=1, latitude=0, longitude=0
    )

    with pytest.raises(VisitError) as error:
        record_visit(stop, "token-a", answers(home_commune=lille))

    assert error.value.code == "wrong_territory"
    assert not VisitorCheckIn.objects.exists()


def test_a_cancelled_event_counts_nobody(stop, time_machine):
    time_machine.move_to(DURING, tick=False)
    stop.status = EventStatus.CANCELLED
    stop.save()

    with pytest.raises(VisitError) as error:
        record_visit(stop, "token-a", answers())

    assert error.value.code == "cancelled"
    assert not VisitorCheckIn.objects.exists()


def test_an_unpublished_event_counts_nobody(stop, time_machine):
    time_machine.move_to(DURING, tick=False)
    Page.objects.filter(pk=stop.pk).update(live=False)
    stop.refresh_from_db()

    with pytest.raises(VisitError) as error:
        record_visit(stop, "token-a", answers())

    assert error.value.code == "not_published"


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (START - dt.timedelta(hours=2, seconds=1), "not_started"),
        (dt.datetime(2026, 6, 14, 0, 0, tzinfo=PARIS), "over"),
    ],
)
def test_outside_the_window_counts_nobody(stop, time_machine, moment, code):
    time_machine.move_to(moment, tick=False)

    with pytest.raises(VisitError) as error:
        record_visit(stop, "token-a", answers())

    assert error.value.code == code
    assert not VisitorCheckIn.objects.exists()


# The window ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (START - dt.timedelta(hours=2, seconds=1), SelfCheckinState.NOT_STARTED),
        (START - dt.timedelta(hours=2), SelfCheckinState.OPEN),
        (START + dt.timedelta(hours=5, minutes=30), SelfCheckinState.OPEN),
        (dt.datetime(2026, 6, 13, 23, 59, 59, tzinfo=PARIS), SelfCheckinState.OPEN),
        (dt.datetime(2026, 6, 14, 0, 0, tzinfo=PARIS), SelfCheckinState.OVER),
    ],
)
def test_open_from_two_hours_before_the_start_to_the_end_of_the_day(stop, moment, state):
    assert self_checkin_state(stop, now=moment) == state


def test_the_day_ends_at_midnight_paris_time_in_winter_and_in_summer(make_event):
    # Saturday 24 October 2026; clocks go back the following night (25 October, 3:00).
    autumn = make_event(kind=EventKind.ITINERANT_VILLAGE, start=dt.datetime(2026, 10, 24, 8, 0, tzinfo=PARIS), hours=5)
    winter = make_event(kind=EventKind.ITINERANT_VILLAGE, start=dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS), hours=5)

    assert self_checkin_window(autumn)[1] == dt.datetime(2026, 10, 24, 22, 0, tzinfo=dt.UTC)
    assert self_checkin_window(winter)[1] == dt.datetime(2026, 12, 12, 23, 0, tzinfo=dt.UTC)


def test_an_event_ending_after_midnight_stays_open_until_the_end_of_its_last_day(make_event):
    evening = make_event(start=dt.datetime(2026, 6, 13, 21, 0, tzinfo=PARIS), hours=4)

    assert self_checkin_window(evening)[1] == dt.datetime(2026, 6, 15, 0, 0, tzinfo=PARIS)


# visitor_counts ----------------------------------------------------------------------


def _visit(event, n, **fields):
    return VisitorCheckIn.objects.create(event=event, device_key=device_key(f"token-{n}"), **fields)


def _tally(event, *deltas):
    for n, delta in enumerate(deltas):
        TallyMark.objects.create(event=event, delta=delta, nonce=f"{event.pk}-{n}-{delta}", counted_at=DURING)


def test_counts_add_self_check_ins_and_the_tally(stop, commune, other_commune, make_event):
    _visit(stop, 1, home_commune=commune, age_bracket=AgeBracket.UNDER_18, role=VisitorRole.RESIDENT)
    _visit(stop, 2, home_commune=commune, age_bracket=AgeBracket.FROM_60)
    _visit(stop, 3, home_commune=other_commune, role=VisitorRole.ELECTED)
    _visit(stop, 4, outside_territory=True, role=VisitorRole.RESIDENT)
    _visit(stop, 5)
    _tally(stop, 1, 1, 1, -1)
    _visit(make_event(kind=EventKind.ITINERANT_VILLAGE, start=START), 6, home_commune=commune)

    counts = visitor_counts(stop)

    assert (counts.self_checkins, counts.tally, counts.total) == (5, 2, 7)
    assert [(s.key, s.label, s.count) for s in counts.by_commune] == [
        ("59606", "Valenciennes", 2),
        ("59014", "Anzin", 1),
        ("outside", "Hors du territoire", 1),
        ("", "Sans réponse", 1),
    ]
    assert [(s.key, s.count) for s in counts.by_age] == [
        ("under_18", 1),
        ("18_25", 0),
        ("26_59", 0),
        ("60_plus", 1),
        ("", 3),
    ]
    assert [(s.label, s.count) for s in counts.by_role] == [
        ("Habitant·e", 2),
        ("Élu·e", 1),
        ("Enseignant·e", 0),
        ("Acteur·rice de l'ESS", 0),
        ("Autre", 0),
        ("Sans réponse", 2),
    ]


def test_the_tally_never_shows_below_zero(stop):
    _tally(stop, -1, -1, 1)

    assert visitor_counts(stop).tally == 0


def test_an_event_without_visitors_counts_zero(stop):
    counts = visitor_counts(stop)

    assert (counts.self_checkins, counts.tally, counts.total) == (0, 0, 0)
    assert sum(s.count for s in counts.by_commune) == 0


def test_counting_takes_three_queries_whatever_the_number_of_visits(
    stop, commune, other_commune, django_assert_num_queries
):
    _visit(stop, 1, home_commune=commune)
    with django_assert_num_queries(3):
        visitor_counts(stop)

    for n in range(2, 40):
        _visit(stop, n, home_commune=commune if n % 2 else other_commune, age_bracket=AgeBracket.FROM_18_TO_25)
    _tally(stop, *[1] * 20)
    with django_assert_num_queries(3):
        assert visitor_counts(stop).total == 59


# Concurrency -------------------------------------------------------------------------


# Real threads need committed rows; the serialized rollback restores Wagtail's root page and
# the content types afterwards, so the browser tests may run after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_tap_sent_twice_at_the_same_instant_counts_once(stop, commune, time_machine):
    time_machine.move_to(DURING, tick=False)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            outcomes.append(record_visit(stop, "token-a", answers(home_commune=commune))[1])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(outcomes) == [False, True]
    assert VisitorCheckIn.objects.count() == 1
