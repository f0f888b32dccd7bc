"""GET /api/v1/indicators: the plan's tree with every indicator, filters, French errors, schema, queries.

The dataset is the hand-computed one of test_rollups.py (today is 23 November 2026).
"""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import EventKind
from indicators.models import ActionPlan, IndicatorTarget
from indicators.rollups import INDICATOR_KEYS
from territory.models import PARIS
from tests.indicators import test_rollups
from tests.indicators.test_rollups import person

pytestmark = pytest.mark.django_db

# The hand-computed dataset of the roll-up tests, shared as a fixture of this module.
dataset = test_rollups.dataset

PATH = "/api/v1/indicators"
PLAN = "PLDESS 2021-2026"


def get_indicators(client, **params):
    response = client.get(PATH, params)
    assert response.status_code == 200, response.content
    return response.json()


def errors(client, **params):
    response = client.get(PATH, params)
    return response.status_code, response.json()["detail"]


def by_code(node):
    return {child["code"]: child for child in node["children"]}


# The shape and the values ----------------------------------------------------------------------------------


def test_the_plan_and_the_scope(client, dataset, plan):
    payload = get_indicators(client, plan=PLAN, year=2026)

    assert payload["plan"] == {
        "id": plan.pk,
        "title": "Plan Local de Développement de l'ESS 2021-2026",
        "short_title": PLAN,
        "start_year": 2021,
        "end_year": 2026,
    }
    assert payload["scope"] == {
        "year": 2026,
        "first_day": "2026-01-01",
        "last_day": "2026-12-31",
        "commune": None,
        "commune_count": 2,
    }


def test_the_plan_values_in_2026(client, dataset):
    tree = get_indicators(client, plan=PLAN, year=2026)["tree"]

    assert (tree["level"], tree["code"]) == ("plan", PLAN)
    assert tree["values"] == {
        "events_held": 5,
        "registrations": 9,
        "participants": 30,
        "no_show_rate": 26.8,
        "unique_participants": 4,
        "elected_reached": 3,
        "elected_communes": 2,
        "young_reached": 24,
        "stand_visitors": 1,
        "communes_visited": 1,
        "stand_organisations": 2,
        "volunteers": 2,
        "volunteer_hours": 5.0,
        "matches_accepted": 0,
        "requests_received": 3,
        "requests_accepted": 1,
        "requests_declined": 1,
        "decision_days": 3.0,
    }
    assert tree["targets"] == {}


def test_the_tree_has_every_level_with_its_values(client, dataset):
    tree = get_indicators(client, plan=PLAN, year=2026)["tree"]

    orientations = by_code(tree)
    assert list(orientations) == ["O3", "O4"]
    objectives = by_code(orientations["O3"])
    assert list(objectives) == ["O3.1", "O3.2"]
    actions = by_code(objectives["O3.1"])
    assert list(actions) == ["O3.1.a", "O3.1.b"]
    assert {node["level"] for node in (orientations["O3"], objectives["O3.1"], actions["O3.1.a"])} == {
        "orientation",
        "objective",
        "action",
    }
    assert actions["O3.1.b"]["title"] == "Village itinérant de l'ESS"
    assert "children" not in actions["O3.1.b"]
    # E1 serves both actions of O3.1: once for each, once for their objective.
    assert actions["O3.1.a"]["values"]["events_held"] == 1
    assert actions["O3.1.b"]["values"]["events_held"] == 2
    assert objectives["O3.1"]["values"]["events_held"] == 2
    assert orientations["O4"]["values"]["young_reached"] == 24
    assert actions["O3.1.a"]["values"]["decision_days"] is None


def test_the_indicator_definitions(client, dataset):
    indicators = get_indicators(client, plan=PLAN, year=2026)["indicators"]

    assert [indicator["key"] for indicator in indicators] == INDICATOR_KEYS
    no_show = next(indicator for indicator in indicators if indicator["key"] == "no_show_rate")
    assert no_show == {
        "key": "no_show_rate",
        "label": "Taux d'absence",
        "unit": "%",
        "additive": False,
        "help": "Places confirmées non pointées, sur les places confirmées des événements tenus.",
    }


def test_the_whole_period_without_a_year(client, dataset):
    payload = get_indicators(client, plan=PLAN)

    assert payload["scope"]["year"] is None
    assert (payload["scope"]["first_day"], payload["scope"]["last_day"]) == ("2021-01-01", "2026-12-31")
    values = payload["tree"]["values"]
    assert (values["events_held"], values["stand_visitors"], values["communes_visited"]) == (6, 6, 2)


def test_the_year_filter(client, dataset):
    values = get_indicators(client, plan=PLAN, year=2025)["tree"]["values"]

    assert (values["events_held"], values["stand_visitors"], values["participants"]) == (1, 5, 0)


def test_the_commune_filter(client, dataset, other_commune):
    payload = get_indicators(client, plan=PLAN, year=2026, commune="59014")

    assert payload["scope"]["commune"] == {"insee_code": "59014", "name": "Anzin"}
    values = payload["tree"]["values"]
    assert (values["events_held"], values["unique_participants"], values["requests_received"]) == (1, 2, 0)


def test_the_plan_by_its_id(client, dataset, plan):
    payload = get_indicators(client, plan=plan.pk, year=2026)

    assert payload["plan"]["short_title"] == PLAN
    assert payload["tree"]["values"]["events_held"] == 5


def test_without_a_plan_the_plan_in_force_on_the_site(client, dataset, plan):
    payload = get_indicators(client, year=2026)

    assert payload["plan"]["id"] == plan.pk
    assert payload["tree"]["values"]["participants"] == 30


def test_targets_are_given_per_node(client, dataset, plan):
    action = dataset["actions"]["O3.2.a"]
    IndicatorTarget.objects.create(plan=plan, indicator="participants", action=action, year=2026, value=8)
    IndicatorTarget.objects.create(plan=plan, indicator="events_held", year=2026, value=10)

    tree = get_indicators(client, plan=PLAN, year=2026)["tree"]

    assert tree["targets"] == {"events_held": 10.0}
    rencontres = by_code(by_code(by_code(tree)["O3"])["O3.2"])["O3.2.a"]
    assert rencontres["targets"] == {"participants": 8.0}
    assert rencontres["values"]["participants"] == 4


def test_no_personal_data_in_the_answer(client, dataset):
    body = client.get(PATH, {"plan": PLAN}).content.decode()

    for name in ("Alice", "Bob", "Chloé", "Eve", "Frank", "Vol1", "Bénévole anonyme", "example.org", "Mairie"):
        assert name not in body, name


# Errors ---------------------------------------------------------------------------------------------------


def test_an_unknown_plan_is_404(client, dataset):
    status, detail = errors(client, plan="PCAET 2020")

    assert status == 404
    assert detail == [
        {
            "field": "plan",
            "code": "plan_not_found",
            "message": "Aucun plan d'actions ne porte le titre court ou l'identifiant « PCAET 2020 ».",
        }
    ]


def test_an_unknown_plan_id_is_404(client, dataset, plan):
    status, detail = errors(client, plan=str(plan.pk + 1000))

    assert status == 404
    assert detail[0]["code"] == "plan_not_found"


def test_no_plan_in_force_is_404(client, territory):
    status, detail = errors(client)

    assert status == 404
    assert detail == [
        {
            "field": "plan",
            "code": "plan_not_found",
            "message": "Aucun plan d'actions n'est en vigueur sur le territoire du site.",
        }
    ]


def test_a_year_outside_the_plan_is_refused(client, dataset):
    status, detail = errors(client, plan=PLAN, year=2019)

    assert status == 400
    assert detail == [
        {
            "field": "year",
            "code": "year_outside_plan",
            "message": "Le plan PLDESS 2021-2026 couvre les années 2021 à 2026 : 2019 n'en fait pas partie.",
        }
    ]


def test_a_malformed_year_is_refused(client, dataset):
    status, detail = errors(client, plan=PLAN, year="2026a")

    assert status == 400
    assert detail == [
        {
            "field": "year",
            "code": "invalid_year",
            "message": "Année illisible : « 2026a ». Indiquez une année à quatre chiffres, par exemple 2026.",
        }
    ]


def test_an_unknown_commune_is_refused(client, dataset):
    status, detail = errors(client, plan=PLAN, commune="75056")

    assert status == 400
    assert detail == [
        {
            "field": "commune",
            "code": "unknown_commune",
            "message": "Aucune commune du territoire du plan ne porte le code INSEE 75056.",
        }
    ]


def test_a_malformed_commune_is_refused(client, dataset):
    status, detail = errors(client, plan=PLAN, commune="Anzin")

    assert status == 400
    assert detail[0]["field"] == "commune"
    assert detail[0]["code"] == "invalid_commune"
    assert detail[0]["message"].startswith("Code commune mal formé : « Anzin ».")


def test_empty_parameters_mean_the_defaults(client, dataset):
    payload = get_indicators(client, plan="", year="", commune="")

    assert payload["plan"]["short_title"] == PLAN
    assert payload["scope"]["year"] is None
    assert payload["scope"]["commune"] is None


# The OpenAPI document --------------------------------------------------------------------------------------


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def resolve(spec, schema):
    """Follow a $ref, and pick the non-null branch of an Optional."""
    if "anyOf" in schema:
        (schema,) = [branch for branch in schema["anyOf"] if branch.get("type") != "null"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_the_openapi_document_describes_the_parameters(openapi):
    operation = openapi["paths"]["/api/v1/indicators"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}

    assert set(parameters) == {"plan", "year", "commune"}
    assert all(p["in"] == "query" and not p["required"] for p in parameters.values())
    assert resolve(openapi, parameters["year"]["schema"])["type"] == "integer"
    assert "INSEE" in parameters["commune"]["description"]


def test_the_openapi_document_describes_the_answer(openapi):
    operation = openapi["paths"]["/api/v1/indicators"]["get"]
    answer = resolve(openapi, operation["responses"]["200"]["content"]["application/json"]["schema"])
    tree = resolve(openapi, answer["properties"]["tree"])
    values = resolve(openapi, tree["properties"]["values"])
    orientation = resolve(openapi, tree["properties"]["children"]["items"])
    error = resolve(openapi, operation["responses"]["404"]["content"]["application/json"]["schema"])

    assert set(answer["properties"]) == {"plan", "scope", "tree", "indicators"}
    assert set(values["properties"]) == set(INDICATOR_KEYS)
    assert values["properties"]["no_show_rate"]["description"].startswith("Taux d'absence (%).")
    assert {"level", "id", "code", "title", "values", "targets", "children"} <= set(orientation["properties"])
    assert set(error["properties"]) == {"detail"}
    assert "400" in operation["responses"]


# Queries --------------------------------------------------------------------------------------------------


def test_a_constant_number_of_queries(client, dataset, make_event, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as first:
        get_indicators(client, plan=PLAN, year=2026)
    for n in range(5):
        person(dataset["b1"], f"Extra{n}")
    another = make_event(EventKind.YOUTH_OUTREACH, start=dt.datetime(2026, 5, 5, 9, tzinfo=PARIS))
    another.plan_actions = [dataset["actions"]["O4.1.a"]]
    another.save_revision().publish()
    person(another, "Classe de 5e C", email="prof3@example.org", is_group=True, seats=20)
    ActionPlan.objects.create(
        territory=dataset["b1"].commune.territory,
        title="Un autre plan",
        short_title="Autre",
        start_year=2027,
        end_year=2032,
    )

    with django_assert_max_num_queries(len(first.captured_queries)):
        values = get_indicators(client, plan=PLAN, year=2026)["tree"]["values"]

    assert (values["events_held"], values["participants"]) == (6, 55)
