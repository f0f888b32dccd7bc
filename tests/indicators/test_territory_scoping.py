"""Several territories: an organiser of Valenciennes Métropole neither sees nor changes the plan,
targets, committees and meetings of Sambre-Avesnois (issue 6); its own organiser does. The
indicators API stays public: without a plan it answers for the territory of the site asked.

`organiser` acts for the first territory (plan PLDESS 2021-2026), `other_organiser` for the
second (plan PLAN SAMBRE), both in the "Organisateurs" group.
"""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

from indicators.models import (
    Action,
    ActionPlan,
    Committee,
    CommitteeMeeting,
    IndicatorTarget,
    Objective,
    Orientation,
)
from indicators.models_reports import SteeringReport
from territory.models import PARIS
from tests.html import visible_text

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
SNIPPETS = "/admin/snippets/indicators"
DASHBOARD = "/admin/indicateurs/"
REPORT = "/admin/plan-d-actions/rapport-comite/"
SAMBRE = "PLAN SAMBRE"
COMMITTEE = "Comité de pilotage Sambre"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def organisers(organiser):
    """Both organisers in the "Organisateurs" group: granted before other_organiser copies it."""
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    return organiser


@pytest.fixture
def sambre(organisers, plan, second_territory, second_commune, other_organiser):
    """The second territory's plan with one action, a target, a committee and its meeting."""
    sambre_plan = ActionPlan.objects.create(
        territory=second_territory,
        title="Plan de l'ESS de Sambre-Avesnois",
        short_title=SAMBRE,
        start_year=2021,
        end_year=2026,
    )
    orientation = Orientation.objects.create(plan=sambre_plan, code="S1", title="Axe Sambre", position=1)
    objective = Objective.objects.create(orientation=orientation, code="S1.1", title="Objectif Sambre", position=1)
    action = Action.objects.create(objective=objective, code="S1.1.a", title="Action Sambre", position=1)
    target = IndicatorTarget.objects.create(
        plan=sambre_plan, indicator="participants", action=action, year=2026, value=300
    )
    committee = Committee.objects.create(plan=sambre_plan, name=COMMITTEE, min_meetings_per_year=1)
    meeting = CommitteeMeeting.objects.create(
        committee=committee, date=dt.date(2026, 6, 12), title="Réunion de juin à Maubeuge"
    )
    return {
        "plan": sambre_plan,
        "objective": objective,
        "action": action,
        "target": target,
        "committee": committee,
        "meeting": meeting,
    }


@pytest.fixture
def as_first(client, organisers, sambre):
    client.force_login(organisers)
    return client


@pytest.fixture
def as_second(client, organisers, sambre, other_organiser):
    client.force_login(other_organiser)
    return client


PAGES = {
    "plan": lambda data: f"{SNIPPETS}/actionplan/inspect/{data['plan'].pk}/",
    "committee": lambda data: f"{SNIPPETS}/committee/edit/{data['committee'].pk}/",
    "committee delete": lambda data: f"{SNIPPETS}/committee/delete/{data['committee'].pk}/",
    "meeting": lambda data: f"{SNIPPETS}/committeemeeting/edit/{data['meeting'].pk}/",
    "meeting delete": lambda data: f"{SNIPPETS}/committeemeeting/delete/{data['meeting'].pk}/",
    "target": lambda data: f"{SNIPPETS}/indicatortarget/edit/{data['target'].pk}/",
    "target delete": lambda data: f"{SNIPPETS}/indicatortarget/delete/{data['target'].pk}/",
}


# A plan's history and usage: organisers see neither (the YAML import owns plans), found or not.
NOT_FOUND = {
    **PAGES,
    "plan history": lambda data: f"{SNIPPETS}/actionplan/history/{data['plan'].pk}/",
    "plan usage": lambda data: f"{SNIPPETS}/actionplan/usage/{data['plan'].pk}/",
}


@pytest.mark.parametrize("page", NOT_FOUND)
def test_another_territory_s_page_is_not_found(as_first, sambre, page):
    response = as_first.get(NOT_FOUND[page](sambre))

    assert response.status_code == 404
    assert SAMBRE not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_the_territory_s_own_organiser_opens_it(as_second, sambre, page):
    response = as_second.get(PAGES[page](sambre))

    assert response.status_code == 200
    if page == "plan":
        assert "Action Sambre" in visible_text(response)
    if page in ("committee", "meeting"):
        assert COMMITTEE in response.content.decode()


LISTS = {
    "plans": ("actionplan", SAMBRE),
    "committees": ("committee", COMMITTEE),
    "meetings": ("committeemeeting", "Réunion de juin à Maubeuge"),
    "targets": ("indicatortarget", SAMBRE),
}


@pytest.mark.parametrize("listing", LISTS)
def test_a_list_leaves_out_another_territory_even_in_its_filters(as_first, listing):
    model, shown = LISTS[listing]

    response = as_first.get(f"{SNIPPETS}/{model}/")

    assert response.status_code == 200
    assert shown not in response.content.decode()
    assert SAMBRE not in response.content.decode()


@pytest.mark.parametrize("listing", LISTS)
def test_the_territory_s_organiser_lists_its_own(as_second, listing):
    model, shown = LISTS[listing]

    response = as_second.get(f"{SNIPPETS}/{model}/")

    assert shown in visible_text(response)
    assert "PLDESS 2021-2026" not in response.content.decode()


def test_another_territory_s_committee_cannot_be_changed(as_first, sambre):
    response = as_first.post(
        f"{SNIPPETS}/committee/edit/{sambre['committee'].pk}/",
        {"plan": sambre["plan"].pk, "name": "Renommé", "role": "", "min_meetings_per_year": "3", "every_years": ""},
    )

    assert response.status_code == 404
    assert Committee.objects.get(pk=sambre["committee"].pk).name == COMMITTEE


def test_another_territory_s_target_cannot_be_deleted(as_first, sambre):
    response = as_first.post(f"{SNIPPETS}/indicatortarget/delete/{sambre['target'].pk}/")

    assert response.status_code == 404
    assert IndicatorTarget.objects.filter(pk=sambre["target"].pk).exists()


ADD_FORMS = {
    "target": ("indicatortarget", ["plan", "action", "objective"]),
    "meeting": ("committeemeeting", ["committee"]),
    "committee": ("committee", ["plan"]),
}


@pytest.mark.parametrize("form", ADD_FORMS)
def test_an_add_form_offers_only_the_organiser_s_plan(as_first, plan, form):
    Committee.objects.create(plan=plan, name="Comité de pilotage", min_meetings_per_year=1)
    model, fields = ADD_FORMS[form]

    response = as_first.get(f"{SNIPPETS}/{model}/add/")

    assert response.status_code == 200
    for name in fields:
        choices = response.context["form"].fields[name].queryset
        assert choices.exists()
        assert not any(SAMBRE in str(choice) or "Sambre" in str(choice) for choice in choices)
    assert SAMBRE not in response.content.decode()


def test_a_target_on_another_territory_s_plan_is_refused(as_first, sambre):
    response = as_first.post(
        f"{SNIPPETS}/indicatortarget/add/",
        {
            "plan": sambre["plan"].pk,
            "indicator": "participants",
            "action": sambre["action"].pk,
            "objective": "",
            "year": "2026",
            "value": "50",
        },
    )

    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in visible_text(response)
    assert IndicatorTarget.objects.count() == 1


def test_a_meeting_of_another_territory_s_committee_is_refused(as_first, sambre):
    response = as_first.post(
        f"{SNIPPETS}/committeemeeting/add/",
        {"committee": sambre["committee"].pk, "date": "2026-11-20", "title": "Intrusion", "attendee_count": "0"},
    )

    assert "Sélectionnez un choix valide" in visible_text(response)
    assert not CommitteeMeeting.objects.filter(title="Intrusion").exists()


# The dashboard, its exports, the admin's home and the report ------------------------------------------------


def test_the_dashboard_offers_only_the_organiser_s_plans(as_first, plan, sambre):
    response = as_first.get(DASHBOARD, {"plan": sambre["plan"].pk})

    # Another territory's plan in the query string: the organiser's own is shown instead.
    assert response.context["scope"].plan == plan
    assert SAMBRE not in response.content.decode()


def test_the_dashboard_shows_the_territory_s_plan_to_its_organiser(as_second, sambre):
    response = as_second.get(DASHBOARD)

    assert response.context["scope"].plan == sambre["plan"]
    assert "Action Sambre" in visible_text(response)
    assert "PLDESS 2021-2026" not in response.content.decode()


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_export_of_another_territory_s_plan_gives_the_organiser_s_own(as_first, sambre, extension):
    response = as_first.get(f"{DASHBOARD}export.{extension}", {"plan": sambre["plan"].pk, "year": "2026"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="indicateurs-pldess-2021-2026-2026.{extension}"'
    if extension == "csv":
        assert "Action Sambre" not in response.content.decode()


def test_the_admin_home_shows_the_organiser_s_own_plan(as_first, sambre):
    response = as_first.get("/admin/")

    assert "PLDESS 2021-2026" in visible_text(response)
    assert SAMBRE not in visible_text(response)


def test_the_admin_home_shows_the_second_territory_s_plan_to_its_organiser(as_second):
    response = as_second.get("/admin/")

    assert SAMBRE in visible_text(response)
    assert "PLDESS 2021-2026" not in visible_text(response)


def test_the_report_form_offers_only_the_organiser_s_plans_and_communes(as_first, plan, commune):
    response = as_first.get(REPORT)

    form = response.context["form"]
    assert list(form.fields["plan"].queryset) == [plan]
    assert list(form.fields["commune"].queryset) == [commune]
    assert SAMBRE not in response.content.decode() and "Maubeuge" not in response.content.decode()


def test_a_report_of_another_territory_s_plan_is_refused(as_first, sambre):
    response = as_first.post(REPORT, {"plan": sambre["plan"].pk, "first_year": 2025, "last_year": 2026})

    assert response.status_code == 400
    assert "Choisissez un plan d'actions de la liste." in visible_text(response)
    assert not SteeringReport.objects.exists()


def test_the_second_territory_s_organiser_asks_for_its_report(as_second, sambre):
    response = as_second.post(REPORT, {"plan": sambre["plan"].pk, "first_year": 2025, "last_year": 2026})

    assert response.status_code == 302
    assert SteeringReport.objects.get().plan == sambre["plan"]


def test_the_report_service_refuses_a_plan_the_organiser_does_not_act_for(organisers, sambre):
    from indicators.services_report import ReportError, request_steering_report

    with pytest.raises(ReportError) as refused:
        request_steering_report(sambre["plan"], 2025, 2026, by=organisers)

    assert refused.value.code == "foreign_plan"
    assert not SteeringReport.objects.exists()


# The public API -----------------------------------------------------------------------------------------------


@pytest.fixture
def sambre_site(sambre, second_territory, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "sambre.example.org"]
    site = Site.objects.create(hostname="sambre.example.org", port=80, root_page=Page.get_first_root_node())
    second_territory.site = site
    second_territory.save()
    return site


def test_the_api_answers_with_the_plan_of_the_site_s_territory(client, sambre_site):
    response = client.get("/api/v1/indicators", HTTP_HOST="sambre.example.org")

    assert response.status_code == 200
    assert json.loads(response.content)["plan"]["short_title"] == SAMBRE


def test_the_api_answers_with_the_default_territory_s_plan_elsewhere(client, sambre_site):
    response = client.get("/api/v1/indicators")

    assert json.loads(response.content)["plan"]["short_title"] == "PLDESS 2021-2026"


def test_a_plan_named_in_the_api_is_public_whatever_the_site(client, sambre_site):
    response = client.get("/api/v1/indicators", {"plan": SAMBRE})

    body = json.loads(response.content)
    assert body["plan"]["short_title"] == SAMBRE
    assert body["tree"]["children"][0]["title"] == "Axe Sambre"
