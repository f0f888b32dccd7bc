"""The agenda's query and its three views: the list, a month calendar and a map.

Filters from the URL apply to the live, public event pages; each view runs one query for
its events whatever their number (the list adds its paginator's count).
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from territory.models import PARIS, Territory

from . import dates
from .forms import LIST_VIEW, MAP_VIEW, MONTH_VIEW, VIEW_CHOICES, AgendaFilterForm
from .models import EventKind, EventPage, EventStatus

# More markers than this and neither the map nor the list under it is readable: the page says
# so and asks for a filter. One query still: it fetches one row more than it shows.
MAP_LIMIT = 400

# A month cell is narrow: the kind is named in a word there (always as text, never by colour alone).
SHORT_KIND_LABELS = {
    EventKind.THEMATIC_BREAKFAST: gettext_lazy("Petit-déjeuner"),
    EventKind.ITINERANT_VILLAGE: gettext_lazy("Village"),
    EventKind.ELECTED_AWARENESS: gettext_lazy("Élu·es"),
    EventKind.YOUTH_OUTREACH: gettext_lazy("Jeunes"),
}


def with_kind_and_commune(events, data: dict):
    """The events of the kind and commune in the form's cleaned data (the page and its feed alike)."""
    if data.get("kind"):
        events = events.of_kind(data["kind"])
    if data.get("commune"):
        events = events.in_commune(data["commune"])
    return events


def _filtered_by_kind_and_commune(form: AgendaFilterForm, within=None):
    events = EventPage.objects.live().public().for_listing()
    if within is not None:
        events = events.descendant_of(within)
    # After validation, cleaned_data holds only the fields that were valid: a bad month
    # is reported by the form and ignored here, while the other filters still apply.
    return with_kind_and_commune(events, form.cleaned_data)


def filtered_events(form: AgendaFilterForm, now=None, within=None):
    """Live public events matching the form's valid filters, in date order (latest first for the past).

    `within`: the page whose descendants are listed (an agenda lists its own site's events:
    each territory has its site, docs/decisions.md).
    """
    now = now or timezone.now()
    events = _filtered_by_kind_and_commune(form, within)
    month = form.cleaned_data.get("month")
    if month:
        events = events.in_month(month.year, month.month)
    elif form.cleaned_data.get("when") == "past":
        events = events.past(now).order_by("-start", "-pk")
    else:
        events = events.upcoming(now)
    return events


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _paris_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=PARIS)


def events_overlapping_month(form: AgendaFilterForm, first: dt.date, within=None):
    """The events under way on at least one day of the month starting on `first` (Paris days):
    an event that began the month before and ends in this one is on this month's first days."""
    following = _add_months(first, 1)
    events = _filtered_by_kind_and_commune(form, within)
    return events.filter(start__lt=_paris_midnight(following), end__gt=_paris_midnight(first))


# The month grid ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayEvent:
    """An event on one day of the grid: `time` is its start, empty on the days after the first."""

    event: object
    time: str

    @property
    def continues(self) -> bool:
        return not self.time

    @property
    def kind_label(self) -> str:
        return str(SHORT_KIND_LABELS.get(self.event.kind, ""))


@dataclass(frozen=True)
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    events: tuple[DayEvent, ...] = ()


@dataclass(frozen=True)
class MonthGrid:
    first: dt.date
    weeks: list[list[Day]] = field(default_factory=list)

    @property
    def previous(self) -> dt.date:
        return _add_months(self.first, -1)

    @property
    def following(self) -> dt.date:
        return _add_months(self.first, 1)

    @property
    def days_with_events(self) -> list[Day]:
        return [day for week in self.weeks for day in week if day.events]

    def day(self, value: dt.date) -> Day:
        return next(day for week in self.weeks for day in week if day.date == value)


def _local_days(event) -> tuple[dt.date, dt.date]:
    """The first and last Paris days an event is under way. The end is exclusive: an evening
    that ends at midnight sharp is not on the next day."""
    first = dates.local(event.start).date()
    last = dates.local(event.end - dt.timedelta(microseconds=1)).date()
    return first, max(first, last)


def month_grid(year: int, month: int, events, today: dt.date) -> MonthGrid:
    """The weeks (Monday first) of a month, each day with the events under way on it.

    Pure: `events` are objects with aware `start` and `end`, in the order they are to be
    shown on a day; days of the neighbouring months that fill the first and last weeks
    carry no event. Days are Paris days, whatever the server's time zone.
    """
    by_day: dict[dt.date, list[DayEvent]] = {}
    for event in events:
        first_day, last_day = _local_days(event)
        day = first_day
        while day <= last_day:
            if day.month == month and day.year == year:
                time = dates.format_time(dates.local(event.start).time()) if day == first_day else ""
                by_day.setdefault(day, []).append(DayEvent(event=event, time=time))
            day += dt.timedelta(days=1)
    weeks = [
        [
            Day(
                date=day,
                in_month=day.month == month,
                is_today=day == today,
                events=tuple(by_day.get(day, ())) if day.month == month else (),
            )
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    ]
    return MonthGrid(first=dt.date(year, month, 1), weeks=weeks)


def month_title(first: dt.date) -> str:
    """ "décembre 2026"."""
    return _("%(month)s %(year)s") % {"month": MONTHS[first.month], "year": first.year}


# The map ---------------------------------------------------------------------------------


def _event_place(event) -> tuple[float, float, str]:
    """Where the event goes on the map and the name of that point: its venue's own point, or
    else its commune's centre, named after the commune (a venue without coordinates is not
    where the marker stands)."""
    venue = event.venue if event.venue_id else None
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        return venue.latitude, venue.longitude, venue.name
    return event.commune.latitude, event.commune.longitude, event.commune.name


@dataclass
class Place:
    lat: float
    lng: float
    name: str
    commune: str
    events: list = field(default_factory=list)

    @property
    def label(self) -> str:
        where = self.name if self.name == self.commune else f"{self.name}, {self.commune}"
        count = len(self.events)
        return ngettext("%(place)s : %(count)s rendez-vous", "%(place)s : %(count)s rendez-vous", count) % {
            "place": where,
            "count": count,
        }


def group_by_place(events) -> list[Place]:
    """One marker per place: events at the same point (the same market, the same town hall)
    would hide each other, so they share a marker whose popup lists them."""
    places: dict[tuple[float, float], Place] = {}
    for event in events:
        lat, lng, name = _event_place(event)
        key = (round(lat, 5), round(lng, 5))
        if key not in places:
            places[key] = Place(lat=lat, lng=lng, name=name, commune=event.commune.name)
        places[key].events.append(event)
    return list(places.values())


def group_by_commune(events) -> list[dict]:
    """The map's list: communes in alphabetical order, their events in date order."""
    communes: dict[int, dict] = {}
    for event in events:
        entry = communes.setdefault(event.commune_id, {"commune": event.commune, "events": []})
        entry["events"].append(event)
    return sorted(communes.values(), key=lambda entry: entry["commune"].name)


def _status_label(event) -> str:
    return "" if event.status == EventStatus.SCHEDULED else str(event.get_status_display())


def map_points(places: list[Place], request) -> list[dict]:
    """The markers' data for static/js/agenda-map.js (json_script): text only, the script
    builds its popups from text nodes."""
    return [
        {
            "lat": place.lat,
            "lng": place.lng,
            "label": place.label,
            "count": len(place.events),
            "events": [
                {
                    "title": event.title,
                    "url": event.get_url(request),
                    # "8 h 30" glued together, as on the pages: a popup is narrow.
                    "when": dates.format_range(event.start, event.end).replace(" h ", "\u00a0h\u00a0"),
                    "kind": str(event.get_kind_display()),
                    "status": _status_label(event),
                    "cancelled": event.status == EventStatus.CANCELLED,
                }
                for event in place.events
            ],
        }
        for place in places
    ]


# The page ---------------------------------------------------------------------------------


def _query(params: dict) -> str:
    return urlencode({key: value for key, value in params.items() if value})


def feed_query(form: AgendaFilterForm) -> str:
    """The calendar feed's filters: those of the page that the feed knows (kind, commune,
    month), as valid values; the view and the page number mean nothing to a calendar."""
    data = form.cleaned_data
    month = data.get("month")
    commune = data.get("commune")
    return _query(
        {
            "kind": data.get("kind"),
            "commune": commune.insee_code if commune else "",
            "month": month.strftime("%Y-%m") if month else "",
        }
    )


def agenda_feed_url(page, form: AgendaFilterForm, request) -> str:
    """The full address of the feed of what the agenda shows (kind, commune and month only).

    Built on the address the visitor used, so the link they copy works from where they are.
    """
    query = feed_query(form)
    return request.build_absolute_uri(page.get_url(request) + "calendrier.ics" + (f"?{query}" if query else ""))


def agenda_context(page, request) -> dict:
    form = AgendaFilterForm(request.GET or None, territory=Territory.for_request(request))
    if form.is_bound:
        form.is_valid()
    else:
        form.cleaned_data = {}
    view = form.view
    query = request.GET.copy()
    query.pop("page", None)
    # The view switch keeps every filter and changes the view only; the list is the default
    # and needs no parameter.
    other_filters = query.copy()
    other_filters.pop("vue", None)
    views = []
    for value, label in VIEW_CHOICES:
        switched = other_filters.copy()
        if value != LIST_VIEW:
            switched["vue"] = value
        views.append({"value": value, "label": label, "query": switched.urlencode(), "current": value == view})
    # The upcoming/past switch keeps the kind and commune but drops the month, which
    # would otherwise override the period.
    period_query = query.copy()
    for key in ("month", "when"):
        period_query.pop(key, None)
    upcoming_query = period_query.urlencode()
    period_query["when"] = "past"
    month = form.cleaned_data.get("month")
    context = {
        "filter_form": form,
        "view": view,
        "views": views,
        "view_error": form.errors.get("vue"),
        "filter_errors": any(name != "vue" for name in form.errors),
        "filter_query": query.urlencode(),
        "has_filters": any(other_filters.get(key) for key in ("kind", "commune", "month", "when")),
        "showing_past": form.cleaned_data.get("when") == "past" and not month,
        "month": month,
        "upcoming_query": upcoming_query,
        "past_query": period_query.urlencode(),
        "feed_url": agenda_feed_url(page, form, request),
    }
    if view == MONTH_VIEW:
        context.update(_month_context(page, form, other_filters))
    elif view == MAP_VIEW:
        context.update(_map_context(page, form, request))
    else:
        events = filtered_events(form, within=page)
        page_obj = Paginator(events, page.paginate_by).get_page(request.GET.get("page"))
        context.update({"events": page_obj.object_list, "page_obj": page_obj, "result_count": page_obj.paginator.count})
    return context


def _month_context(page, form, other_filters) -> dict:
    today = dates.local(timezone.now()).date()
    first = form.cleaned_data.get("month") or today.replace(day=1)
    events = list(events_overlapping_month(form, first, within=page))
    grid = month_grid(first.year, first.month, events, today)

    def month_query(day: dt.date) -> str:
        query = other_filters.copy()
        query["vue"] = MONTH_VIEW
        query["month"] = day.strftime("%Y-%m")
        return query.urlencode()

    context = {}
    if not events:
        # An empty month should not be a dead end: name the next month that has something,
        # with the same filters (one more query, only then).
        upcoming = (
            _filtered_by_kind_and_commune(form, within=page)
            .filter(start__gte=_paris_midnight(grid.following))
            .order_by("start")
            .values_list("start", flat=True)
            .first()
        )
        if upcoming is not None:
            next_month = dates.local(upcoming).date().replace(day=1)
            context = {"next_busy_title": month_title(next_month), "next_busy_query": month_query(next_month)}
    return context | {
        "grid": grid,
        "grid_title": month_title(first),
        "weekdays": [WEEKDAYS[number] for number in range(7)],
        "previous_title": month_title(grid.previous),
        "following_title": month_title(grid.following),
        "previous_query": month_query(grid.previous),
        "following_query": month_query(grid.following),
        "result_count": len(events),
    }


def _map_context(page, form, request) -> dict:
    events = list(filtered_events(form, within=page)[: MAP_LIMIT + 1])
    truncated = len(events) > MAP_LIMIT
    events = events[:MAP_LIMIT]
    places = group_by_place(events)
    return {
        "events": events,
        "result_count": len(events),
        "map_truncated": truncated,
        "map_limit": MAP_LIMIT,
        "communes": group_by_commune(events),
        "map_points": map_points(places, request),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
