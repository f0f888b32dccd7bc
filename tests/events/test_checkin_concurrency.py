"""The same ticket scanned at the same instant from several phones: one check-in, whatever the interleaving.

Real threads with their own database connections, on SQLite (a file database, see
village/settings/test.py: IMMEDIATE transactions serialise the writers) and on
PostgreSQL (the row lock on the ticket). The assertions hold for every interleaving,
so a passing run proves nothing slipped through, and a race that did would fail.
"""

import pytest

from events.models import CheckIn, Scan, ScanResult
from events.services.checkin import perform_checkin, record_tally
from tests.concurrency import at_the_same_moment
from tests.events.checkin_fixtures import *  # noqa: F403

# serialized_rollback: the flush after each test empties every table, Wagtail's root page and
# default Site included; they are restored from what the migrations created.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("door_open")]


def run_at_once(calls):
    return at_the_same_moment(calls)


def test_two_phones_scan_one_ticket_at_the_same_instant(event, ticket, checkin_staff, other_staff):
    outcomes = run_at_once(
        [
            lambda: perform_checkin(event=event, code_or_link=ticket.code, nonce="phone-a", by=checkin_staff),
            lambda: perform_checkin(event=event, code_or_link=ticket.code, nonce="phone-b", by=other_staff),
        ]
    )

    assert sorted(o.result for o in outcomes) == [ScanResult.ACCEPTED, ScanResult.DUPLICATE]
    assert CheckIn.objects.count() == 1
    assert sorted(Scan.objects.values_list("result", flat=True)) == ["accepted", "duplicate"]
    duplicate = next(o for o in outcomes if o.result == ScanResult.DUPLICATE)
    accepted = next(o for o in outcomes if o.result == ScanResult.ACCEPTED)
    assert duplicate.checkin_id == accepted.checkin_id


def test_eight_phones_one_ticket(event, ticket, checkin_staff):
    calls = [
        (lambda n=n: perform_checkin(event=event, code_or_link=ticket.code, nonce=f"phone-{n}", by=checkin_staff))
        for n in range(8)
    ]

    outcomes = run_at_once(calls)

    assert [o.result for o in outcomes].count(ScanResult.ACCEPTED) == 1
    assert [o.result for o in outcomes].count(ScanResult.DUPLICATE) == 7
    assert CheckIn.objects.count() == 1
    assert Scan.objects.count() == 8


def test_one_nonce_sent_twice_at_once_is_recorded_once(event, ticket, checkin_staff):
    outcomes = run_at_once(
        [lambda: perform_checkin(event=event, code_or_link=ticket.code, nonce="retried", by=checkin_staff)] * 2
    )

    assert [o.result for o in outcomes] == [ScanResult.ACCEPTED, ScanResult.ACCEPTED]
    assert sorted(o.replayed for o in outcomes) == [False, True]
    assert Scan.objects.count() == 1
    assert CheckIn.objects.count() == 1


def test_one_tally_mark_sent_twice_at_once_counts_once(event):
    outcomes = run_at_once([lambda: record_tally(event=event, delta=1, nonce="mark")] * 2)

    assert [o.total for o in outcomes] == [1, 1]
