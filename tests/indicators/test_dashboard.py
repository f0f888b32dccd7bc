"""The plan's dashboard in the admin (indicators/admin_dashboard.py), on the hand-computed dataset
of test_rollups.py: in 2026, 5 events held, 30 participants, 4 unique participants, 26,8 % no-show."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import EventKind
from indicators.models import Committee, CommitteeMeeting, IndicatorTarget
from tests.cms.test_roles import menu_labels
from tests.html import visible_text
from tests.indicators import test_rollups
from tests.indicators.test_rollups import at, person

pytestmark = pytest.mark.django_db

# The hand-computed dataset of test_rollups.py, as a fixture of this module too.
dataset = test_rollups.dataset

DASHBOARD = "/admin/indicateurs/"
PLAN_ROW = "PLDESS 2021-2026 Plan Local de Développement de l'ESS 2021-2026"


@pytest.fixture
def viewer(organiser):
    """An organiser given what the dashboard requires, and nothing else."""
    organiser.user_permissions.add(Permission.objects.get(codename="view_actionplan"))
    return organiser


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def dashboard(client, **params):
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200
    return visible_text(response)


def test_the_plan_row_shows_the_hand_computed_2026_values(viewer_client, dataset, plan):
    text = dashboard(viewer_client)  # 2026, the current year, by default

    # Events held, registrations, participants, no-show rate, unique participants, young people.
    assert f"{PLAN_ROW} 5 9 30 26,8 % 4 24" in text
    # Volunteers, hours, accepted matches.
    assert f"{PLAN_ROW} 2 5 h 0" in text
    # Requests received, accepted, declined, median days to answer.
    assert f"{PLAN_ROW} 3 1 1 3 jours" in text


def test_each_level_of_the_tree_has_its_row(viewer_client, dataset, plan):
    text = dashboard(viewer_client, year=2026)

    # E1 serves O3.1.a and O3.1.b: once for each action, once for their objective.
    assert "O3.1 Promouvoir l'ESS auprès des décideurs 2 2 2 0 % 2 0" in text
    assert "O3.1.a Sensibilisation auprès des élus 1 2 2 0 % 2 0" in text
    assert "O3.2.a Rencontres thématiques 2 5 4 20 % 3 0" in text


def test_the_year_filter_changes_the_values(viewer_client, dataset, plan):
    text = dashboard(viewer_client, plan=plan.pk, year=2025)

    # V1 on 31 December 2025 at 23:30, Paris time: one stop, 3 visitors and 2 on the counter.
    assert f"{PLAN_ROW} 1 0 0 — 0 0" in text
    assert f"{PLAN_ROW} 1 5 0" in text  # communes visited, stand visitors, organisations


def test_the_whole_period(viewer_client, dataset, plan):
    text = dashboard(viewer_client, plan=plan.pk, year="all")

    assert f"{PLAN_ROW} 6 9 30 26,8 % 4 24" in text
    assert f"{PLAN_ROW} 2 6 2" in text
    assert "PLDESS 2021-2026 (2021–2026) · Toute la durée du plan · Toutes les communes" in text


def test_the_commune_filter_keeps_its_events(viewer_client, dataset, plan, other_commune):
    text = dashboard(viewer_client, plan=plan.pk, year=2026, commune=other_commune.pk)

    assert f"{PLAN_ROW} 1 2 2 0 % 2 0" in text  # B2 in Anzin only
    assert "· 2026 · Anzin" in text


def test_a_filter_out_of_its_choices_is_reported_and_the_default_used(viewer_client, dataset, plan):
    text = dashboard(viewer_client, plan=plan.pk, year=1990)

    assert "Un filtre n'a pas pu être appliqué : la valeur par défaut est utilisée." in text
    assert "Année : Sélectionnez un choix valide." in text
    assert f"{PLAN_ROW} 5 9 30 26,8 % 4 24" in text


def test_targets_and_progress_are_shown(viewer_client, dataset, plan):
    action = dataset["actions"]["O3.2.a"]
    IndicatorTarget.objects.create(plan=plan, indicator="participants", action=action, year=2026, value=8)
    IndicatorTarget.objects.create(plan=plan, indicator="events_held", year=2026, value=4)
    IndicatorTarget.objects.create(plan=plan, indicator="events_held", year=2025, value=99)

    text = dashboard(viewer_client, year=2026)

    assert "O3.2.a Rencontres thématiques 2 5 4 cible 8 50 % de la cible" in text
    assert f"{PLAN_ROW} 5 cible 4 125 % de la cible 9" in text
    assert "99" not in text


def test_the_column_headers_are_described_by_the_indicators_help(viewer_client, dataset):
    response = viewer_client.get(DASHBOARD)
    html = response.content.decode()

    assert 'aria-describedby="aide-unique_participants"' in html
    assert (
        "Participant·es uniques Personnes pointées, comptées une fois même venues plusieurs fois (hors groupes)."
        in visible_text(response)
    )


def test_attendance_per_month_and_per_kind(viewer_client, dataset):
    text = dashboard(viewer_client, year=2026)

    # B1 on 10 March, Y1's group of 24 on 2 April, B2 on 5 June, E1 on 15 September;
    # months after November are left out.
    assert "janvier 2026 0 février 2026 0 mars 2026 2 avril 2026 24 mai 2026 0 juin 2026 2" in text
    assert "septembre 2026 2 octobre 2026 0 novembre 2026 0 Par type" in text
    assert (
        "Petit-déjeuner thématique 2 4 Village itinérant 1 0 Sensibilisation des élus 1 2 "
        "Sensibilisation des jeunes 1 24"
    ) in text


def test_attendance_per_year_over_the_whole_period(viewer_client, dataset):
    text = dashboard(viewer_client, year="all")

    assert "2021 0 2022 0 2023 0 2024 0 2025 0 2026 30" in text


def test_the_communes_reached_with_a_list_and_map_data(viewer_client, dataset):
    response = viewer_client.get(DASHBOARD, {"year": 2026})
    text = visible_text(response)

    assert "2 communes sur 2 ont accueilli au moins un événement tenu ; le village itinérant en a visité 1." in text
    assert "Anzin 1 0 Valenciennes 4 1" in text
    points = response.context["map_points"]
    assert [(p["name"], p["lat"], p["events"]) for p in points] == [("Anzin", 50.3754, 1), ("Valenciennes", 50.3579, 4)]
    assert 'id="indicators-map-data"' in response.content.decode()


def test_governance_met_and_not_met(viewer_client, dataset, plan):
    copil = Committee.objects.create(plan=plan, name="Comité de pilotage", min_meetings_per_year=1)
    cotech = Committee.objects.create(plan=plan, name="Comité technique", min_meetings_per_year=2)
    Committee.objects.create(plan=plan, name="Assises", every_years=3)
    CommitteeMeeting.objects.create(committee=copil, date=dt.date(2026, 3, 2))
    CommitteeMeeting.objects.create(committee=cotech, date=dt.date(2026, 6, 1))
    CommitteeMeeting.objects.create(committee=cotech, date=dt.date(2025, 6, 1))
    CommitteeMeeting.objects.create(committee=cotech, date=dt.date(2025, 9, 1))

    text = dashboard(viewer_client, year=2026)
    assert "2026 Assises 0 — pas de minimum annuel" in text
    assert "2026 Comité de pilotage 1 1 atteint" in text
    assert "2026 Comité technique 1 2 non atteint" in text

    whole = dashboard(viewer_client, year="all")
    assert "2025 Comité technique 2 2 atteint" in whole
    assert "2021 Comité de pilotage 0 1 non atteint" in whole


def test_the_export_links_keep_the_filters(viewer_client, dataset, plan, commune):
    response = viewer_client.get(DASHBOARD, {"year": 2025, "commune": commune.pk})

    assert response.context["csv_url"] == f"/admin/indicateurs/export.csv?plan={plan.pk}&year=2025&commune={commune.pk}"
    assert response.context["xlsx_url"].startswith("/admin/indicateurs/export.xlsx?")
    assert "Exporter en CSV Exporter en XLSX (Excel)" in visible_text(response)


def test_a_constant_number_of_queries(viewer_client, dataset, plan, make_event, django_assert_num_queries):
    url = f"{DASHBOARD}?year=2026"
    viewer_client.get(url)  # warms Wagtail's per-process caches
    with CaptureQueriesContext(connection) as first:
        viewer_client.get(url)

    b1 = dataset["b1"]
    for n in range(5):
        person(b1, f"Extra{n}")
    extra = make_event(EventKind.YOUTH_OUTREACH, start=at(2026, 10, 8))
    extra.plan_actions = [dataset["actions"]["O4.1.a"]]
    extra.save_revision().publish()
    person(extra, "Classe de 2nde", email="lycee@example.org", is_group=True, seats=30)
    committee = Committee.objects.create(plan=plan, name="Comité technique", min_meetings_per_year=2)
    CommitteeMeeting.objects.create(committee=committee, date=dt.date(2026, 6, 1))
    IndicatorTarget.objects.create(plan=plan, indicator="participants", year=2026, value=100)

    with django_assert_num_queries(len(first.captured_queries)):
        response = viewer_client.get(url)
    assert f"{PLAN_ROW} 6 15 65 cible 100 65 % de la cible" in visible_text(response)


def test_the_organisers_group_sees_the_dashboard(client, organiser, dataset):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)

    assert f"{PLAN_ROW} 5 9 30" in dashboard(client)


def test_an_admin_user_without_the_permission_is_refused(client, organiser, dataset):
    client.force_login(organiser)

    response = client.get(DASHBOARD)

    assert response.status_code == 403
    assert "Votre compte n'a pas accès au tableau de bord du plan d'actions." in visible_text(response)
    assert "Tableau de bord du plan" not in menu_labels(client.get("/admin/"))


def test_the_menu_leads_to_the_dashboard(viewer_client, plan):
    assert "Tableau de bord du plan" in menu_labels(viewer_client.get("/admin/"))


@pytest.mark.parametrize("url", [DASHBOARD, f"{DASHBOARD}export.csv", f"{DASHBOARD}export.xlsx"])
def test_an_outsider_is_sent_to_the_login_page(client, outsider, plan, url):
    client.force_login(outsider)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_without_any_plan_the_dashboard_says_so(viewer_client):
    text = dashboard(viewer_client)

    assert "Aucun plan d'actions n'est encore importé" in text


def test_the_admin_home_shows_this_year_s_key_figures(viewer_client, dataset, plan):
    response = viewer_client.get("/admin/")
    text = visible_text(response)

    assert "Le plan en chiffres PLDESS 2021-2026, année 2026 : événements tenus à ce jour." in text
    assert (
        "Événements tenus 5 Participant·es pointé·es 30 Visiteurs des stands 1 Bénévoles mobilisé·es 2 "
        "Communes visitées par le village 1 sur 2"
    ) in text
    assert f'href="/admin/indicateurs/?plan={plan.pk}&amp;year=2026"' in response.content.decode()


def test_the_admin_home_has_no_figures_without_the_permission(client, organiser, dataset):
    client.force_login(organiser)

    assert "Le plan en chiffres" not in visible_text(client.get("/admin/"))
