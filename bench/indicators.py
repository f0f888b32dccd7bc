"""The plan's dashboard (indicators.rollups.compute) over a million check-ins, next to one hand-written query.

Data: the Valenciennes plan (PLDESS 2021-2026) and 2,000 events over its six years (the
--events option), each serving its kind's default action and one event in six a second
action, some cancelled, a few still to come. About a million check-ins (the --checkins
option) on the breakfasts, the elected officials' sessions and the youth events, drawn
from 200,000 people so that "unique participants" means something: 5 % of them are
elected officials with a mandate commune; one youth registration in ten is a group of 10
to 30. The village stops get self check-ins, tally marks, stands and volunteer shifts.

The big tables are written with executemany on SQLite (PRAGMA synchronous=OFF for the
load only) and COPY on PostgreSQL, with ids given so that no row has to be read back.

Timed: `compute(Scope(plan, year=2025))` and `compute(Scope(plan))` (the whole period),
each interleaved with ONE hand-written SQL statement that computes the figures the
check-ins give (events held, registrations, confirmed seats, participants, groups, unique
participants, elected officials and their communes) at the four levels, so that the
ratio compares the engine with the cheapest way to get the same numbers from the same
rows. The baseline's figures are asserted equal to the engine's before anything is timed.
The engine's statements are counted on 10 % of the check-ins and on all of them.
"""

import datetime as dt
import logging
import random
import sys
import time

from bench.timing import Table

RATIO_LIMIT = 1.5
PEOPLE = 200_000
ELECTED_EVERY = 20  # one person in 20 is an elected official: 5 %
YEAR = 2025
SEED = 2026
# The figures the baseline computes, compared with the engine's at every node.
COMPARED = [
    "events_held",
    "registrations",
    "participants",
    "young_reached",
    "no_show_rate",
    "unique_participants",
    "elected_reached",
    "elected_communes",
]


# Loading -----------------------------------------------------------------------------------------------------


def _plan():
    from indicators.models import ActionPlan
    from indicators.services import import_action_plan

    import_action_plan("valenciennes_pldess_2021_2026")
    return ActionPlan.objects.get(short_title="PLDESS 2021-2026")


def _events(plan, count: int, rng: random.Random) -> list:
    """`count` live events over the plan's years through Wagtail (the page tree needs it), search index off."""
    from django.test.utils import override_settings

    from bench.fixtures import ensure_site
    from events.models import (
        ElectedAwarenessPage,
        EventPage,
        EventStatus,
        ThematicBreakfastPage,
        VillageStopPage,
        YouthOutreachPage,
    )
    from indicators.models import Action
    from territory.models import PARIS, Commune

    agenda = ensure_site()
    communes = list(Commune.objects.filter(territory=plan.territory_id))
    kinds = [
        (ThematicBreakfastPage, {"theme": "Alimentation durable"}, 35),
        (VillageStopPage, {}, 30),
        (ElectedAwarenessPage, {}, 15),
        (YouthOutreachPage, {"structure_name": "Lycée"}, 20),
    ]
    first, days = dt.date(plan.start_year, 1, 1), (dt.date(plan.end_year, 12, 31) - dt.date(plan.start_year, 1, 1)).days
    stamp = time.time_ns()
    # Wagtail logs every page created: 2,000 lines nobody reads.
    wagtail_log = logging.getLogger("wagtail")
    level = wagtail_log.level
    wagtail_log.setLevel(logging.WARNING)
    with override_settings(
        WAGTAILSEARCH_BACKENDS={"default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}}
    ):
        for n in range(count):
            page_class, extra, _weight = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
            day = first + dt.timedelta(days=rng.randrange(days + 1))
            start = dt.datetime.combine(day, dt.time(rng.choice([8, 10, 14, 18]), 30), tzinfo=PARIS)
            agenda.add_child(
                instance=page_class(
                    title=f"Événement du plan {n}",
                    slug=f"plan-{stamp}-{n}",
                    start=start,
                    end=start + dt.timedelta(hours=3),
                    summary="Événement de mesure.",
                    commune=rng.choice(communes),
                    status=EventStatus.CANCELLED if rng.random() < 0.03 else EventStatus.SCHEDULED,
                    **extra,
                )
            )
    wagtail_log.setLevel(level)
    events = list(EventPage.objects.filter(slug__startswith=f"plan-{stamp}-").order_by("pk"))
    # Each event got its kind's default action on save; one in six serves a second action too.
    actions = list(Action.objects.of_plan(plan))
    through = EventPage.plan_actions.through
    linked = set(through.objects.filter(eventpage__in=events).values_list("eventpage_id", "action_id"))
    extra_links = []
    for event in events:
        if rng.random() < 1 / 6:
            action = rng.choice(actions)
            if (event.pk, action.pk) not in linked:
                extra_links.append(through(eventpage_id=event.pk, action_id=action.pk))
    through.objects.bulk_create(extra_links, batch_size=500)
    return events


def _insert(table: str, columns: list[str], rows) -> int:
    """Write rows as fast as the database takes them: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    rows = list(rows)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(column) for column in columns)
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            names = ", ".join(f'"{column}"' for column in columns)
            marks = ", ".join("?" for _ in columns)
            raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
    return len(rows)


REGISTRATION_COLUMNS = [
    "id",
    "event_id",
    "status",
    "source",
    "name",
    "email",
    "email_key",
    "phone",
    "outside_territory",
    "category",
    "mandate",
    "mandate_commune_id",
    "organisation_name",
    "is_group",
    "structure_kind",
    "teacher_name",
    "level",
    "seats",
    "consent_at",
    "created_at",
    "updated_at",
    "confirmed_at",
    "cancelled_at",
]


class _Attendance:
    """Registrations, tickets and check-ins of the events, written in two parts (10 %, then the rest)."""

    def __init__(self, events, checkins: int, now: dt.datetime, communes: list, seed: int):
        from django.db import connection
        from django.db.models import Max

        from events.models import CheckIn, EventKind, EventStatus, Registration, Ticket

        self.adapt = connection.ops.adapt_datetimefield_value
        self.now, self.communes, self.seed = now, communes, seed
        rng = random.Random(seed)
        takers = [event for event in events if event.kind != EventKind.ITINERANT_VILLAGE]
        weights = {event.pk: rng.uniform(0.5, 1.5) for event in takers}
        counted = {e.pk for e in takers if e.end < now and e.status != EventStatus.CANCELLED}
        total = sum(weights[pk] for pk in counted)
        # 93 % confirmed, 88 % of them checked in: registrations = check-ins / 0.82.
        self.sizes = {}
        for event in takers:
            if event.pk in counted:
                self.sizes[event.pk] = max(1, round(weights[event.pk] / total * checkins / (0.93 * 0.88)))
            else:
                self.sizes[event.pk] = 40  # cancelled or still to come: registered, never counted
        self.events = takers
        self.next_ids = [
            (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for model in (Registration, Ticket, CheckIn)
        ]
        self.tables = [model._meta.db_table for model in (Registration, Ticket, CheckIn)]
        self.rows = [0, 0, 0]

    def _rows(self, event, part: int):
        """The event's rows of one part: 0 the first tenth of its registrations, 1 the rest."""
        from events.models import AttendeeCategory, EventKind, EventStatus, RegistrationStatus

        rng = random.Random(self.seed * 1_000_003 + event.pk)
        size = self.sizes[event.pk]
        people = rng.sample(range(PEOPLE), size)
        cut = (size + 9) // 10
        held = event.end < self.now and event.status != EventStatus.CANCELLED
        youth = event.kind == EventKind.YOUTH_OUTREACH
        registered = self.adapt(event.start - dt.timedelta(days=10))
        arrived = self.adapt(event.start + dt.timedelta(minutes=5))
        registrations, tickets, checkins = [], [], []
        for n, person in enumerate(people):
            draw, attends, group_draw = rng.random(), rng.random(), rng.random()
            if (n < cut) != (part == 0):
                continue
            status = (
                RegistrationStatus.CANCELLED
                if draw < 0.04
                else RegistrationStatus.WAITLISTED
                if draw < 0.07
                else RegistrationStatus.CONFIRMED
            )
            group = youth and group_draw < 0.1
            elected = not group and person % ELECTED_EVERY == 0
            if group:
                email, category, seats = f"groupe-{event.pk}-{n}@example.org", AttendeeCategory.TEACHER, 10 + n % 21
            else:
                email, seats = f"personne{person}@example.org", 1
                category = AttendeeCategory.ELECTED if elected else AttendeeCategory.RESIDENT
            mandate_commune = self.communes[(person // ELECTED_EVERY) % len(self.communes)] if elected else None
            registration_id, ticket_id, checkin_id = self.next_ids
            confirmed = status == RegistrationStatus.CONFIRMED
            registrations.append(
                (
                    registration_id,
                    event.pk,
                    status,
                    "online",
                    f"Personne {person}",
                    email,
                    email,
                    "",
                    False,
                    category,
                    "Conseiller·e municipal·e" if elected else "",
                    mandate_commune,
                    "",
                    group,
                    "school" if group else "",
                    "",
                    "",
                    seats,
                    registered,
                    registered,
                    registered,
                    registered if confirmed else None,
                    registered if status == RegistrationStatus.CANCELLED else None,
                )
            )
            # A cheap unique string: the check-in never reads it here.
            tickets.append((ticket_id, registration_id, f"bench-{registration_id}", registered))
            if held and confirmed and attends < 0.88:
                checkins.append((checkin_id, ticket_id, event.pk, arrived, "bench"))
                self.next_ids[2] += 1
            self.next_ids[0] += 1
            self.next_ids[1] += 1
        return registrations, tickets, checkins

    def load(self, part: int) -> None:
        from django.db import transaction

        columns = [REGISTRATION_COLUMNS, ["id", "registration_id", "code_hash", "created_at"]]
        columns.append(["id", "ticket_id", "event_id", "checked_in_at", "device"])
        chunk = 50
        for start in range(0, len(self.events), chunk):
            batches = ([], [], [])
            for event in self.events[start : start + chunk]:
                for batch, rows in zip(batches, self._rows(event, part), strict=True):
                    batch.extend(rows)
            # One transaction per chunk: SQLite would otherwise commit every row of executemany.
            with transaction.atomic():
                for index, (table, names, rows) in enumerate(zip(self.tables, columns, batches, strict=True)):
                    self.rows[index] += _insert(table, names, rows)


def _village(plan, events, now: dt.datetime, rng: random.Random) -> None:
    """Self check-ins, tally marks, stands and volunteer shifts on the village stops."""
    from django.contrib.auth import get_user_model

    from events.models import EventKind, Stand, StandStatus, TallyMark, VisitorCheckIn
    from territory.models import Commune, Organisation
    from volunteers.models import Attendance, Shift, ShiftRole, ShiftSignup

    stops = [event for event in events if event.kind == EventKind.ITINERANT_VILLAGE]
    commune = Commune.objects.filter(territory=plan.territory_id).first()
    stamp = time.time_ns()
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Structure {n}",
            slug=f"bench-structure-{stamp}-{n}",
            legal_form="association",
            commune=commune,
            summary="Structure de mesure.",
        )
        for n in range(40)
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"bench-vol-{stamp}-{n}", email=f"vol{n}@example.org", password="!")  # noqa: S106 - unusable
        for n in range(60)
    )
    visits, marks, stands, shifts = [], [], [], []
    for stop in stops:
        for n in range(rng.randrange(50, 150)):
            visits.append(VisitorCheckIn(event_id=stop.pk, device_key=f"{stop.pk}-{n}", age_bracket="26_59"))
        for n in range(rng.randrange(10, 50)):
            marks.append(TallyMark(event_id=stop.pk, delta=1, nonce=f"t-{stamp}-{stop.pk}-{n}", counted_at=stop.start))
        for organisation in rng.sample(organisations, 3):
            status = StandStatus.CONFIRMED if rng.random() < 0.8 else StandStatus.REFUSED
            stands.append(
                Stand(
                    stop_id=stop.pk,
                    organisation=organisation,
                    status=status,
                    contact_name="X",
                    contact_email="x@example.org",
                )
            )
        for role, hour in ((ShiftRole.SETUP, 6), (ShiftRole.WELCOME, 9)):
            starts = stop.start.replace(hour=hour)
            shifts.append(
                Shift(event_id=stop.pk, role=role, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), capacity=3)
            )
    VisitorCheckIn.objects.bulk_create(visits, batch_size=5000)
    TallyMark.objects.bulk_create(marks, batch_size=5000)
    Stand.objects.bulk_create(stands, batch_size=5000)
    shifts = Shift.objects.bulk_create(shifts, batch_size=5000)
    signups = []
    for shift in shifts:
        for user in rng.sample(users, 3):
            attendance = rng.choice([Attendance.PRESENT, Attendance.PRESENT, Attendance.NO_SHOW, ""])
            signups.append(
                ShiftSignup(shift=shift, user=user, name=user.username, email=user.email, attendance=attendance)
            )
    ShiftSignup.objects.bulk_create(signups, batch_size=5000)


# The baseline ----------------------------------------------------------------------------------------------------

# The baseline: the attendance figures of every node in one statement. The engine first grouped
# the check-ins with the ORM (3.6 to 4.9 times this statement); it now runs this very statement
# (indicators.rollups.ATTENDANCE_SQL, imported in `baseline` once Django is set up), so the ratio
# measures what the dashboard computes besides.


def baseline(scope) -> dict:
    """The check-in figures of every node in one statement: {(level, pk): {key: value}}."""
    from django.db import connection

    ops = connection.ops
    params = {
        "first": ops.adapt_datefield_value(scope.first_day),
        "last": ops.adapt_datefield_value(scope.last_day),
        "now": ops.adapt_datetimefield_value(scope.moment),
        "commune": None,
        "plan": scope.plan.pk,
        "territory": scope.plan.territory_id,
    }
    figures = {}
    from indicators.rollups import ATTENDANCE_SQL

    with connection.cursor() as cursor:
        cursor.execute(ATTENDANCE_SQL, params)
        for level, node, events, registrations, confirmed, participants, young, unique, elected, communes in cursor:
            values = figures.setdefault((level, node), {})
            # PostgreSQL sums bigints into numerics: back to integers, as the engine counts.
            registrations, confirmed, participants, young = (
                int(value or 0) for value in (registrations, confirmed, participants, young)
            )
            if events is not None:
                values.update(
                    events_held=events,
                    registrations=registrations,
                    participants=participants,
                    young_reached=young,
                    no_show_rate=round(100 * max(confirmed - participants, 0) / confirmed, 1) if confirmed else None,
                )
            else:
                values.update(unique_participants=unique, elected_reached=elected, elected_communes=communes)
    return figures


def _check(rollup, figures: dict) -> None:
    """The baseline must say what the engine says, node by node, or the ratio means nothing."""
    for key, node in rollup.nodes.items():
        expected = figures.get(key, {})
        for indicator in COMPARED:
            default = None if indicator == "no_show_rate" else 0
            engine, hand = node.values[indicator], expected.get(indicator, default)
            assert engine == hand, f"{key} {indicator}: engine {engine} != baseline {hand}"


# The run -----------------------------------------------------------------------------------------------------


def _statements(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = function()
    return result, list(queries.captured_queries)


def _interleaved(scope, runs: int):
    """Median and best ms of the engine and of the baseline, one after the other each round."""
    import statistics

    from indicators.rollups import compute

    engine, hand = [], []
    for _ in range(runs):
        began = time.perf_counter()
        compute(scope)
        engine.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        baseline(scope)
        hand.append((time.perf_counter() - began) * 1000)
    return (statistics.median(engine), min(engine)), (statistics.median(hand), min(hand))


def _load_average() -> str:
    try:
        with open("/proc/loadavg", encoding="utf-8") as file:
            return " ".join(file.read().split()[:3])
    except OSError:
        return "?"


def _pragma(statement: str) -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(statement)


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(args) -> list[Table]:
    from django.db import connection
    from django.utils import timezone

    from bench.checkin import database_label
    from bench.fixtures import ensure_site
    from events.models import CheckIn
    from indicators.rollups import Scope, compute
    from territory.models import Commune

    rng = random.Random(SEED)
    now = timezone.now()
    began = time.perf_counter()
    ensure_site()
    plan = _plan()
    events = _events(plan, args.events, rng)
    made_events = time.perf_counter() - began
    print(f"  {len(events)} events in {made_events:.1f} s", file=sys.stderr, flush=True)

    communes = list(Commune.objects.filter(territory=plan.territory_id).values_list("pk", flat=True))
    attendance = _Attendance(events, args.checkins, now, communes, SEED)
    _village(plan, events, now, rng)
    # Fast, not durable, for the load only: a crash would only lose a throw-away database.
    _pragma("PRAGMA synchronous=OFF")
    began = time.perf_counter()
    attendance.load(0)
    _analyze()
    tenth_load = time.perf_counter() - began
    scopes = [("one year (2025)", Scope(plan, year=YEAR, now=now)), ("whole period (2021-2026)", Scope(plan, now=now))]
    tenth_queries = {label: len(_statements(lambda s=scope: compute(s))[1]) for label, scope in scopes}
    tenth_checkins = CheckIn.objects.count()

    began = time.perf_counter()
    attendance.load(1)
    _analyze()
    _pragma("PRAGMA synchronous=NORMAL")
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        from events.models import Registration, Ticket

        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [Registration, Ticket, CheckIn]):
                cursor.execute(statement)
    loaded = tenth_load + time.perf_counter() - began
    registrations, tickets, checkins = attendance.rows
    print(
        f"  {registrations:,} registrations, {tickets:,} tickets, {checkins:,} check-ins in {loaded:.1f} s",
        file=sys.stderr,
        flush=True,
    )

    # A whole-period run takes tens of seconds at a million check-ins: five rounds give a median.
    runs = max(3, min(args.repeat, 5))
    rows, notes, slowest = [], [], {}
    for label, scope in scopes:
        rollup, queries = _statements(lambda s=scope: compute(s))
        _check(rollup, baseline(scope))
        (engine_median, engine_best), (hand_median, hand_best) = _interleaved(scope, runs)
        ratio = engine_median / hand_median
        rows.append(
            [
                label,
                f"{rollup.plan.values['participants']:,}",
                f"{tenth_queries[label]}",
                f"{len(queries)}",
                f"{engine_median:,.0f}",
                f"{engine_best:,.0f}",
                f"{hand_median:,.0f}",
                f"{hand_best:,.0f}",
                f"{ratio:.2f}",
            ]
        )
        slowest[label] = sorted(queries, key=lambda query: float(query["time"]), reverse=True)[:5]
        assert tenth_queries[label] == len(queries), "the number of queries grows with the data"

    worst = max(float(row[-1]) for row in rows)
    notes.append(
        f"{len(events):,} events ({args.events:,} asked), {registrations:,} registrations, {checkins:,} check-ins "
        f"({tenth_checkins:,} for the 10 % count) from {PEOPLE:,} people; loaded in {made_events:.0f} s (events) "
        f"+ {loaded:.0f} s (the rest). Median and best of {runs} runs, the engine and the baseline interleaved. "
        f"Load average after the runs: {_load_average()} on {len(__import__('os').sched_getaffinity(0))} cores."
    )
    notes.append(
        f"The baseline is one hand-written statement (indicators.rollups.ATTENDANCE_SQL, run alone) computing the figures of "
        f"{', '.join(f'`{key}`' for key in COMPARED)} at every node, asserted equal to the engine's. The engine "
        "also computes the visitors, stands, shifts, requests and matches, which the baseline leaves out. "
        f"Worst ratio: {worst:.2f}× ({'within' if worst <= RATIO_LIMIT else 'OVER'} the {RATIO_LIMIT}× budget)."
    )
    for label, queries in slowest.items():
        notes.append("")
        notes.append(f"Slowest statements of `compute` for {label}:")
        for query in queries:
            sql = " ".join(query["sql"].split())
            notes.append(f"- {float(query['time']) * 1000:,.0f} ms: `{sql[:160]}…`")
    return [
        Table(
            f"The plan's dashboard on {database_label()}: `indicators.rollups.compute` against one SQL statement",
            [
                "scope",
                "participants",
                "queries (10 %)",
                "queries (all)",
                "engine median ms",
                "engine best ms",
                "baseline median ms",
                "baseline best ms",
                "× baseline (median)",
            ],
            rows,
            notes,
        )
    ]
