"""The VCALENDAR around the events, the same for every calendar we write.

PRODID, VERSION, X-WR-CALNAME (the name calendar applications show), X-WR-TIMEZONE, a
METHOD for a calendar sent by email, and the Europe/Paris VTIMEZONE limited to the
transitions around the events: icalendar's default span (1970-2038) would write some
140 of them into every calendar.
"""

import datetime as dt
from functools import lru_cache

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard

from .components import PRODID

TZID = "Europe/Paris"
END = b"END:VCALENDAR\r\n"


def new_calendar(*, name: str = "", method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    return calendar


def timezone_span(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """From the year before the first event to two years after the last one."""
    return dt.date(first.year - 1, 1, 1), dt.date(last.year + 2, 1, 1)


def serialise(calendar: Calendar, dates: list[dt.date]) -> bytes:
    """The calendar's bytes, with the VTIMEZONE its timed events need (none without any)."""
    if dates:
        first_date, last_date = timezone_span(min(dates), max(dates))
        calendar.add_missing_timezones(first_date=first_date, last_date=last_date)
    return calendar.to_ical()


def header_bytes(*, name: str = "", method: str | None = None) -> bytes:
    """The envelope's opening lines, as `serialise` writes them before the first component."""
    body = new_calendar(name=name, method=method).to_ical()
    return body.removesuffix(END)


@lru_cache(maxsize=32)
def timezone_bytes(first_date: dt.date, last_date: dt.date) -> bytes:
    """The VTIMEZONE `serialise` would add for that span: computed once per span in a process."""
    return Timezone.from_tzid(TZID, first_date=first_date, last_date=last_date).to_ical()


def join_calendar(fragments: list[str], *, first: dt.date | None, last: dt.date | None, name="", method=None) -> bytes:
    """The bytes `serialise` writes for these already serialised VEVENTs, joined instead of rebuilt."""
    parts = [header_bytes(name=name, method=method)]
    if fragments and first is not None:
        parts.append(timezone_bytes(*timezone_span(first, last)))
    parts.append("".join(fragments).encode("utf-8"))
    parts.append(END)
    return b"".join(parts)


@lru_cache(maxsize=1)
def paris_rule_timezone() -> Timezone:
    """Europe/Paris as yearly rules (last Sunday of March and of October, the EU rule since 1996).

    For a recurrence without an end (a weekly market), which no span of explicit
    transitions covers: calendar applications extend the rules to any year.
    """
    timezone = Timezone()
    timezone.add("tzid", TZID)
    summer = TimezoneDaylight()
    summer.add("dtstart", dt.datetime(1981, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", dt.timedelta(hours=1))
    summer.add("tzoffsetto", dt.timedelta(hours=2))
    winter = TimezoneStandard()
    winter.add("dtstart", dt.datetime(1996, 10, 27, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", dt.timedelta(hours=2))
    winter.add("tzoffsetto", dt.timedelta(hours=1))
    timezone.add_component(summer)
    timezone.add_component(winter)
    return timezone
