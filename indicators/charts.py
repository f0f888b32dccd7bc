"""The dashboard's charts, map and governance panel, as database aggregations.

Each function reads one scope (indicators/rollups.py) and returns plain data the template
draws: no chart library, the bars are server-rendered. The events counted are those of
`scope_events`, so the charts add up to the roll-up's figures (participants per month add
up to the plan's `participants`). Months and years come from `EventPage.start_date`, the
local (Europe/Paris) date stored on the page: grouping on it needs no time-zone
conversion in SQL, which SQLite could not do.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from territory.models import PARIS

from .models import Committee, CommitteeMeeting
from .rollups import Scope, scope_events


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    share: float  # of the largest bar, 0 to 100: the drawn length

    @property
    def width(self) -> str:
        # SVG attribute, dot decimal whatever the locale.
        return f"{self.share:.1f}"


def _bars(labelled_values: list[tuple[str, int]]) -> list[Bar]:
    largest = max((value for _label, value in labelled_values), default=0)
    return [Bar(label, value, round(100 * value / largest, 1) if largest else 0.0) for label, value in labelled_values]


def _held_events(scope: Scope):
    """The scope's held events, without the plan join that would repeat an event serving two actions."""
    from events.models import EventPage

    return EventPage.objects.filter(pk__in=scope_events(scope).values("pk"))


def _checked_in_seats(scope: Scope):
    from events.models import Registration, RegistrationStatus

    return (
        Registration.objects.filter(event__in=scope_events(scope).values("pk"), ticket__checkin__isnull=False)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by()
    )


def attendance_by_period(scope: Scope) -> list[Bar]:
    """Participants checked in per month of the scope's year, or per year over the plan's period.

    Months or years without anyone are shown as zero bars: a gap in the season is information.
    Months after the current one are left out.
    """
    seats = _checked_in_seats(scope)
    today = timezone.localdate(scope.moment, PARIS)
    if scope.year:
        rows = (
            seats.annotate(month=ExtractMonth("event__start_date"))
            .values("month")
            .annotate(n=Sum("seats"))
            .values_list("month", "n")
        )
        counts = dict(rows)
        last = 12 if scope.year < today.year else (today.month if scope.year == today.year else 0)
        return _bars(
            [
                (formats.date_format(dt.date(scope.year, month, 1), "F Y"), counts.get(month) or 0)
                for month in range(1, last + 1)
            ]
        )
    rows = (
        seats.annotate(year=ExtractYear("event__start_date"))
        .values("year")
        .annotate(n=Sum("seats"))
        .values_list("year", "n")
    )
    counts = dict(rows)
    last = min(scope.plan.end_year, max(today.year, max(counts, default=0)))
    return _bars([(str(year), counts.get(year) or 0) for year in range(scope.plan.start_year, last + 1)])


def attendance_by_kind(scope: Scope) -> list[dict]:
    """For each kind of event: the events held and the participants checked in."""
    from events.models import EventKind

    events = dict(_held_events(scope).order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    seats = dict(
        _checked_in_seats(scope).values("event__kind").annotate(n=Sum("seats")).values_list("event__kind", "n")
    )
    bars = _bars([(label, seats.get(kind) or 0) for kind, label in EventKind.choices])
    return [
        {"kind": kind, "label": label, "events": events.get(kind, 0), "bar": bar}
        for (kind, label), bar in zip(EventKind.choices, bars, strict=True)
    ]


def communes_reached(scope: Scope) -> list[dict]:
    """Communes with a held event of the scope, with their coordinates, events and village stops."""
    from events.models import EventKind

    rows = (
        _held_events(scope)
        .filter(commune__isnull=False)
        .order_by()
        .values("commune_id", "commune__name", "commune__latitude", "commune__longitude")
        .annotate(events=Count("pk"), stops=Count("pk", filter=Q(kind=EventKind.ITINERANT_VILLAGE)))
        .order_by("commune__name")
    )
    return [
        {
            "pk": row["commune_id"],
            "name": row["commune__name"],
            "lat": row["commune__latitude"],
            "lng": row["commune__longitude"],
            "events": row["events"],
            "stops": row["stops"],
        }
        for row in rows
    ]


MET, NOT_MET, TO_COME, NO_MINIMUM = "met", "not_met", "to_come", "no_minimum"
STATUS_LABELS = {
    MET: _("atteint"),
    NOT_MET: _("non atteint"),
    TO_COME: _("à venir"),
    NO_MINIMUM: _("pas de minimum annuel"),
}


def governance(plan, year: int | None = None, today: dt.date | None = None) -> list[dict]:
    """For each year of the plan (or the one asked), each committee's meetings against its minimum.

    Two queries whatever the number of committees and meetings. A year that has not begun
    is "to come", not "not met"; the current year is judged on the meetings held so far.
    """
    today = today or timezone.localdate(timezone.now(), PARIS)
    committees = list(Committee.objects.filter(plan=plan).order_by("name"))
    held = {
        (row["committee_id"], row["year"]): row["n"]
        for row in CommitteeMeeting.objects.filter(committee__plan=plan)
        .annotate(year=ExtractYear("date"))
        .order_by()
        .values("committee_id", "year")
        .annotate(n=Count("pk"))
    }
    years = [year] if year else list(range(plan.start_year, plan.end_year + 1))
    table = []
    for each_year in years:
        rows = []
        for committee in committees:
            meetings = held.get((committee.pk, each_year), 0)
            minimum = committee.min_meetings_per_year
            if not minimum:
                status = NO_MINIMUM
            elif meetings >= minimum:
                status = MET
            elif each_year > today.year:
                status = TO_COME
            else:
                status = NOT_MET
            rows.append(
                {
                    "committee": committee,
                    "meetings": meetings,
                    "minimum": minimum,
                    "status": status,
                    "status_label": STATUS_LABELS[status],
                }
            )
        table.append({"year": each_year, "rows": rows})
    return table
