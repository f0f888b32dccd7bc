"""French wording of event dates and times, always in Paris time.

Django's `date` filter writes "10 h 30" only with a hand-made format and has no
"1er" for the first day of the month, so event pages use these helpers instead.
Values are converted to Europe/Paris explicitly: an event happens on the territory,
whatever time zone the server or the request runs in.
"""

import datetime as dt

from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _

from territory.models import PARIS


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, PARIS)


def format_day(value: dt.date) -> str:
    """ "jeudi 10 décembre 2026", "dimanche 1er novembre 2026"."""
    day = _("1er") if value.day == 1 else str(value.day)
    return _("%(weekday)s %(day)s %(month)s %(year)s") % {
        "weekday": WEEKDAYS[value.weekday()],
        "day": day,
        "month": MONTHS[value.month],
        "year": value.year,
    }


def format_time(value: dt.time) -> str:
    """ "8 h 30", "14 h 00": the French way, hours without a leading zero."""
    return _("%(hour)s h %(minute)02d") % {"hour": value.hour, "minute": value.minute}


def format_datetime(value: dt.datetime) -> str:
    """ "jeudi 10 décembre 2026, 8 h 30"."""
    value = local(value)
    return _("%(day)s, %(time)s") % {"day": format_day(value.date()), "time": format_time(value.time())}


def format_range(start: dt.datetime, end: dt.datetime | None) -> str:
    """ "jeudi 10 décembre 2026, 8 h 30 – 10 h 00"; both days in full when the event spans midnight."""
    if end is None:
        return format_datetime(start)
    start, end = local(start), local(end)
    if start.date() == end.date():
        return _("%(day)s, %(start)s – %(end)s") % {
            "day": format_day(start.date()),
            "start": format_time(start.time()),
            "end": format_time(end.time()),
        }
    return _("%(start)s – %(end)s") % {"start": format_datetime(start), "end": format_datetime(end)}
