import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.template import Context, Template

from events.dates import format_datetime, format_day, format_range, format_time
from territory.models import PARIS

UTC = dt.UTC


def test_a_morning_event_reads_the_french_way():
    start = dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS)
    assert format_range(start, start + dt.timedelta(hours=1.5)) == "jeudi 10 décembre 2026, 8 h 30 – 10 h 00"


def test_the_first_day_of_the_month_is_the_1er():
    assert format_day(dt.date(2026, 11, 1)) == "dimanche 1er novembre 2026"
    assert format_day(dt.date(2026, 11, 2)) == "lundi 2 novembre 2026"


def test_hours_have_no_leading_zero_and_minutes_always_two_digits():
    assert format_time(dt.time(8, 5)) == "8 h 05"
    assert format_time(dt.time(14, 0)) == "14 h 00"
    assert format_time(dt.time(0, 15)) == "0 h 15"


def test_an_event_crossing_midnight_names_both_days():
    start = dt.datetime(2026, 12, 31, 22, 0, tzinfo=PARIS)
    end = dt.datetime(2027, 1, 1, 1, 30, tzinfo=PARIS)
    assert format_range(start, end) == "jeudi 31 décembre 2026, 22 h 00 – vendredi 1er janvier 2027, 1 h 30"


def test_utc_times_are_shown_in_paris_time_in_winter_and_in_summer():
    # 7:30 UTC is 8:30 in Paris in winter (UTC+1) and 9:30 in summer (UTC+2).
    assert format_datetime(dt.datetime(2026, 12, 10, 7, 30, tzinfo=UTC)) == "jeudi 10 décembre 2026, 8 h 30"
    assert format_datetime(dt.datetime(2026, 6, 11, 7, 30, tzinfo=UTC)) == "jeudi 11 juin 2026, 9 h 30"


def test_a_night_across_the_end_of_summer_time_keeps_wall_clock_times():
    # On Sunday 25 October 2026 clocks go back from 3:00 to 2:00 in Paris: the night
    # from 23:00 to 4:00 lasts six hours of real time, but reads 23 h 00 – 4 h 00.
    start = dt.datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
    end = dt.datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    assert format_range(start, end) == "samedi 24 octobre 2026, 23 h 00 – dimanche 25 octobre 2026, 4 h 00"


def test_a_morning_on_the_day_summer_time_starts():
    # Sunday 29 March 2026: 2:00 becomes 3:00; a market from 8:00 to 13:00 is still 8 h 00 – 13 h 00.
    start = dt.datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    end = dt.datetime(2026, 3, 29, 11, 0, tzinfo=UTC)
    assert format_range(start, end) == "dimanche 29 mars 2026, 8 h 00 – 13 h 00"


def test_the_visitor_time_zone_does_not_change_the_event_time():
    start = dt.datetime(2026, 12, 10, 8, 30, tzinfo=ZoneInfo("America/Montreal"))
    assert format_datetime(start) == "jeudi 10 décembre 2026, 14 h 30"


def test_without_an_end_only_the_start_is_shown():
    assert format_range(dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS), None) == "jeudi 10 décembre 2026, 8 h 30"


def render(source, **context):
    return Template("{% load event_tags %}" + source).render(Context(context))


def test_event_when_tag_gives_a_machine_readable_time_and_keeps_times_on_one_line():
    event = SimpleNamespace(
        start=dt.datetime(2026, 12, 10, 7, 30, tzinfo=UTC), end=dt.datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    )
    html = render("{% event_when event %}", event=event)
    assert html == (
        '<time datetime="2026-12-10T08:30:00+01:00">jeudi 10 décembre 2026, 8\u00a0h\u00a030 – 10\u00a0h\u00a000</time>'
    )


def test_french_time_filter():
    assert render("{{ value|french_time }}", value=dt.time(7, 0)) == "7\u00a0h\u00a000"
    assert render("{{ value|french_time }}", value=None) == ""
