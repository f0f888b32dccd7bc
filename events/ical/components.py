"""One event's VEVENT (RFC 5545), the piece every calendar of events is made of.

Times are written in Europe/Paris (the VTIMEZONE comes from events/ical/envelope.py), so
a calendar shows 8:30 for a breakfast at 8:30 in Valenciennes whatever the reader's time
zone, across the change to and from summer time.

An event keeps its UID ("event-<page id>@<site host>") for ever, so a calendar that
imported it updates it instead of adding a copy; SEQUENCE grows with every publication of
the page (seconds since 2020-01-01 of its last publication, so it never goes down),
and a cancelled event stays in the calendar with STATUS:CANCELLED, which tells calendar
applications to strike it out.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Event

from events.models import EventStatus
from territory.models import PARIS

PRODID = "-//Le Village de l'ESS//Agenda//FR"
SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def event_uid(event, host: str | None = None) -> str:
    return f"event-{event.pk}@{host or site_host()}"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def last_modified(event) -> dt.datetime | None:
    """When the page was last published; None for a page created live without a revision (the demo)."""
    return event.last_published_at or event.latest_revision_created_at or event.first_published_at


def seconds_since_epoch(moment: dt.datetime | None) -> int:
    return max(int((moment - SEQUENCE_EPOCH).total_seconds()), 0) if moment else 0


def sequence(event) -> int:
    return seconds_since_epoch(last_modified(event))


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
    # Without a METHOD, DTSTAMP is when the event was last revised (RFC 5545, 3.8.7.2).
    # Never "now": the same event gives the same bytes whenever it is written, which the
    # stored fragments and the feeds' ETags rely on. A page without any publication date
    # (created live by the demo) gets the fixed epoch.
    component.add("dtstamp", modified or SEQUENCE_EPOCH)
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
