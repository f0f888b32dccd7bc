"""The plan's indicators, computed from what was counted at the door, the stand and the shift.

Nothing here is typed in: every value comes from the rows the other apps write. A scope is
a plan, a year (or the plan's whole period) and optionally a commune (the event's
commune; the requesting commune for the communes' requests). Dates are local
(Europe/Paris): an event belongs to the year of `EventPage.start_date`.

Levels. Events serve actions (`EventPage.plan_actions`); an action belongs to an
objective, an objective to an orientation, an orientation to the plan. Each value is
computed at every level, never summed from the level below, because one event may serve
two actions: it counts once for their objective. So:

- the attendance figures (events held, registrations, seats checked in, groups, and the
  people counted once: unique participants, elected officials and their communes) come from
  one SQL statement that reads the check-ins once and groups them at the four levels
  (ATTENDANCE_SQL, below: the ORM has no common table expressions);
- the other additive facts (visitors, hours) are aggregated per event in SQL, then added
  up per node over the node's distinct events in Python;
- the other distinct counts (volunteers, organisations, communes visited) are counted by
  the database at each level: one grouped query per indicator and level;
- rates are computed at each node from its own components.

The number of queries depends on the indicators, not on the data (tests assert it).

The communes' requests count for the action the plan gives the itinerant village, the
accepted matches for the plan's volunteering action (`ActionPlan.volunteering_action_code`);
both also count at the plan level.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territory.models import PARIS

from .models import Action, ActionPlan, IndicatorTarget, Objective, Orientation

ACTION, OBJECTIVE, ORIENTATION, PLAN = "action", "objective", "orientation", "plan"
LEVELS = (ACTION, OBJECTIVE, ORIENTATION, PLAN)
# How an event reaches each level from its plan actions (ORM paths from EventPage).
EVENT_PATHS = {
    ACTION: "plan_actions",
    OBJECTIVE: "plan_actions__objective",
    ORIENTATION: "plan_actions__objective__orientation",
    PLAN: "plan_actions__objective__orientation__plan",
}


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str = ""  # "", "%", "h", "jours"
    # Additive: a node's value is the sum of its distinct events' values. The others are
    # distinct counts or rates, computed at each node.
    additive: bool = True
    help: str = ""


INDICATORS = [
    Indicator("events_held", _("Événements tenus"), help=_("Passés, non annulés.")),
    Indicator("registrations", _("Inscriptions"), help=_("Inscriptions non annulées aux événements tenus.")),
    Indicator("participants", _("Participant·es pointé·es"), help=_("Places pointées à l'entrée, groupes compris.")),
    Indicator(
        "no_show_rate",
        _("Taux d'absence"),
        unit="%",
        additive=False,
        help=_("Places confirmées non pointées, sur les places confirmées des événements tenus."),
    ),
    Indicator(
        "unique_participants",
        _("Participant·es uniques"),
        additive=False,
        help=_("Personnes pointées, comptées une fois même venues plusieurs fois (hors groupes)."),
    ),
    Indicator("elected_reached", _("Élu·es touché·es"), additive=False, help=_("Élu·es pointé·es, une fois chacun·e.")),
    Indicator(
        "elected_communes",
        _("Communes dont des élu·es ont participé"),
        additive=False,
        help=_("Communes du territoire des mandats des élu·es pointé·es."),
    ),
    Indicator("young_reached", _("Jeunes touché·es"), help=_("Effectifs des groupes pointés.")),
    Indicator("stand_visitors", _("Visiteurs des stands"), help=_("Visites comptées au stand et au compteur.")),
    Indicator(
        "communes_visited",
        _("Communes visitées par le village"),
        additive=False,
        help=_("Communes d'au moins une étape tenue du village."),
    ),
    Indicator(
        "stand_organisations",
        _("Structures de l'ESS tenant un stand"),
        additive=False,
        help=_("Structures au stand confirmé d'une étape tenue."),
    ),
    Indicator(
        "volunteers",
        _("Bénévoles mobilisé·es"),
        additive=False,
        help=_("Bénévoles inscrit·es sur un créneau d'un événement tenu, hors absent·es."),
    ),
    Indicator("volunteer_hours", _("Heures de bénévolat"), unit="h", help=_("Durée des créneaux des présent·es.")),
    Indicator("matches_accepted", _("Mises en relation acceptées"), help=_("Missions bénévoles acceptées.")),
    Indicator("requests_received", _("Demandes des communes reçues")),
    Indicator("requests_accepted", _("Demandes acceptées")),
    Indicator("requests_declined", _("Demandes déclinées")),
    Indicator(
        "decision_days",
        _("Délai médian de réponse"),
        unit="jours",
        additive=False,
        help=_("Jours entre la demande et la première réponse."),
    ),
]
INDICATOR_KEYS = [indicator.key for indicator in INDICATORS]
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


@dataclass(frozen=True)
class Scope:
    plan: ActionPlan
    year: int | None = None
    commune: object | None = None
    now: dt.datetime | None = None

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year or self.plan.start_year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year or self.plan.end_year, 12, 31)

    @property
    def moment(self) -> dt.datetime:
        return self.now or timezone.now()

    def local_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) of the scope as aware datetimes, for timestamps (requests, matches)."""
        start = dt.datetime.combine(self.first_day, dt.time.min, tzinfo=PARIS)
        end = dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time.min, tzinfo=PARIS)
        return start, end


@dataclass
class Node:
    level: str
    pk: int
    code: str
    title: str
    values: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)  # indicator key -> Decimal
    children: list = field(default_factory=list)

    def progress(self, key: str) -> float | None:
        """The value as a share of its target (1.0 = reached), or None without a target."""
        target, value = self.targets.get(key), self.values.get(key)
        if target is None or value is None or target == 0:
            return None
        return float(value) / float(target)


@dataclass
class PlanRollup:
    scope: Scope
    plan: Node
    nodes: dict  # (level, pk) -> Node
    commune_count: int = 0

    def node(self, level: str, pk: int) -> Node:
        return self.nodes[(level, pk)]

    def walk(self):
        """Every node, the plan first, depth first: the dashboard's rows in order."""

        def visit(node, depth):
            yield node, depth
            for child in node.children:
                yield from visit(child, depth + 1)

        yield from visit(self.plan, 0)


# The events a scope counts ----------------------------------------------------------------------------------


def scope_events(scope: Scope, *, held: bool = True):
    """Live events of the plan's actions in the scope's dates (and commune), not cancelled;
    held: already over."""
    from events.models import EventPage

    events = (
        EventPage.objects.filter(
            live=True,
            start_date__gte=scope.first_day,
            start_date__lte=scope.last_day,
            plan_actions__objective__orientation__plan=scope.plan,
        )
        .not_cancelled()
        .distinct()
    )
    if held:
        events = events.filter(end__lt=scope.moment)
    if scope.commune is not None:
        events = events.filter(commune=scope.commune)
    return events


def _tree(plan: ActionPlan) -> tuple[Node, dict]:
    nodes = {}
    root = Node(PLAN, plan.pk, plan.short_title, plan.title)
    nodes[(PLAN, plan.pk)] = root
    for orientation in Orientation.objects.filter(plan=plan).order_by("position"):
        node = Node(ORIENTATION, orientation.pk, orientation.code, orientation.title)
        nodes[(ORIENTATION, orientation.pk)] = node
        root.children.append(node)
    for objective in Objective.objects.filter(orientation__plan=plan).order_by("orientation__position", "position"):
        node = Node(OBJECTIVE, objective.pk, objective.code, objective.title)
        nodes[(OBJECTIVE, objective.pk)] = node
        nodes[(ORIENTATION, objective.orientation_id)].children.append(node)
    actions = Action.objects.of_plan(plan).select_related("objective__orientation")
    for action in actions:
        node = Node(ACTION, action.pk, action.code, action.title)
        node.objective_id, node.orientation_id = action.objective_id, action.objective.orientation_id
        nodes[(ACTION, action.pk)] = node
        nodes[(OBJECTIVE, action.objective_id)].children.append(node)
    return root, nodes


def _event_nodes(events, plan: ActionPlan) -> dict[int, set]:
    """For each event, the (level, pk) nodes it counts for, in one query over the link table."""
    from events.models import EventPage

    through = EventPage.plan_actions.through
    rows = through.objects.filter(
        eventpage_id__in=events.values("pk"), action__objective__orientation__plan=plan
    ).values_list("eventpage_id", "action_id", "action__objective_id", "action__objective__orientation_id")
    nodes = defaultdict(set)
    for event_id, action_id, objective_id, orientation_id in rows:
        nodes[event_id] |= {(ACTION, action_id), (OBJECTIVE, objective_id), (ORIENTATION, orientation_id)}
        nodes[event_id].add((PLAN, plan.pk))
    return nodes


def _add(totals: dict, event_nodes: dict, per_event: dict, key: str) -> None:
    for event_id, value in per_event.items():
        for node in event_nodes.get(event_id, ()):
            totals[node][key] = totals[node].get(key, 0) + (value or 0)


def _distinct(totals: dict, queryset, event_path: str, expression, key: str, plan: ActionPlan) -> None:
    """Count distinct `expression` per node at every level: one grouped query per level.

    `event_path` leads from the queryset's rows to their event ("" for events themselves).
    The filter on the plan comes before the grouping, so that Django groups on the same
    join: an event also serving another plan's action is grouped under this plan only.
    """
    prefix = f"{event_path}__" if event_path else ""
    in_plan = queryset.filter(**{f"{prefix}plan_actions__objective__orientation__plan": plan})
    for level in LEVELS:
        rows = in_plan.order_by().values(node=F(prefix + EVENT_PATHS[level])).annotate(n=expression)
        for row in rows.values_list("node", "n"):
            totals[(level, row[0])][key] = row[1]


# The attendance figures of every node in one statement. The ORM cannot say "read the
# check-ins once, then group them at four levels" (it has no common table expressions): a
# query per level re-joined registrations, tickets and check-ins four times for each
# distinct count, 3.6 to 4.9 times slower than this over a million check-ins
# (docs/benchmarks.md). Plain SQL that SQLite and PostgreSQL both run; every value is a
# parameter. `nodes` lists each (level, node, event) once, so an event serving two actions
# of an objective counts once for it; `people` holds the individual registrations checked
# in (groups are counted as seats, not people).
ATTENDANCE_SQL = """
WITH held AS (
    SELECT e.page_ptr_id AS id
    FROM events_eventpage e JOIN wagtailcore_page p ON p.id = e.page_ptr_id
    WHERE p.live AND e.start_date >= %(first)s AND e.start_date <= %(last)s
      AND e."end" < %(now)s AND e.status <> 'cancelled'
      AND (%(commune)s IS NULL OR e.commune_id = %(commune)s)
),
links AS (
    SELECT l.eventpage_id AS event_id, a.id AS action_id, a.objective_id, ob.orientation_id
    FROM events_eventpage_plan_actions l
    JOIN held h ON h.id = l.eventpage_id
    JOIN indicators_action a ON a.id = l.action_id
    JOIN indicators_objective ob ON ob.id = a.objective_id
    JOIN indicators_orientation o ON o.id = ob.orientation_id
    WHERE o.plan_id = %(plan)s
),
nodes AS (
    SELECT 'action' AS level, action_id AS node, event_id FROM links
    UNION SELECT 'objective', objective_id, event_id FROM links
    UNION SELECT 'orientation', orientation_id, event_id FROM links
    UNION SELECT 'plan', %(plan)s, event_id FROM links
),
per_event AS (
    SELECT r.event_id,
           COUNT(*) AS registrations,
           SUM(CASE WHEN r.status = 'confirmed' THEN r.seats ELSE 0 END) AS confirmed_seats,
           SUM(CASE WHEN c.id IS NOT NULL THEN r.seats ELSE 0 END) AS participants,
           SUM(CASE WHEN c.id IS NOT NULL AND r.is_group THEN r.seats ELSE 0 END) AS young
    FROM events_registration r
    LEFT JOIN events_ticket t ON t.registration_id = r.id
    LEFT JOIN events_checkin c ON c.ticket_id = t.id
    WHERE r.status <> 'cancelled' AND r.event_id IN (SELECT event_id FROM links)
    GROUP BY r.event_id
),
people AS (
    SELECT r.event_id, r.email_key, r.category,
           CASE WHEN r.category = 'elected' AND m.territory_id = %(territory)s THEN r.mandate_commune_id END
               AS mandate_commune_id
    FROM events_registration r
    JOIN events_ticket t ON t.registration_id = r.id
    JOIN events_checkin c ON c.ticket_id = t.id
    LEFT JOIN territory_commune m ON m.id = r.mandate_commune_id
    WHERE NOT r.is_group AND r.event_id IN (SELECT event_id FROM links)
)
SELECT n.level, n.node, COUNT(*), SUM(pe.registrations), SUM(pe.confirmed_seats), SUM(pe.participants),
       SUM(pe.young), NULL, NULL, NULL
FROM nodes n LEFT JOIN per_event pe ON pe.event_id = n.event_id
GROUP BY n.level, n.node
UNION ALL
SELECT n.level, n.node, NULL, NULL, NULL, NULL, NULL, COUNT(DISTINCT p.email_key),
       COUNT(DISTINCT CASE WHEN p.category = 'elected' THEN p.email_key END), COUNT(DISTINCT p.mandate_commune_id)
FROM nodes n JOIN people p ON p.event_id = n.event_id
GROUP BY n.level, n.node
"""


def _attendance(scope: Scope, totals: dict) -> None:
    """Fill every node's events held, registrations, seats, groups and people (ATTENDANCE_SQL)."""
    from django.db import connection

    ops = connection.ops
    params = {
        "first": ops.adapt_datefield_value(scope.first_day),
        "last": ops.adapt_datefield_value(scope.last_day),
        "now": ops.adapt_datetimefield_value(scope.moment),
        "commune": getattr(scope.commune, "pk", None),
        "plan": scope.plan.pk,
        "territory": scope.plan.territory_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(ATTENDANCE_SQL, params)
        for level, node, events, registrations, confirmed, participants, young, unique, elected, communes in cursor:
            values = totals[(level, node)]
            if events is not None:
                # PostgreSQL sums integers into numerics: back to integers.
                values["events_held"] = events
                values["registrations"] = int(registrations or 0)
                values["_confirmed_seats"] = int(confirmed or 0)
                values["participants"] = int(participants or 0)
                values["young_reached"] = int(young or 0)
            else:
                values["unique_participants"] = unique
                values["elected_reached"] = elected
                values["elected_communes"] = communes


def compute(scope: Scope) -> PlanRollup:
    """Every indicator at every node of the plan for the scope."""
    from events.models import (
        EventKind,
        Stand,
        StandStatus,
        TallyMark,
        VisitorCheckIn,
    )
    from volunteers.models import Attendance, ShiftSignup, ShiftSignupStatus

    plan = scope.plan
    root, nodes = _tree(plan)
    totals: dict = defaultdict(dict)
    held = scope_events(scope)
    event_nodes = _event_nodes(held, plan)

    # Events held, registrations, seats checked in, groups, and the people counted once:
    # one statement that reads the check-ins once for every level (ATTENDANCE_SQL).
    _attendance(scope, totals)

    # Visitors at the stands: self check-ins and the counter.
    visitors = defaultdict(int)
    for event_id, count in (
        VisitorCheckIn.objects.filter(event__in=held.values("pk"))
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
    ):
        visitors[event_id] += count
    for event_id, total in (
        TallyMark.objects.filter(event__in=held.values("pk"))
        .order_by()
        .values("event_id")
        .annotate(n=Sum("delta"))
        .values_list("event_id", "n")
    ):
        visitors[event_id] += max(total or 0, 0)
    _add(totals, event_nodes, visitors, "stand_visitors")

    # Volunteer hours: the shifts' length for those present.
    hours = {}
    for event_id, duration in (
        ShiftSignup.objects.filter(shift__event__in=held.values("pk"), attendance=Attendance.PRESENT)
        .order_by()
        .values("shift__event_id")
        .annotate(d=Sum(F("shift__ends_at") - F("shift__starts_at")))
        .values_list("shift__event_id", "d")
    ):
        hours[event_id] = duration.total_seconds() / 3600 if duration else 0
    _add(totals, event_nodes, hours, "volunteer_hours")

    # Distinct counts at every level, on the smaller tables.
    stops = held.filter(kind=EventKind.ITINERANT_VILLAGE)
    _distinct(totals, stops, "", Count("commune", distinct=True), "communes_visited", plan)
    stands = Stand.objects.filter(stop__in=stops.values("pk"), status=StandStatus.CONFIRMED)
    _distinct(totals, stands, "stop", Count("organisation", distinct=True), "stand_organisations", plan)
    on_shift = ShiftSignup.objects.filter(
        shift__event__in=held.values("pk"), status=ShiftSignupStatus.CONFIRMED
    ).exclude(attendance=Attendance.NO_SHOW)
    # An erased volunteer's sign-ups have no user: each then counts once.
    _distinct(
        totals,
        on_shift,
        "shift__event",
        Count("user", distinct=True) + Count("pk", filter=Q(user__isnull=True)),
        "volunteers",
        plan,
    )

    _requests_and_matches(scope, totals)

    # Rates, and zeros where nothing was counted.
    for key, node in nodes.items():
        values = totals.get(key, {})
        confirmed_seats = values.pop("_confirmed_seats", 0)
        for indicator in INDICATORS:
            node.values[indicator.key] = values.get(indicator.key, 0)
        attended = values.get("participants", 0)
        node.values["no_show_rate"] = (
            round(100 * max(confirmed_seats - attended, 0) / confirmed_seats, 1) if confirmed_seats else None
        )
        if "decision_days" not in values:
            node.values["decision_days"] = None
        node.values["volunteer_hours"] = round(node.values["volunteer_hours"], 1)
    _attach_targets(scope, nodes)
    from territory.models import Commune

    return PlanRollup(scope, root, nodes, Commune.objects.filter(territory=plan.territory_id).count())


def _requests_and_matches(scope: Scope, totals: dict) -> None:
    """The communes' requests and the accepted matches, for their actions and the plan."""
    from events.models import EventKind, VisitRequest, VisitRequestStatus
    from volunteers.models import MatchStatus, MissionMatch

    plan = scope.plan
    start, end = scope.local_bounds()
    village_action = plan.default_action_for_kind(EventKind.ITINERANT_VILLAGE)
    requests = VisitRequest.objects.filter(
        commune__territory=plan.territory_id, created_at__gte=start, created_at__lt=end
    )
    if scope.commune is not None:
        requests = requests.filter(commune=scope.commune)
    counts = requests.aggregate(
        received=Count("pk"),
        accepted=Count("pk", filter=Q(status=VisitRequestStatus.ACCEPTED)),
        declined=Count("pk", filter=Q(status=VisitRequestStatus.DECLINED)),
    )
    decided = requests.filter(first_decision_at__isnull=False).values_list("created_at", "first_decision_at")
    delays = [(decision - created).total_seconds() / 86400 for created, decision in decided]
    median = round(statistics.median(delays), 1) if delays else None
    targets = [(PLAN, plan.pk)]
    if village_action is not None:
        targets += [
            (ACTION, village_action.pk),
            (OBJECTIVE, village_action.objective_id),
            (ORIENTATION, village_action.objective.orientation_id),
        ]
    for node in targets:
        totals[node]["requests_received"] = counts["received"]
        totals[node]["requests_accepted"] = counts["accepted"]
        totals[node]["requests_declined"] = counts["declined"]
        totals[node]["decision_days"] = median

    matches = MissionMatch.objects.filter(
        mission__territory=plan.territory_id,
        status=MatchStatus.ACCEPTED,
        decided_at__gte=start,
        decided_at__lt=end,
    )
    if scope.commune is not None:
        matches = matches.filter(mission__commune=scope.commune)
    accepted = matches.count()
    targets = [(PLAN, plan.pk)]
    if plan.volunteering_action_code:
        action = (
            Action.objects.of_plan(plan).filter(code=plan.volunteering_action_code).select_related("objective").first()
        )
        if action is not None:
            targets += [
                (ACTION, action.pk),
                (OBJECTIVE, action.objective_id),
                (ORIENTATION, action.objective.orientation_id),
            ]
    for node in targets:
        totals[node]["matches_accepted"] = accepted


def _attach_targets(scope: Scope, nodes: dict) -> None:
    targets = IndicatorTarget.objects.filter(plan=scope.plan)
    targets = targets.filter(year=scope.year) if scope.year else targets.filter(year__isnull=True)
    for target in targets:
        if target.action_id:
            key = (ACTION, target.action_id)
        elif target.objective_id:
            key = (OBJECTIVE, target.objective_id)
        else:
            key = (PLAN, scope.plan.pk)
        if key in nodes:
            nodes[key].targets[target.indicator] = Decimal(target.value)
