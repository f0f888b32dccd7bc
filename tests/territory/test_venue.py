import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from territory.models import PARIS, Venue, VenueKind


@pytest.mark.django_db
def test_weekly_market_next_occurrences_keep_local_hours_across_dst(market):
    # Saturday 24 October 2026 is the last Saturday of summer time; clocks go back on the 25th.
    after = dt.datetime(2026, 10, 22, 12, 0, tzinfo=PARIS)
    occurrences = market.next_occurrences(3, after=after)
    assert [(s.date(), s.hour, e.hour) for s, e in occurrences] == [
        (dt.date(2026, 10, 24), 8, 13),
        (dt.date(2026, 10, 31), 8, 13),
        (dt.date(2026, 11, 7), 8, 13),
    ]
    assert [s.utcoffset() for s, _ in occurrences] == [
        dt.timedelta(hours=2),
        dt.timedelta(hours=1),
        dt.timedelta(hours=1),
    ]


@pytest.mark.django_db
def test_an_occurrence_under_way_is_still_listed(market):
    during = dt.datetime(2026, 11, 28, 10, 0, tzinfo=PARIS)
    first_start, first_end = market.next_occurrences(1, after=during)[0]
    assert first_start == dt.datetime(2026, 11, 28, 8, 0, tzinfo=PARIS)
    assert first_end == dt.datetime(2026, 11, 28, 13, 0, tzinfo=PARIS)


@pytest.mark.django_db
def test_fortnightly_market_weeks_do_not_depend_on_the_day_asked(commune):
    market = Venue.objects.create(
        commune=commune,
        name="Marché bio",
        kind=VenueKind.MARKET,
        recurrence="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        recurrence_start=dt.date(2026, 11, 4),
        opens_at=dt.time(15),
        closes_at=dt.time(19),
    )
    monday = market.next_occurrences(2, after=dt.datetime(2026, 11, 9, 9, tzinfo=PARIS))
    thursday = market.next_occurrences(1, after=dt.datetime(2026, 11, 12, 9, tzinfo=PARIS))
    assert [s.date() for s, _ in monday] == [dt.date(2026, 11, 18), dt.date(2026, 12, 2)]
    assert [s.date() for s, _ in thursday] == [dt.date(2026, 11, 18)]
    assert market.recurrence_label == "Toutes les 2 semaines, le mercredi, 15 h 00 – 19 h 00"


@pytest.mark.django_db
def test_recurrence_label_in_french(market):
    assert market.recurrence_label == "Chaque samedi, 8 h 00 – 13 h 00"


@pytest.mark.django_db
def test_unreadable_rule_is_refused_in_french(commune):
    venue = Venue(
        commune=commune,
        name="Marché",
        kind=VenueKind.MARKET,
        recurrence="tous les samedis",
        opens_at=dt.time(8),
        closes_at=dt.time(13),
    )
    with pytest.raises(ValidationError) as excinfo:
        venue.full_clean()
    assert "Règle de récurrence illisible" in str(excinfo.value)


@pytest.mark.django_db
def test_a_recurring_venue_needs_its_hours(commune):
    venue = Venue(commune=commune, name="Marché", kind=VenueKind.MARKET, recurrence="FREQ=WEEKLY;BYDAY=SA")
    with pytest.raises(ValidationError) as excinfo:
        venue.full_clean()
    assert "heure d'ouverture et de fermeture" in str(excinfo.value)


def test_a_venue_without_recurrence_has_no_occurrences():
    assert Venue(name="Mairie", kind=VenueKind.TOWN_HALL).next_occurrences() == []
