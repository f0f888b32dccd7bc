"""A recurring market as one repeating VEVENT: its hours, its rule, the days it does not take place.

DTSTART and DTEND are local wall-clock times with TZID=Europe/Paris, not UTC: a market
at 8:00 stays at 8:00 across the change to and from summer time, the UTC offset moving
instead. The rule has no end, so the VTIMEZONE is written as yearly rules rather than
icalendar's list of transitions over a span of years (envelope.paris_rule_timezone).
A closure (territory.VenueClosure) is an EXDATE at the market's opening time, as
RFC 5545 (3.8.5.1) matches an exception against an occurrence's start.
"""

import datetime as dt

from django.utils.translation import gettext as _
from icalendar import Event, vRecur

from territory.models import PARIS, RECURRENCE_EPOCH, parse_recurrence

from .components import SEQUENCE_EPOCH, site_host
from .envelope import new_calendar, paris_rule_timezone


def market_location(venue) -> str:
    parts = [venue.name]
    if venue.address:
        parts.append(venue.address)
    parts.append(f"{venue.commune.main_postcode} {venue.commune.name}")
    return ", ".join(parts)


def first_occurrence(venue) -> dt.datetime:
    """The rule's first occurrence from its anchor: DTSTART must be one (RFC 5545, 3.8.5.3)."""
    anchor = dt.datetime.combine(venue.recurrence_start or RECURRENCE_EPOCH, venue.opens_at)
    rule = parse_recurrence(venue.recurrence, anchor)
    return rule.after(anchor, inc=True) or anchor


def market_component(venue, *, host: str, url: str | None = None) -> Event:
    start = first_occurrence(venue)
    component = Event()
    component.add("uid", f"market-{venue.pk}@{host}")
    # A venue keeps no date of change: a fixed DTSTAMP keeps the bytes (and the ETag) the
    # same until the market's data changes.
    component.add("dtstamp", SEQUENCE_EPOCH)
    component.add("summary", venue.name)
    component.add("dtstart", start.replace(tzinfo=PARIS))
    component.add("dtend", dt.datetime.combine(start.date(), venue.closes_at, tzinfo=PARIS))
    component.add("rrule", vRecur.from_ical(venue.recurrence.strip().removeprefix("RRULE:")))
    closures = [closure.date for closure in venue.closures.all()]
    if closures:
        component.add("exdate", [dt.datetime.combine(day, venue.opens_at, tzinfo=PARIS) for day in sorted(closures)])
    if venue.recurrence_label:
        component.add("description", venue.recurrence_label)
    component.add("location", market_location(venue))
    if url:
        component.add("url", url)
    component.add("status", "CONFIRMED")
    component.add("transp", "TRANSPARENT")  # shown, but nobody is busy for the whole market
    return component


def market_calendar(venue, *, url: str | None = None) -> bytes:
    calendar = new_calendar(name=_("Marché : %(venue)s") % {"venue": venue.name})
    calendar.add_component(paris_rule_timezone())
    calendar.add_component(market_component(venue, host=site_host(), url=url))
    return calendar.to_ical()
