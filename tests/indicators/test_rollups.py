"""Every indicator on a small dataset computed by hand (indicators/rollups.py).

The plan fixture: O3 > O3.1 > {O3.1.a élus, O3.1.b village}, O3 > O3.2 > O3.2.a rencontres,
O4 > O4.1 > {O4.1.a jeunes, O4.1.b bénévolat}. Today is 23 November 2026.

Held in 2026 (5 events):
    B1 breakfast 10 March, Valenciennes (O3.2.a): Alice (in), Bob élu d'Anzin (in), Chloé (no-show),
       Dan (cancelled)
    B2 breakfast 5 June, Anzin (O3.2.a): Alice again (in), Eve élue de Valenciennes (in)
    Y1 youth 2 April (O4.1.a): a group of 24 (in), a group of 10 (no-show)
    V2 village 29 March 08:00, the day clocks go forward (O3.1.b): stands A and C confirmed, B
       refused; 1 visitor; shifts: Vol1 present 2 h, Vol2 no-show, an erased volunteer present 3 h
    E1 élus 15 September serving O3.1.a AND O3.1.b: Bob again (in), Frank élu d'Anzin (in)
Not counted in 2026: V1 village on 31 December 2025 at 23:30 (Paris: 2025) with 3 visitors and
+2 on the counter; a cancelled breakfast with a check-in; a breakfast to come.
"""

import datetime as dt

import pytest

from events.models import (
    CheckIn,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    Scan,
    ScanResult,
    Stand,
    StandStatus,
    TallyMark,
    Ticket,
    VisitorCheckIn,
    VisitRequest,
    VisitRequestStatus,
)
from events.tokens import hash_code, new_code
from indicators.models import Action, IndicatorTarget
from indicators.rollups import ACTION, OBJECTIVE, ORIENTATION, PLAN, Scope, compute
from territory.models import PARIS, Organisation
from volunteers.models import Shift, ShiftRole, ShiftSignup

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)


def at(year, month, day, hour=9, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def person(event, name, *, checked_in=True, status=RegistrationStatus.CONFIRMED, **fields):
    registration = Registration.objects.create(
        event=event,
        status=status,
        name=name,
        email=fields.pop("email", f"{name.lower()}@example.org"),
        category=fields.pop("category", "resident"),
        **fields,
    )
    ticket = Ticket.objects.create(registration=registration, code_hash=hash_code(new_code()))
    if checked_in:
        CheckIn.objects.create(ticket=ticket, event=event, checked_in_at=event.start)
    return registration


@pytest.fixture
def dataset(time_machine, plan, make_event, commune, other_commune, django_user_model, sector):
    time_machine.move_to(NOW, tick=False)
    actions = {action.code: action for action in Action.objects.of_plan(plan)}

    def event(kind, start, action_codes, **fields):
        page = make_event(kind, start=start, **fields)
        page.plan_actions = [actions[code] for code in action_codes]
        page.save_revision().publish()
        return page

    b1 = event(EventKind.THEMATIC_BREAKFAST, at(2026, 3, 10), ["O3.2.a"], commune=commune)
    person(b1, "Alice")
    person(b1, "Bob", category="elected", mandate_commune=other_commune)
    person(b1, "Chloé", checked_in=False)
    person(b1, "Dan", checked_in=False, status=RegistrationStatus.CANCELLED)
    b2 = event(EventKind.THEMATIC_BREAKFAST, at(2026, 6, 5), ["O3.2.a"], commune=other_commune)
    alice_again = person(b2, "Alice")
    person(b2, "Eve", category="elected", mandate_commune=commune)
    # An offline phone re-sent Alice's scan: flagged duplicate, one check-in all the same.
    Scan.objects.create(
        event=b2, ticket=alice_again.ticket, nonce="dup-1", result=ScanResult.DUPLICATE, scanned_at=b2.start
    )
    y1 = event(EventKind.YOUTH_OUTREACH, at(2026, 4, 2), ["O4.1.a"])
    person(y1, "Classe de 4e B", email="prof@example.org", is_group=True, seats=24)
    person(y1, "Classe de 3e A", email="prof2@example.org", is_group=True, seats=10, checked_in=False)

    v2 = event(EventKind.ITINERANT_VILLAGE, at(2026, 3, 29, 8), ["O3.1.b"], hours=5, commune=commune)
    org_a, org_b, org_c = (
        Organisation.objects.create(name=name, legal_form="association", commune=commune, summary="…")
        for name in ("A", "B", "C")
    )
    for organisation, status in ((org_a, StandStatus.CONFIRMED), (org_b, StandStatus.REFUSED), (org_c, "confirmed")):
        Stand.objects.create(
            stop=v2.specific, organisation=organisation, status=status, contact_name="X", contact_email="x@example.org"
        )
    VisitorCheckIn.objects.create(event=v2, device_key="d1")
    vol1 = django_user_model.objects.create_user("vol1", "vol1@example.org", "x")
    vol2 = django_user_model.objects.create_user("vol2", "vol2@example.org", "x")
    setup = Shift.objects.create(
        event=v2, role=ShiftRole.SETUP, starts_at=at(2026, 3, 29, 6), ends_at=at(2026, 3, 29, 8), capacity=3
    )
    welcome = Shift.objects.create(
        event=v2, role=ShiftRole.WELCOME, starts_at=at(2026, 3, 29, 8), ends_at=at(2026, 3, 29, 11), capacity=3
    )
    ShiftSignup.objects.create(shift=setup, user=vol1, name="Vol1", email="vol1@example.org", attendance="present")
    ShiftSignup.objects.create(shift=setup, user=vol2, name="Vol2", email="vol2@example.org", attendance="no_show")
    ShiftSignup.objects.create(shift=welcome, user=None, name="Bénévole anonyme", email="", attendance="present")

    e1 = event(EventKind.ELECTED_AWARENESS, at(2026, 9, 15, 18), ["O3.1.a", "O3.1.b"])
    person(e1, "Bob", category="elected", mandate_commune=other_commune)
    person(e1, "Frank", category="elected", mandate_commune=other_commune)

    v1 = event(EventKind.ITINERANT_VILLAGE, at(2025, 12, 31, 23, 30), ["O3.1.b"], hours=0.25, commune=other_commune)
    for n in range(3):
        VisitorCheckIn.objects.create(event=v1, device_key=f"old-{n}")
    for n, delta in enumerate((1, 1, 1, -1)):
        TallyMark.objects.create(event=v1, delta=delta, nonce=f"t{n}", counted_at=v1.start)
    cancelled = event(EventKind.THEMATIC_BREAKFAST, at(2026, 5, 1), ["O3.2.a"], status=EventStatus.CANCELLED)
    person(cancelled, "Gaston")
    upcoming = event(EventKind.THEMATIC_BREAKFAST, at(2026, 12, 10), ["O3.2.a"])
    person(upcoming, "Hélène", checked_in=False)

    for created, decided, status in (
        (at(2026, 2, 1), at(2026, 2, 3), VisitRequestStatus.ACCEPTED),
        (at(2026, 5, 1), at(2026, 5, 5), VisitRequestStatus.DECLINED),
        (at(2026, 10, 1), None, VisitRequestStatus.RECEIVED),
    ):
        request = VisitRequest.objects.create(
            commune=commune,
            contact_name="Mairie",
            contact_role="DGS",
            email="mairie@example.org",
            occasion="market",
            consent_at=created,
            status=status,
            first_decision_at=decided,
            link_key="k",
        )
        VisitRequest.objects.filter(pk=request.pk).update(created_at=created)
    return {"b1": b1, "v2": v2, "actions": actions}


def values_at(rollup, level, pk):
    return rollup.node(level, pk).values


def test_the_plan_in_2026_hand_computed(dataset, plan):
    values = compute(Scope(plan, year=2026)).plan.values
    assert values["events_held"] == 5
    assert values["registrations"] == 9  # B1 3, B2 2, Y1 2, E1 2
    assert values["participants"] == 30  # 2 + 2 + 24 + 2
    assert values["no_show_rate"] == 26.8  # (41 confirmed seats - 30) / 41
    assert values["unique_participants"] == 4  # Alice, Bob, Eve, Frank
    assert values["elected_reached"] == 3  # Bob, Eve, Frank
    assert values["elected_communes"] == 2  # Anzin, Valenciennes
    assert values["young_reached"] == 24
    assert values["stand_visitors"] == 1
    assert values["communes_visited"] == 1
    assert values["stand_organisations"] == 2
    assert values["volunteers"] == 2  # Vol1 and the erased volunteer; Vol2 did not come
    assert values["volunteer_hours"] == 5.0
    assert values["requests_received"] == 3
    assert (values["requests_accepted"], values["requests_declined"]) == (1, 1)
    assert values["decision_days"] == 3.0  # median of 2 and 4 days


def test_unique_counts_do_not_add_up_but_events_count_once_per_node(dataset, plan):
    rollup = compute(Scope(plan, year=2026))
    actions = dataset["actions"]
    o31, o32 = actions["O3.1.a"].objective, actions["O3.2.a"].objective
    # E1 serves two actions of O3.1: once for each action, once for the objective.
    assert values_at(rollup, ACTION, actions["O3.1.a"].pk)["events_held"] == 1
    assert values_at(rollup, ACTION, actions["O3.1.b"].pk)["events_held"] == 2
    assert values_at(rollup, OBJECTIVE, o31.pk)["events_held"] == 2
    assert values_at(rollup, OBJECTIVE, o32.pk)["unique_participants"] == 3  # Alice, Bob, Eve
    assert values_at(rollup, OBJECTIVE, o31.pk)["unique_participants"] == 2  # Bob, Frank
    # Bob is in both: 3 + 2 at the objectives, 4 people at the orientation.
    assert values_at(rollup, ORIENTATION, o31.orientation_id)["unique_participants"] == 4
    assert values_at(rollup, ACTION, actions["O3.1.b"].pk)["requests_received"] == 3
    assert values_at(rollup, ACTION, actions["O3.2.a"].pk)["requests_received"] == 0


def test_additive_indicators_add_up_where_events_serve_one_action(dataset, plan):
    rollup = compute(Scope(plan, year=2026))
    plan_values = rollup.plan.values
    orientations = rollup.plan.children
    for key in ("participants", "young_reached", "stand_visitors", "volunteer_hours"):
        assert sum(o.values[key] for o in orientations) == plan_values[key], key
        for orientation in orientations:
            assert sum(o.values[key] for o in orientation.children) == orientation.values[key], key


def test_the_year_is_the_local_year(dataset, plan):
    in_2025 = compute(Scope(plan, year=2025)).plan.values
    assert (in_2025["events_held"], in_2025["stand_visitors"], in_2025["communes_visited"]) == (1, 5, 1)
    whole = compute(Scope(plan)).plan.values
    assert (whole["events_held"], whole["stand_visitors"], whole["communes_visited"]) == (6, 6, 2)


def test_a_commune_filter_keeps_its_events_and_requests(dataset, plan, other_commune):
    values = compute(Scope(plan, year=2026, commune=other_commune)).plan.values
    assert values["events_held"] == 1  # B2
    assert values["unique_participants"] == 2
    assert values["requests_received"] == 0


def test_targets_and_progress(dataset, plan):
    action = dataset["actions"]["O3.2.a"]
    IndicatorTarget.objects.create(plan=plan, indicator="participants", action=action, year=2026, value=8)
    IndicatorTarget.objects.create(plan=plan, indicator="events_held", year=2026, value=10)
    rollup = compute(Scope(plan, year=2026))
    assert rollup.node(ACTION, action.pk).progress("participants") == 0.5  # 4 of 8
    assert rollup.plan.progress("events_held") == 0.5
    assert compute(Scope(plan, year=2025)).plan.progress("events_held") is None


def test_a_constant_number_of_queries(dataset, plan, make_event, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        compute(Scope(plan, year=2026))
    b1 = dataset["b1"]
    for n in range(10):
        person(b1, f"Extra{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        compute(Scope(plan, year=2026))


def test_plan_values_at_each_level_are_present(dataset, plan):
    rollup = compute(Scope(plan, year=2026))
    levels = {node.level for node, _depth in rollup.walk()}
    assert levels == {PLAN, ORIENTATION, OBJECTIVE, ACTION}
    assert rollup.commune_count == 2  # the fixture's territory has two communes
