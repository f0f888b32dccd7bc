"""Events as an iCalendar document (RFC 5545): a pure function from events to bytes.

Times are written in Europe/Paris with the matching VTIMEZONE (icalendar's
add_missing_timezones), so a calendar shows 8:30 for a breakfast at 8:30 in Valenciennes
whatever the reader's time zone, across the change to and from summer time.

An event keeps its UID ("event-<page id>@<site host>") for ever, so a calendar that
imported it updates it instead of adding a copy; SEQUENCE grows with every publication of
the page (seconds since 2020-01-01 of its last publication, so it never goes down),
and a cancelled event stays in the calendar with STATUS:CANCELLED, which tells calendar
applications to strike it out.
"""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from territory.models import PARIS

from .models import EventStatus

PRODID = "-//Le Village de l'ESS//Agenda//FR"
SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def event_uid(event, host: str | None = None) -> str:
    return f"event-{event.pk}@{host or site_host()}"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def last_modified(event) -> dt.datetime | None:
    """When the page was last published; None for a page created live without a revision (the demo)."""
    return event.last_published_at or event.latest_revision_created_at or event.first_published_at


def sequence(event) -> int:
    modified = last_modified(event)
    return max(int((modified - SEQUENCE_EPOCH).total_seconds()), 0) if modified else 0


def location(event) -> str:
    parts = []
    if event.venue_id:
        parts.append(event.venue.name)
        if event.venue.address:
            parts.append(event.venue.address)
    if event.commune_id:
        parts.append(f"{event.commune.main_postcode} {event.commune.name}")
    return ", ".join(parts)


def event_component(event, *, host: str, url: str | None = None) -> Event:
    component = Event()
    component.add("uid", event_uid(event, host))
    modified = last_modified(event)
    # Without a METHOD, DTSTAMP is when the event was last revised (RFC 5545, 3.8.7.2):
    # the same bytes for the same event, whenever the calendar is generated.
    component.add("dtstamp", modified or timezone.now())
    if modified:
        component.add("last-modified", modified)
    component.add("sequence", sequence(event))
    component.add("summary", event.title)
    component.add("dtstart", timezone.localtime(event.start, PARIS))
    component.add("dtend", timezone.localtime(event.end, PARIS))
    if event.summary:
        component.add("description", event.summary)
    place = location(event)
    if place:
        component.add("location", place)
    if url:
        component.add("url", url)
    component.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return component


def event_calendar(events: Iterable, *, name: str = "", method: str | None = None, urls=None) -> bytes:
    """An iCalendar document with one VEVENT per event.

    `urls` maps an event's pk to its public address; without it each event's
    `get_full_url()` is asked. `method` ("PUBLISH") is for a calendar sent as an email
    attachment; feeds leave it out.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    host = site_host()
    first = last = None
    for event in events:
        url = urls.get(event.pk) if urls is not None else event.get_full_url()
        calendar.add_component(event_component(event, host=host, url=url))
        start, end = timezone.localtime(event.start, PARIS).date(), timezone.localtime(event.end, PARIS).date()
        first = start if first is None else min(first, start)
        last = end if last is None else max(last, end)
    if first is not None:
        # The time zone's transitions around the events only: the default span (1970-2038)
        # would write some 140 of them into every calendar.
        calendar.add_missing_timezones(first_date=dt.date(first.year - 1, 1, 1), last_date=dt.date(last.year + 2, 1, 1))
    return calendar.to_ical()
