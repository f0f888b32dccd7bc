"""events/services/checkin.py: one test per result code, nonces, the window, undo, search, counts, manifest."""

import datetime as dt

import pytest

from events.models import (
    AttendeeCategory,
    CheckIn,
    EventKind,
    EventStatus,
    RegistrationStatus,
    Scan,
    ScanResult,
    TallyMark,
)
from events.services.checkin import (
    CheckinError,
    checkin_registration,
    event_counts,
    offline_manifest,
    perform_checkin,
    record_tally,
    search_attendees,
    undo_checkin,
)
from territory.models import PARIS
from tests.events.checkin_fixtures import *  # noqa: F403
from tests.events.checkin_fixtures import DOOR_OPEN, EVENT_START

pytestmark = pytest.mark.usefixtures("door_open")


def scan(event, code, nonce="n-1", **kwargs):
    return perform_checkin(event=event, code_or_link=code, nonce=nonce, **kwargs)


# One test per result code ---------------------------------------------------------------------------


def test_accepted_checks_the_person_in_and_logs_the_scan(event, ticket, checkin_staff):
    outcome = scan(event, ticket.code, device="Téléphone de Camille", by=checkin_staff)

    assert outcome.result == ScanResult.ACCEPTED
    assert outcome.message == "Présent·e"
    assert (outcome.attendee.name, outcome.attendee.category_label, outcome.attendee.seats) == (
        "Hélène Dupont",
        "Habitant·e",
        1,
    )
    checkin = CheckIn.objects.get()
    assert (checkin.ticket, checkin.event_id, checkin.checked_in_by, checkin.device) == (
        ticket,
        event.pk,
        checkin_staff,
        "Téléphone de Camille",
    )
    assert checkin.checked_in_at == DOOR_OPEN
    assert outcome.checkin_id == checkin.pk
    logged = Scan.objects.get()
    assert (logged.result, logged.ticket, logged.nonce, logged.scanned_by, logged.offline) == (
        ScanResult.ACCEPTED,
        ticket,
        "n-1",
        checkin_staff,
        False,
    )


def test_the_whole_link_of_the_qr_is_read_like_the_code(event, ticket):
    outcome = scan(event, f"https://village.example.org/billet/{ticket.code}/")

    assert outcome.result == ScanResult.ACCEPTED


def test_duplicate_tells_when_and_who_checked_the_ticket_in(event, ticket, checkin_staff, other_staff, time_machine):
    scan(event, ticket.code, nonce="first", by=checkin_staff, device="Entrée")
    time_machine.move_to(dt.datetime(2026, 12, 10, 8, 40, tzinfo=PARIS), tick=False)

    outcome = scan(event, ticket.code, nonce="second", by=other_staff)

    assert outcome.result == ScanResult.DUPLICATE
    assert outcome.message == "Déjà pointé·e à 8 h 15 par Camille"
    assert (outcome.checked_in_at, outcome.checked_in_device) == (DOOR_OPEN, "Entrée")
    assert outcome.attendee.name == "Hélène Dupont"
    assert CheckIn.objects.count() == 1
    assert list(Scan.objects.order_by("pk").values_list("result", flat=True)) == ["accepted", "duplicate"]


def test_unknown_code(event, ticket):
    outcome = scan(event, "A" * 22)

    assert (outcome.result, outcome.message, outcome.attendee) == (ScanResult.UNKNOWN, "Billet inconnu", None)
    assert not CheckIn.objects.exists()
    assert Scan.objects.get().result == ScanResult.UNKNOWN


def test_something_that_is_not_a_ticket_is_unknown(event):
    outcome = scan(event, "https://example.org/not-a-ticket")

    assert outcome.result == ScanResult.UNKNOWN
    assert Scan.objects.get().ticket is None


def test_revoked_ticket(event, make_ticket):
    revoked = make_ticket(event, revoked_at=DOOR_OPEN - dt.timedelta(days=1))

    outcome = scan(event, revoked.code)

    assert (outcome.result, outcome.message) == (ScanResult.REVOKED, "Billet révoqué")
    assert not CheckIn.objects.exists()


def test_cancelled_registration(event, make_ticket):
    cancelled = make_ticket(event, status=RegistrationStatus.CANCELLED)

    outcome = scan(event, cancelled.code)

    assert (outcome.result, outcome.message) == (ScanResult.CANCELLED, "Inscription annulée")
    assert outcome.attendee.name == "Hélène Dupont"
    assert not CheckIn.objects.exists()


def test_waitlisted_registration(event, make_ticket):
    waiting = make_ticket(event, status=RegistrationStatus.WAITLISTED)

    outcome = scan(event, waiting.code)

    assert (outcome.result, outcome.message) == (
        ScanResult.NOT_CONFIRMED,
        "Sur liste d'attente : inscription non confirmée",
    )
    assert not CheckIn.objects.exists()


def test_ticket_of_another_event_names_that_event(event, make_event, make_ticket):
    other = make_event(title="Le réemploi au quotidien", start=dt.datetime(2026, 12, 17, 8, 30, tzinfo=PARIS))
    elsewhere = make_ticket(other)

    outcome = scan(event, elsewhere.code)

    assert outcome.result == ScanResult.WRONG_EVENT
    assert outcome.message == "Billet d'un autre événement : « Le réemploi au quotidien », le 17/12"
    assert not CheckIn.objects.exists()
    assert Scan.objects.get().event_id == event.pk


def test_undone(event, ticket, checkin_staff):
    accepted = scan(event, ticket.code, by=checkin_staff)

    outcome = undo_checkin(CheckIn.objects.get(pk=accepted.checkin_id), by=checkin_staff, device="Entrée")

    assert (outcome.result, outcome.message, outcome.attendee.name) == (
        ScanResult.UNDONE,
        "Pointage annulé",
        "Hélène Dupont",
    )
    assert not CheckIn.objects.exists()
    assert list(Scan.objects.order_by("pk").values_list("result", "ticket", "device")) == [
        ("accepted", ticket.pk, ""),
        ("undone", ticket.pk, "Entrée"),
    ]
    # The person can be checked in again after the mistake is undone.
    assert scan(event, ticket.code, nonce="again").result == ScanResult.ACCEPTED


def test_undoing_twice_is_refused(event, ticket, checkin_staff):
    checkin = CheckIn.objects.get(pk=scan(event, ticket.code).checkin_id)
    undo_checkin(checkin, by=checkin_staff)

    with pytest.raises(CheckinError) as error:
        undo_checkin(checkin, by=checkin_staff)

    assert error.value.code == "already_undone"
    assert Scan.objects.filter(result=ScanResult.UNDONE).count() == 1


# Nonces ---------------------------------------------------------------------------------------------


def test_the_same_nonce_returns_the_first_outcome_without_a_new_row(event, ticket, checkin_staff):
    first = scan(event, ticket.code, nonce="retry-me", by=checkin_staff)

    again = scan(event, ticket.code, nonce="retry-me", by=checkin_staff)

    assert (again.result, again.checkin_id, again.scan_id, again.replayed) == (
        ScanResult.ACCEPTED,
        first.checkin_id,
        first.scan_id,
        True,
    )
    assert Scan.objects.count() == 1
    assert CheckIn.objects.count() == 1


def test_a_replayed_refusal_stays_a_refusal(event):
    scan(event, "B" * 22, nonce="x")

    assert scan(event, "B" * 22, nonce="x").result == ScanResult.UNKNOWN
    assert Scan.objects.count() == 1


def test_a_nonce_used_at_another_event_is_refused(event, make_event, ticket):
    other = make_event(start=EVENT_START)
    scan(event, ticket.code, nonce="shared")

    with pytest.raises(CheckinError) as error:
        scan(other, ticket.code, nonce="shared")

    assert error.value.code == "nonce_reused"


@pytest.mark.parametrize("nonce", ["", "   ", "n" * 65])
def test_missing_or_overlong_nonce_is_refused(event, ticket, nonce):
    with pytest.raises(CheckinError) as error:
        scan(event, ticket.code, nonce=nonce)

    assert error.value.code == "invalid_nonce"
    assert not Scan.objects.exists()


# When the door is open ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (dt.datetime(2026, 12, 10, 6, 29, tzinfo=PARIS), "checkin_not_open"),
        (dt.datetime(2026, 12, 11, 0, 0, tzinfo=PARIS), "checkin_closed"),
    ],
)
def test_scans_outside_the_window_are_refused(event, ticket, time_machine, moment, code):
    time_machine.move_to(moment, tick=False)

    with pytest.raises(CheckinError) as error:
        scan(event, ticket.code)

    assert error.value.code == code
    assert not Scan.objects.exists()


@pytest.mark.parametrize(
    "moment",
    [dt.datetime(2026, 12, 10, 6, 30, tzinfo=PARIS), dt.datetime(2026, 12, 10, 23, 59, tzinfo=PARIS)],
)
def test_the_window_runs_from_two_hours_before_to_the_end_of_the_day(event, ticket, time_machine, moment):
    time_machine.move_to(moment, tick=False)

    assert scan(event, ticket.code).result == ScanResult.ACCEPTED


def test_a_refusal_message_says_when_the_door_opens(event, ticket, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 9, 18, 0, tzinfo=PARIS), tick=False)

    with pytest.raises(CheckinError) as error:
        scan(event, ticket.code)

    assert error.value.message == "Le pointage ouvre le 10/12 à 6 h 30, deux heures avant le début."


def test_a_cancelled_event_takes_no_checkin(event, ticket):
    event.status = EventStatus.CANCELLED
    event.save()

    with pytest.raises(CheckinError) as error:
        scan(event, ticket.code)

    assert error.value.code == "event_cancelled"


def test_an_offline_scan_synced_the_next_morning_keeps_the_phone_time(event, ticket, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 11, 9, 0, tzinfo=PARIS), tick=False)
    scanned_at = dt.datetime(2026, 12, 10, 8, 20, tzinfo=PARIS)

    outcome = scan(event, ticket.code, offline=True, scanned_at=scanned_at)

    assert outcome.result == ScanResult.ACCEPTED
    assert CheckIn.objects.get().checked_in_at == scanned_at
    logged = Scan.objects.get()
    assert (logged.scanned_at, logged.offline) == (scanned_at, True)


def test_a_phone_clock_in_the_future_is_taken_as_now(event, ticket):
    outcome = scan(event, ticket.code, offline=True, scanned_at=DOOR_OPEN + dt.timedelta(hours=3))

    assert outcome.checked_in_at == DOOR_OPEN


def test_an_online_scan_uses_the_server_clock(event, ticket):
    scan(event, ticket.code, scanned_at=DOOR_OPEN - dt.timedelta(hours=1))

    assert Scan.objects.get().scanned_at == DOOR_OPEN


def test_a_duplicate_of_another_day_names_the_day(make_event, make_ticket, time_machine):
    two_days = make_event(start=EVENT_START, hours=30)
    person = make_ticket(two_days)
    scan(two_days, person.code, nonce="day-1")
    time_machine.move_to(dt.datetime(2026, 12, 11, 9, 0, tzinfo=PARIS), tick=False)

    assert scan(two_days, person.code, nonce="day-2").message == "Déjà pointé·e le 10/12 à 8 h 15"


# By name --------------------------------------------------------------------------------------------


def test_search_ignores_accents_and_case_and_shows_the_status(event, make_ticket, make_event):
    make_ticket(event, name="Hélène Dupont")
    make_ticket(event, name="Helena Martin", status=RegistrationStatus.CANCELLED)
    make_ticket(event, name="Marc Lefèvre", organisation_name="Épicerie solidaire")
    make_ticket(make_event(start=EVENT_START), name="Hélène Autre")

    matches = search_attendees(event, "HELEN")

    assert [(m.attendee.name, m.status) for m in matches] == [
        ("Helena Martin", RegistrationStatus.CANCELLED),
        ("Hélène Dupont", RegistrationStatus.CONFIRMED),
    ]
    assert [m.attendee.name for m in search_attendees(event, "epicerie")] == ["Marc Lefèvre"]
    assert search_attendees(event, "h") == []


def test_search_shows_who_is_already_in(event, ticket):
    scan(event, ticket.code)

    (match,) = search_attendees(event, "dupont")

    assert (match.checked_in_at, match.checkin_id is not None, match.has_ticket) == (DOOR_OPEN, True, True)


def test_checkin_by_name_follows_the_same_rules(event, ticket, checkin_staff):
    registration = ticket.registration

    first = checkin_registration(registration, by=checkin_staff, nonce="by-name")
    second = checkin_registration(registration, by=checkin_staff, nonce="by-name-2")

    assert (first.result, second.result) == (ScanResult.ACCEPTED, ScanResult.DUPLICATE)
    assert CheckIn.objects.get().checked_in_by == checkin_staff


def test_checkin_by_name_of_a_waitlisted_person_is_refused(event, make_ticket, checkin_staff):
    waiting = make_ticket(event, status=RegistrationStatus.WAITLISTED)

    outcome = checkin_registration(waiting.registration, by=checkin_staff, nonce="w")

    assert outcome.result == ScanResult.NOT_CONFIRMED


# Counts, manifest, tally ----------------------------------------------------------------------------


def test_counts_in_people_and_seats(make_event, make_ticket):
    youth = make_event(kind=EventKind.YOUTH_OUTREACH, start=EVENT_START)
    group = make_ticket(youth, name="Lycée Watteau, 2nde B", category=AttendeeCategory.YOUNG_PERSON, seats=24)
    make_ticket(youth, name="Enseignante", category=AttendeeCategory.TEACHER)
    make_ticket(youth, name="Annulé", status=RegistrationStatus.CANCELLED, seats=5)
    make_ticket(youth, name="En attente", status=RegistrationStatus.WAITLISTED)
    scan(youth, group.code)
    record_tally(event=youth, delta=1, nonce="t1")
    record_tally(event=youth, delta=1, nonce="t2")
    record_tally(event=youth, delta=-1, nonce="t3")

    counts = event_counts(youth)

    assert (counts.present, counts.present_seats, counts.registered, counts.registered_seats, counts.tally) == (
        1,
        24,
        2,
        25,
        1,
    )


@pytest.mark.parametrize("size", [3, 30])
def test_counts_take_two_queries_whatever_the_size(event, make_ticket, django_assert_num_queries, size):
    tickets = [make_ticket(event, name=f"Personne {n}") for n in range(size)]
    for n, person in enumerate(tickets[: size // 2]):
        scan(event, person.code, nonce=f"n{n}")

    with django_assert_num_queries(2):
        counts = event_counts(event)

    assert (counts.present, counts.registered) == (size // 2, size)


def test_manifest_lists_valid_tickets_of_confirmed_registrations(event, make_ticket, make_event):
    present = make_ticket(event, name="Bruno Present", category=AttendeeCategory.ELECTED)
    expected = make_ticket(event, name="Alice Attendue", organisation_name="Mairie d'Anzin")
    make_ticket(event, name="Annulée", status=RegistrationStatus.CANCELLED)
    make_ticket(event, name="Attente", status=RegistrationStatus.WAITLISTED)
    make_ticket(event, name="Révoqué", revoked_at=DOOR_OPEN)
    make_ticket(make_event(start=EVENT_START), name="Ailleurs")
    scan(event, present.code)

    manifest = offline_manifest(event)

    assert manifest["event"] == event.pk
    assert manifest["tickets"] == [
        {
            "code_hash": expected.code_hash,
            "registration": expected.registration_id,
            "name": "Alice Attendue",
            "category": "resident",
            "category_label": "Habitant·e",
            "seats": 1,
            "organisation": "Mairie d'Anzin",
            "checked_in": False,
            "checked_in_at": None,
        },
        {
            "code_hash": present.code_hash,
            "registration": present.registration_id,
            "name": "Bruno Present",
            "category": "elected",
            "category_label": "Élu·e",
            "seats": 1,
            "organisation": "",
            "checked_in": True,
            "checked_in_at": "2026-12-10T07:15:00+00:00",
        },
    ]
    # The codes themselves never leave the server, only their hashes.
    assert expected.code not in str(manifest)


def test_manifest_version_changes_with_a_checkin(event, ticket):
    before = offline_manifest(event)["version"]
    assert offline_manifest(event)["version"] == before

    scan(event, ticket.code)

    assert offline_manifest(event)["version"] != before


@pytest.mark.parametrize("size", [3, 30])
def test_manifest_takes_one_query(event, make_ticket, django_assert_num_queries, size):
    for n in range(size):
        make_ticket(event, name=f"Personne {n}")

    with django_assert_num_queries(1):
        manifest = offline_manifest(event)

    assert len(manifest["tickets"]) == size


def test_tally_is_idempotent_per_nonce(event, checkin_staff):
    first = record_tally(event=event, delta=1, nonce="mark-1", by=checkin_staff, device="Stand")
    again = record_tally(event=event, delta=1, nonce="mark-1", by=checkin_staff)

    assert (first.total, first.replayed, again.total, again.replayed) == (1, False, 1, True)
    mark = TallyMark.objects.get()
    assert (mark.counted_by, mark.device, mark.counted_at) == (checkin_staff, "Stand", DOOR_OPEN)


def test_tally_refuses_other_steps(event):
    with pytest.raises(CheckinError) as error:
        record_tally(event=event, delta=2, nonce="x")

    assert error.value.code == "invalid_delta"
    assert not TallyMark.objects.exists()


def test_tally_keeps_the_phone_time(event):
    counted_at = dt.datetime(2026, 12, 10, 8, 5, tzinfo=PARIS)

    record_tally(event=event, delta=1, nonce="offline-mark", counted_at=counted_at)

    assert TallyMark.objects.get().counted_at == counted_at


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (dt.datetime(2026, 10, 25, 23, 59, tzinfo=PARIS), True),
        (dt.datetime(2026, 10, 26, 0, 0, tzinfo=PARIS), False),
    ],
)
def test_the_window_closes_at_paris_midnight_on_the_night_clocks_go_back(
    make_event, make_ticket, time_machine, moment, open_
):
    # 25 October 2026: the day has 25 hours in Paris; midnight is 23:00 UTC, not 22:00.
    autumn = make_event(start=dt.datetime(2026, 10, 25, 18, 0, tzinfo=PARIS))
    person = make_ticket(autumn)
    time_machine.move_to(moment, tick=False)

    if open_:
        assert scan(autumn, person.code).result == ScanResult.ACCEPTED
    else:
        with pytest.raises(CheckinError):
            scan(autumn, person.code)


def test_the_database_keeps_one_checkin_even_if_a_read_were_stale(event, ticket, monkeypatch):
    """The one-to-one on CheckIn.ticket is the last guard: a scan that wrongly believed the
    ticket free (as if a backend ignored the row lock) ends up a duplicate, not a second row."""
    from events.services import checkin as service

    scan(event, ticket.code, nonce="first")
    real_verdict = service._verdict
    calls = []

    def stale_then_real(event, ticket):
        calls.append(ticket)
        return (ScanResult.ACCEPTED, None) if len(calls) == 1 else real_verdict(event, ticket)

    monkeypatch.setattr(service, "_verdict", stale_then_real)

    outcome = scan(event, ticket.code, nonce="second")

    assert outcome.result == ScanResult.DUPLICATE
    assert CheckIn.objects.count() == 1
    assert list(Scan.objects.order_by("pk").values_list("result", flat=True)) == ["accepted", "duplicate"]
