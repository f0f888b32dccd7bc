"""Targets and committee meetings in the "Plan d'actions" menu of the admin (indicators/wagtail_hooks.py)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from indicators.models import Action, ActionPlan, Committee, CommitteeMeeting, IndicatorTarget, Objective, Orientation
from tests.html import visible_text

pytestmark = pytest.mark.django_db

TARGETS = "/admin/snippets/indicators/indicatortarget/"
MEETINGS = "/admin/snippets/indicators/committeemeeting/"


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="indicators", codename__in=codenames))


@pytest.fixture
def target_editor_client(client, organiser):
    grant(organiser, "add_indicatortarget", "change_indicatortarget", "view_indicatortarget")
    client.force_login(organiser)
    return client


@pytest.fixture
def meeting_editor_client(client, organiser):
    grant(organiser, "add_committeemeeting", "change_committeemeeting", "view_committeemeeting")
    client.force_login(organiser)
    return client


@pytest.fixture
def other_plan(territory):
    plan = ActionPlan.objects.create(
        territory=territory, title="Plan suivant", short_title="PLDESS 2027-2032", start_year=2027, end_year=2032
    )
    orientation = Orientation.objects.create(plan=plan, code="A", title="Axe A")
    objective = Objective.objects.create(orientation=orientation, code="A.1", title="Objectif A.1")
    Action.objects.create(objective=objective, code="A.1.a", title="Action A.1.a")
    return plan


def target_form(plan, **fields):
    return {
        "plan": plan.pk,
        "indicator": "participants",
        "action": "",
        "objective": "",
        "year": "2026",
        "value": "120",
        **fields,
    }


def test_an_organiser_sets_a_target_for_an_action(target_editor_client, plan):
    action = Action.objects.get(code="O3.2.a")

    response = target_editor_client.post(f"{TARGETS}add/", target_form(plan, action=action.pk))

    assert response.status_code == 302
    target = IndicatorTarget.objects.get()
    assert (target.plan, target.indicator, target.action, target.objective, target.year, target.value) == (
        plan,
        "participants",
        action,
        None,
        2026,
        120,
    )
    text = visible_text(target_editor_client.get(TARGETS))
    assert "Participant·es pointé·es O3.2.a Rencontres thématiques 2026 120,0 PLDESS 2021-2026" in text


def test_a_target_for_the_whole_plan_and_period(target_editor_client, plan):
    target_editor_client.post(f"{TARGETS}add/", target_form(plan, indicator="events_held", year="", value="40"))

    assert "Événements tenus Tout le plan Toute la durée 40,0" in visible_text(target_editor_client.get(TARGETS))


def test_the_indicator_is_chosen_among_the_plan_s_indicators(target_editor_client, plan):
    response = target_editor_client.post(f"{TARGETS}add/", target_form(plan, indicator="happiness"))

    assert response.status_code == 200
    assert "Sélectionnez un choix valide. happiness n’en fait pas partie." in visible_text(response)
    assert not IndicatorTarget.objects.exists()


def test_a_duplicate_target_is_refused_in_french(target_editor_client, plan):
    IndicatorTarget.objects.create(plan=plan, indicator="participants", year=2026, value=100)

    response = target_editor_client.post(f"{TARGETS}add/", target_form(plan))

    assert response.status_code == 200
    assert "Cette cible existe déjà : modifiez-la plutôt que d'en créer une seconde." in visible_text(response)
    assert IndicatorTarget.objects.get().value == 100


def test_a_target_on_both_an_action_and_an_objective_is_refused(target_editor_client, plan):
    action = Action.objects.get(code="O3.2.a")

    response = target_editor_client.post(
        f"{TARGETS}add/", target_form(plan, action=action.pk, objective=action.objective_id)
    )

    assert "Une cible porte sur une action ou sur un objectif, pas les deux." in visible_text(response)
    assert not IndicatorTarget.objects.exists()


def test_an_action_of_another_plan_is_refused(target_editor_client, plan, other_plan):
    foreign = Action.objects.get(code="A.1.a")

    response = target_editor_client.post(f"{TARGETS}add/", target_form(plan, action=foreign.pk))

    assert "Cette action n'appartient pas au plan choisi." in visible_text(response)
    assert not IndicatorTarget.objects.exists()


def test_the_action_choices_name_their_plan(target_editor_client, plan, other_plan):
    text = visible_text(target_editor_client.get(f"{TARGETS}add/"))

    assert "PLDESS 2021-2026 · O3.2.a Rencontres thématiques" in text
    assert "PLDESS 2027-2032 · A.1.a Action A.1.a" in text


def test_an_organiser_records_a_meeting_and_its_attendees_are_counted(meeting_editor_client, plan):
    copil = Committee.objects.create(plan=plan, name="Comité de pilotage", min_meetings_per_year=1)

    response = meeting_editor_client.post(
        f"{MEETINGS}add/",
        {
            "committee": copil.pk,
            "date": "2026-03-02",
            "title": "Bilan annuel",
            "attendees": "Mairie d'Anzin\nAPES\n\nCRESS",
            "attendee_count": "0",
            "notes": "Programme 2026 validé.",
        },
    )

    assert response.status_code == 302
    meeting = CommitteeMeeting.objects.get()
    assert (meeting.committee, meeting.date, meeting.attendee_count) == (copil, dt.date(2026, 3, 2), 3)
    text = visible_text(meeting_editor_client.get(MEETINGS))
    assert "2 mars 2026 Modifier Comité de pilotage Bilan annuel 3" in text


def test_a_meeting_needs_its_committee_and_date(meeting_editor_client, plan):
    response = meeting_editor_client.post(f"{MEETINGS}add/", {"title": "Sans date", "attendee_count": "0"})

    assert response.status_code == 200
    text = visible_text(response)
    assert "Instance* Champ requis. --------- Date* Champ requis." in text
    assert not CommitteeMeeting.objects.exists()


@pytest.mark.parametrize("url", [f"{TARGETS}add/", f"{MEETINGS}add/"])
def test_an_admin_user_without_the_permission_cannot_add(client, organiser, plan, url):
    client.force_login(organiser)

    response = client.post(url, target_form(plan))

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert not IndicatorTarget.objects.exists()
    assert not CommitteeMeeting.objects.exists()


def test_an_outsider_is_sent_to_the_login_page(client, outsider):
    client.force_login(outsider)

    response = client.get(TARGETS)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
