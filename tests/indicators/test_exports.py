"""The plan's indicators as CSV and XLSX (indicators/exports.py and the dashboard's export views)."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from indicators.exports import neutralise
from indicators.models import IndicatorTarget
from tests.indicators import test_rollups

pytestmark = pytest.mark.django_db

# The hand-computed dataset of test_rollups.py, as a fixture of this module too.
dataset = test_rollups.dataset

CSV = "/admin/indicateurs/export.csv"
XLSX = "/admin/indicateurs/export.xlsx"


@pytest.fixture
def viewer_client(client, organiser):
    organiser.user_permissions.add(Permission.objects.get(codename="view_actionplan"))
    client.force_login(organiser)
    return client


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def by_code(rows) -> dict:
    return {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_the_csv_has_one_row_per_node_with_values_and_targets(viewer_client, dataset, plan):
    IndicatorTarget.objects.create(plan=plan, indicator="participants", year=2026, value=40)

    response = viewer_client.get(CSV, {"plan": plan.pk, "year": 2026})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="indicateurs-pldess-2021-2026-2026.csv"'
    rows = csv_rows(response)
    assert rows[0][:5] == ["Niveau", "Code", "Intitulé", "Événements tenus", "Cible : Événements tenus"]
    assert [row[1] for row in rows[1:]] == [
        "PLDESS 2021-2026",
        "O3",
        "O3.1",
        "O3.1.a",
        "O3.1.b",
        "O3.2",
        "O3.2.a",
        "O4",
        "O4.1",
        "O4.1.a",
        "O4.1.b",
    ]
    whole = by_code(rows)["PLDESS 2021-2026"]
    assert whole["Niveau"] == "Plan"
    assert whole["Événements tenus"] == "5"
    assert whole["Participant·es pointé·es"] == "30"
    assert whole["Cible : Participant·es pointé·es"] == "40"
    assert whole["Taux d'absence (%)"] == "26,8"  # a decimal comma, for a French spreadsheet
    assert whole["Cible : Taux d'absence (%)"] == ""
    assert whole["Heures de bénévolat (h)"] == "5"
    assert by_code(rows)["O3.2.a"]["Participant·es uniques"] == "3"


def test_the_csv_follows_the_filters(viewer_client, dataset, plan, other_commune):
    response = viewer_client.get(CSV, {"plan": plan.pk, "year": 2026, "commune": other_commune.pk})

    assert response["Content-Disposition"] == 'attachment; filename="indicateurs-pldess-2021-2026-2026-anzin.csv"'
    whole = by_code(csv_rows(response))["PLDESS 2021-2026"]
    assert (whole["Événements tenus"], whole["Participant·es uniques"]) == ("1", "2")


def test_the_xlsx_has_the_same_table_and_its_scope(viewer_client, dataset, plan):
    response = viewer_client.get(XLSX, {"plan": plan.pk, "year": "all"})

    assert response["Content-Disposition"] == (
        'attachment; filename="indicateurs-pldess-2021-2026-toute-la-duree.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Indicateurs"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    whole = dict(zip(header, rows[1], strict=True))
    assert whole["Code"] == "PLDESS 2021-2026"
    assert whole["Événements tenus"] == 6
    assert whole["Taux d'absence (%)"] == 26.8
    assert whole["Cible : Événements tenus"] is None
    scope = [list(row) for row in workbook["Périmètre"].iter_rows(values_only=True)]
    assert scope == [
        ["Plan d'actions", "PLDESS 2021-2026 (2021–2026)"],
        ["Période", "Toute la durée du plan"],
        ["Commune", "Toutes les communes"],
    ]


def test_a_title_starting_like_a_formula_stays_text(viewer_client, dataset, plan):
    action = dataset["actions"]["O4.1.b"]
    action.title = '=HYPERLINK("http://evil.example","Cliquez")'
    action.save()

    rows = csv_rows(viewer_client.get(CSV, {"plan": plan.pk, "year": 2026}))
    assert by_code(rows)["O4.1.b"]["Intitulé"] == '\'=HYPERLINK("http://evil.example","Cliquez")'

    workbook = load_workbook(io.BytesIO(viewer_client.get(XLSX, {"plan": plan.pk, "year": 2026}).content))
    cell = next(row[2] for row in workbook["Indicateurs"].iter_rows() if row[1].value == "O4.1.b")
    assert cell.data_type == "s"  # a string, not a formula
    assert cell.value == '=HYPERLINK("http://evil.example","Cliquez")'


@pytest.mark.parametrize("text", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx"])
def test_neutralise_prefixes_what_a_spreadsheet_would_run(text):
    assert neutralise(text) == f"'{text}"


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("O3.1.a Élu·es : 2 = 1 + 1") == "O3.1.a Élu·es : 2 = 1 + 1"


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_an_admin_user_without_the_permission_gets_no_file(client, organiser, plan, url):
    client.force_login(organiser)

    response = client.get(url)

    assert response.status_code == 403
    assert "Content-Disposition" not in response
