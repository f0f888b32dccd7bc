"""How the demo dates its events relative to the day it is loaded."""

import datetime as dt

from cms.demo.agenda import THURSDAY, TUESDAY, weekday_in_weeks


def test_event_falls_on_the_weekday_asked_for():
    day = weekday_in_weeks(dt.date(2026, 3, 4), 2, TUESDAY)  # a Wednesday, two weeks on
    assert day == dt.date(2026, 3, 24)


def test_event_leaves_the_end_of_year_break_forwards():
    assert weekday_in_weeks(dt.date(2026, 12, 1), 3, TUESDAY) == dt.date(2027, 1, 5)


def test_past_event_leaves_the_break_backwards_and_stays_past():
    today = dt.date(2027, 1, 20)
    day = weekday_in_weeks(today, -3, THURSDAY)
    assert day == dt.date(2026, 12, 17)
    assert day < today


def test_school_event_avoids_the_summer_holidays():
    assert weekday_in_weeks(dt.date(2026, 6, 24), 4, TUESDAY, school=True) == dt.date(2026, 9, 1)
    assert weekday_in_weeks(dt.date(2026, 6, 24), 4, TUESDAY) == dt.date(2026, 7, 28)
