"""The demo's weekly markets skip the bank holidays that fall on their day, in the page and in the feed."""

import datetime as dt
import itertools

import pytest
from ical.calendar_stream import IcsCalendarStream

from cms.demo import load_demo
from territory.models import PARIS, Venue, VenueClosure

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def saturday_market(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 9, 0, tzinfo=PARIS), tick=False)
    load_demo(today=TODAY)
    return Venue.objects.get(name="Marché du samedi matin (exemple)")


def test_the_saturday_market_is_closed_on_the_saturdays_that_are_bank_holidays(saturday_market):
    # In the year from 7 December 2026, 1 and 8 May 2027 are Saturdays (25 December 2026 is a
    # Friday; 25 December 2027 is a Saturday, but more than a year ahead).
    assert list(saturday_market.closures.values_list("date", "reason")) == [
        (dt.date(2027, 5, 1), "Fête du Travail"),
        (dt.date(2027, 5, 8), "Victoire 1945"),
    ]
    after = dt.datetime(2027, 4, 20, tzinfo=PARIS)
    starts = [start.date() for start, _end in saturday_market.next_occurrences(count=2, after=after)]
    assert starts == [dt.date(2027, 4, 24), dt.date(2027, 5, 15)]


def test_the_market_feed_leaves_out_the_closed_days(client, saturday_market):
    response = client.get(f"/agenda/marches/{saturday_market.pk}/marche.ics", HTTP_HOST="localhost")

    calendar = IcsCalendarStream.calendar_from_ics(response.content.decode())
    # An independent parser expands the endless RRULE and applies the EXDATEs.
    occurrences = calendar.timeline.start_after(dt.datetime(2027, 4, 20, tzinfo=PARIS))
    days = [event.dtstart.date() for event in itertools.islice(occurrences, 3)]
    assert days == [dt.date(2027, 4, 24), dt.date(2027, 5, 15), dt.date(2027, 5, 22)]


def test_loading_the_demo_again_adds_no_closure(saturday_market):
    count = VenueClosure.objects.count()

    load_demo(today=TODAY)

    assert VenueClosure.objects.count() == count
