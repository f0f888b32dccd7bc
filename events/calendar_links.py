"""Links that open an event in the web calendars people use, prefilled ("compose an event").

Each service reads its own query string: Google Agenda and Yahoo take compact UTC times
(20261210T073000Z), the two Outlook flavours ISO 8601 in UTC. Times are UTC so no service
has to guess the zone. The description ends with the page's address, the way back to
the details. A cancelled or finished event offers none (`links_for` is empty).
"""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from events.ical import location
from events.models import EventStatus


@dataclass(frozen=True)
class CalendarLink:
    label: str
    url: str
    external: bool = True


def _compact_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _query(params: dict) -> str:
    # %20 rather than "+": every service reads it, not all of them read "+" as a space.
    return urlencode(params, quote_via=quote)


def description(event, url: str) -> str:
    return f"{event.summary}\n\n{url}" if event.summary else url


def google_url(event, url: str) -> str:
    return "https://calendar.google.com/calendar/render?" + _query(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{_compact_utc(event.start)}/{_compact_utc(event.end)}",
            "details": description(event, url),
            "location": location(event),
        }
    )


def _outlook_url(host: str, event, url: str) -> str:
    return f"https://{host}/calendar/0/action/compose?" + _query(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.title,
            "startdt": _iso_utc(event.start),
            "enddt": _iso_utc(event.end),
            "body": description(event, url),
            "location": location(event),
        }
    )


def outlook_com_url(event, url: str) -> str:
    return _outlook_url("outlook.live.com", event, url)


def office365_url(event, url: str) -> str:
    return _outlook_url("outlook.office.com", event, url)


def yahoo_url(event, url: str) -> str:
    return "https://calendar.yahoo.com/?" + _query(
        {
            "v": "60",
            "title": event.title,
            "st": _compact_utc(event.start),
            "et": _compact_utc(event.end),
            "desc": description(event, url),
            "in_loc": location(event),
        }
    )


def links_for(event, *, url: str, ics_url: str, now: dt.datetime | None = None) -> list[CalendarLink]:
    """The .ics file first (any calendar application), then the web calendars."""
    # A postponed event's date is only the one first planned: copying it into a calendar
    # would plant a wrong date (its page offers to be told the new one instead).
    if event.is_cancelled or event.status == EventStatus.POSTPONED or event.end < (now or timezone.now()):
        return []
    return [
        CalendarLink(_("Fichier .ics (Apple Calendrier, Thunderbird, Outlook…)"), ics_url, external=False),
        CalendarLink(_("Google Agenda (site externe)"), google_url(event, url)),
        CalendarLink(_("Outlook.com (site externe)"), outlook_com_url(event, url)),
        CalendarLink(_("Outlook Microsoft 365 (site externe)"), office365_url(event, url)),
        CalendarLink(_("Yahoo Agenda (site externe)"), yahoo_url(event, url)),
    ]


# Subscriptions to a feed ----------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    """The ways to subscribe to a feed: the address to paste, webcal:// (which the phone's and
    the desktop's calendar applications open as "subscribe"), and Google Agenda's "add by URL"."""

    url: str
    webcal_url: str
    google_url: str


def subscription(feed_url: str) -> Subscription:
    _scheme, _sep, rest = feed_url.partition("://")
    webcal = f"webcal://{rest}" if rest else feed_url
    # Google Agenda subscribes to the cid it is given, webcal:// included.
    return Subscription(
        url=feed_url,
        webcal_url=webcal,
        google_url="https://calendar.google.com/calendar/render?" + _query({"cid": webcal}),
    )
