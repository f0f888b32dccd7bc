"""Every calendar the site writes (RFC 5545), and how it answers for them.

components.py   one event's VEVENT (UID, SEQUENCE, LAST-MODIFIED, STATUS)
envelope.py     the VCALENDAR around it and the Europe/Paris VTIMEZONE
fragments.py    feeds of many events joined from stored VEVENTs (events.CalendarEntry)
markets.py      a recurring market as one VEVENT with RRULE and EXDATE
responses.py    `calendar_response`: ETag, Last-Modified, 304, Cache-Control

`event_calendar` builds a calendar from scratch with icalendar: for one event (a ticket,
an email attachment) it is all there is to do; feeds of many use `cached_event_calendar`,
which writes the same bytes.
"""

from collections.abc import Iterable

from django.utils import timezone

from territory.models import PARIS

from .components import (
    PRODID,
    SEQUENCE_EPOCH,
    event_component,
    event_uid,
    last_modified,
    location,
    seconds_since_epoch,
    sequence,
    site_host,
)
from .envelope import new_calendar, serialise
from .fragments import cached_event_calendar
from .markets import market_calendar
from .responses import calendar_response

__all__ = [
    "PRODID",
    "SEQUENCE_EPOCH",
    "cached_event_calendar",
    "calendar_response",
    "event_calendar",
    "event_component",
    "event_uid",
    "last_modified",
    "location",
    "market_calendar",
    "new_calendar",
    "seconds_since_epoch",
    "sequence",
    "serialise",
    "site_host",
]


def event_calendar(events: Iterable, *, name: str = "", method: str | None = None, urls=None) -> bytes:
    """An iCalendar document with one VEVENT per event, built with icalendar.

    `urls` maps an event's pk to its public address; without it each event's
    `get_full_url()` is asked. `method` ("PUBLISH") is for a calendar sent as an email
    attachment; feeds leave it out.
    """
    calendar = new_calendar(name=name, method=method)
    host = site_host()
    dates = []
    for event in events:
        url = urls.get(event.pk) if urls is not None else event.get_full_url()
        calendar.add_component(event_component(event, host=host, url=url))
        dates += [timezone.localtime(event.start, PARIS).date(), timezone.localtime(event.end, PARIS).date()]
    return serialise(calendar, dates)
