"""Days a market does not take place (territory.VenueClosure)."""

import datetime as dt

import pytest
from django.db import IntegrityError

from territory.models import PARIS, VenueClosure


def test_next_occurrences_skip_a_closure(market):
    VenueClosure.objects.create(venue=market, date=dt.date(2026, 12, 26), reason="Lendemain de Noël")

    starts = [start for start, _end in market.next_occurrences(3, after=dt.datetime(2026, 12, 20, tzinfo=PARIS))]

    assert [start.date() for start in starts] == [dt.date(2027, 1, 2), dt.date(2027, 1, 9), dt.date(2027, 1, 16)]
    assert [start.hour for start in starts] == [8, 8, 8]


def test_one_closure_per_market_and_day(market):
    VenueClosure.objects.create(venue=market, date=dt.date(2026, 12, 26))

    with pytest.raises(IntegrityError):
        VenueClosure.objects.create(venue=market, date=dt.date(2026, 12, 26))
