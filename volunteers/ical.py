"""A volunteer's commitments as an iCalendar document (RFC 5545): a pure function to bytes.

What goes in: the shifts they are confirmed on, and the missions whose match was
accepted, one VEVENT per date of a mission with dates, one recurring VEVENT per weekly
mission. Timed events are written in Europe/Paris with its VTIMEZONE, in the envelope
every calendar of the site shares (events/ical/envelope.py), so a shift at 7:00 in Valenciennes reads 7:00 across the change of summer time.

A weekly mission says which parts of which days it needs ("le samedi matin"), not the
hours: it is written as an all-day event repeating on those days (RRULE:FREQ=WEEKLY),
the parts of the day in its title, rather than with invented hours. An all-day DTEND is
exclusive (RFC 5545, 3.6.1): a one-day event ends the next day.

Every VEVENT keeps its UID for ever (the shift's, the mission date's, the weekly
mission's id), and its DTSTAMP is when its source last changed, never "now": the same
commitments give the same bytes, so the feed's ETag only changes when something did.
"""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from events.ical import last_modified, location, new_calendar, seconds_since_epoch, sequence, serialise, site_host
from events.models import EventStatus
from territory.models import PARIS

from .matching import bits_of, slot_phrase
from .models import MissionRhythm

ICAL_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def mission_location(mission) -> str:
    parts = []
    if mission.venue_id:
        parts.append(mission.venue.name)
        if mission.venue.address:
            parts.append(mission.venue.address)
    parts.append(f"{mission.commune.main_postcode} {mission.commune.name}")
    return ", ".join(parts)


def shift_component(signup, *, host: str, url: str | None = None) -> Event:
    shift, event = signup.shift, signup.shift.event
    component = Event()
    component.add("uid", f"volunteer-shift-{shift.pk}@{host}")
    modified = last_modified(event)
    component.add("dtstamp", max(filter(None, [modified, signup.created_at])))
    component.add("sequence", sequence(event))
    component.add(
        "summary",
        _("%(role)s · %(event)s") % {"role": shift.label or shift.get_role_display(), "event": event.title},
    )
    component.add("dtstart", timezone.localtime(shift.starts_at, PARIS))
    component.add("dtend", timezone.localtime(shift.ends_at, PARIS))
    place = location(event)
    if place:
        component.add("location", place)
    if url:
        component.add("url", url)
    component.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return component


def _mission_component(mission, uid: str, *, url: str | None) -> Event:
    component = Event()
    component.add("uid", uid)
    component.add("dtstamp", mission.updated_at)
    component.add("sequence", seconds_since_epoch(mission.updated_at))
    component.add("location", mission_location(mission))
    description = _("Mission publiée par %(poster)s.") % {"poster": mission.poster_name}
    component.add("description", f"{description}\n{url}" if url else description)
    if url:
        component.add("url", url)
    component.add("status", "CONFIRMED")
    return component


def mission_date_components(mission, *, host: str, url: str | None = None) -> list[Event]:
    components = []
    for date in mission.dates.all():
        component = _mission_component(mission, f"mission-date-{date.pk}@{host}", url=url)
        component.add("summary", _("Mission : %(title)s") % {"title": mission.title})
        component.add("dtstart", timezone.localtime(date.starts_at, PARIS))
        component.add("dtend", timezone.localtime(date.ends_at, PARIS))
        components.append(component)
    return components


def first_weekly_day(mission, from_day: dt.date) -> dt.date | None:
    """The first day on or after `from_day` the weekly mission needs someone (DTSTART must be
    an occurrence of the rule, RFC 5545 3.8.5.3)."""
    weekdays = {bit // 3 for bit in bits_of(mission.weekly_bits, 21)}
    if not weekdays:
        return None
    for offset in range(7):
        day = from_day + dt.timedelta(days=offset)
        if day.weekday() in weekdays:
            return day if mission.ends_on is None or day <= mission.ends_on else None
    return None


def weekly_mission_component(mission, *, host: str, from_day: dt.date, url: str | None = None) -> Event | None:
    """One all-day VEVENT repeating every week on the mission's days, from `from_day` (its
    start, or when the person joined it) to its end, if any. None when no day is left."""
    first = first_weekly_day(mission, from_day)
    if first is None:
        return None
    component = _mission_component(mission, f"mission-weekly-{mission.pk}@{host}", url=url)
    component.add(
        "summary",
        _("Mission : %(title)s (%(slots)s)") % {"title": mission.title, "slots": slot_phrase(mission.weekly_bits)},
    )
    component.add("dtstart", first)
    component.add("dtend", first + dt.timedelta(days=1))
    days = sorted({bit // 3 for bit in bits_of(mission.weekly_bits, 21)})
    rule = {"freq": "weekly", "byday": [ICAL_WEEKDAYS[day] for day in days]}
    if mission.ends_on:
        rule["until"] = mission.ends_on
    component.add("rrule", rule)
    component.add("transp", "TRANSPARENT")  # a whole day shown, not a whole day busy
    return component


def volunteer_calendar(
    signups: Iterable,
    matches: Iterable,
    *,
    name: str = "",
    event_urls: dict | None = None,
    mission_urls: dict | None = None,
) -> bytes:
    """The calendar of a volunteer's confirmed shift sign-ups and accepted mission matches.

    `event_urls` maps an event page's pk to its address and `mission_urls` a mission's pk to
    its page; signups come with shift__event (venue, commune), matches with mission (venue,
    commune, organisation) and its dates prefetched.
    """
    event_urls, mission_urls = event_urls or {}, mission_urls or {}
    calendar = new_calendar(name=name)
    host = site_host()
    timed: list[dt.date] = []
    for signup in signups:
        calendar.add_component(shift_component(signup, host=host, url=event_urls.get(signup.shift.event_id)))
        timed.append(timezone.localtime(signup.shift.starts_at, PARIS).date())
    for match in matches:
        mission = match.mission
        url = mission_urls.get(mission.pk)
        if mission.rhythm == MissionRhythm.WEEKLY:
            joined = timezone.localtime(match.decided_at or match.created_at, PARIS).date()
            component = weekly_mission_component(
                mission, host=host, from_day=max(filter(None, [mission.starts_on, joined])), url=url
            )
            if component is not None:
                calendar.add_component(component)
            continue
        for component in mission_date_components(mission, host=host, url=url):
            calendar.add_component(component)
            timed.append(component.decoded("dtstart").date())
    # The VTIMEZONE covers the timed events only: a weekly mission is all-day.
    return serialise(calendar, timed)
