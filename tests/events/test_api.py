"""The public events API, /api/v1/events: filters, Paris dates, French errors, schema, query counts."""

import datetime as dt
import json
import re

import pytest
from wagtail.models import PageViewRestriction, Site

from events.models import EventKind, EventStatus
from territory.models import PARIS, Venue, VenueKind

# Well before every event the fixtures create (10 December 2026 by default).
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
KINDS = [
    "thematic_breakfast",
    "itinerant_village",
    "elected_awareness",
    "youth_outreach",
]


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def paris(*args):
    return dt.datetime(*args, tzinfo=PARIS)


def get_events(client, **params):
    response = client.get("/api/v1/events", params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(payload):
    return [item["id"] for item in payload["items"]]


def errors(client, path="/api/v1/events", **params):
    response = client.get(path, params)
    return response.status_code, response.json()["detail"]


# The shape -------------------------------------------------------------------------------------------


def test_an_event_with_every_field(client, make_event, commune):
    hall = Venue.objects.create(
        commune=commune,
        name="Maison des associations",
        kind=VenueKind.HALL,
        address="12 rue de Paris, 59300 Valenciennes",
        latitude=50.3571,
        longitude=3.5253,
    )
    page = make_event(
        title="L'alimentation durable",
        start=paris(2026, 12, 10, 8, 30),
        venue=hall,
        capacity=30,
        summary="Un petit-déjeuner pour découvrir les circuits courts.",
    )

    payload = get_events(client)

    assert payload == {
        "count": 1,
        "items": [
            {
                "id": page.pk,
                "kind": "thematic_breakfast",
                "kind_label": "Petit-déjeuner thématique",
                "title": "L'alimentation durable",
                "start": "2026-12-10T08:30:00+01:00",
                "end": "2026-12-10T10:00:00+01:00",
                "commune": {"insee_code": "59606", "name": "Valenciennes"},
                "venue": {
                    "name": "Maison des associations",
                    "address": "12 rue de Paris, 59300 Valenciennes",
                    "latitude": 50.3571,
                    "longitude": 3.5253,
                },
                "status": "scheduled",
                "capacity": 30,
                "seats_left": 30,
                "summary": "Un petit-déjeuner pour découvrir les circuits courts.",
                "url": f"http://testserver/agenda/{page.slug}/",
            }
        ],
    }


def test_an_event_without_venue_or_limit(client, make_event):
    make_event(kind=EventKind.ITINERANT_VILLAGE)

    (item,) = get_events(client)["items"]

    assert item["venue"] is None
    assert item["capacity"] is None
    assert item["seats_left"] is None
    assert item["commune"] == {"insee_code": "59606", "name": "Valenciennes"}
    assert item["kind_label"] == "Village itinérant"


def test_events_come_in_start_order(client, make_event):
    late = make_event(start=paris(2027, 2, 1, 9, 0))
    early = make_event(start=paris(2026, 12, 1, 9, 0))
    middle = make_event(start=paris(2027, 1, 5, 9, 0))

    assert ids(get_events(client)) == [early.pk, middle.pk, late.pk]


def test_the_detail_shows_one_event(client, make_event):
    page = make_event(kind=EventKind.YOUTH_OUTREACH, start=paris(2027, 6, 3, 14, 0), hours=2)

    response = client.get(f"/api/v1/events/{page.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == page.pk
    assert body["kind"] == "youth_outreach"
    assert body["kind_label"] == "Sensibilisation des jeunes"
    # Summer time: the offset is +02:00.
    assert body["start"] == "2027-06-03T14:00:00+02:00"
    assert body["end"] == "2027-06-03T16:00:00+02:00"
    assert body["url"] == f"http://testserver/agenda/{page.slug}/"


# Which events are public -----------------------------------------------------------------------------


def test_without_dates_only_upcoming_and_ongoing_events_are_listed(client, make_event):
    make_event(start=NOW - dt.timedelta(days=3))
    ongoing = make_event(start=NOW - dt.timedelta(hours=1), hours=3)
    upcoming = make_event(start=NOW + dt.timedelta(days=3))

    assert ids(get_events(client)) == [ongoing.pk, upcoming.pk]


def test_draft_events_are_hidden(client, make_event):
    make_event(live=False)
    withdrawn = make_event()
    withdrawn.unpublish()

    assert get_events(client) == {"count": 0, "items": []}


def test_restricted_events_are_hidden_even_from_logged_in_people(client, make_event, outsider):
    page = make_event()
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    client.force_login(outsider)

    assert get_events(client)["count"] == 0
    assert client.get(f"/api/v1/events/{page.pk}").status_code == 404


def test_cancelled_events_stay_listed_with_their_status(client, make_event):
    cancelled = make_event(status=EventStatus.CANCELLED)
    postponed = make_event(status=EventStatus.POSTPONED, start=paris(2026, 12, 11, 8, 30))

    items = get_events(client)["items"]

    assert [(item["id"], item["status"]) for item in items] == [
        (cancelled.pk, "cancelled"),
        (postponed.pk, "postponed"),
    ]


@pytest.mark.parametrize("make_hidden", ["draft", "unpublished"])
def test_the_detail_of_a_non_live_event_is_not_found(client, make_event, make_hidden):
    page = make_event(live=False) if make_hidden == "draft" else make_event()
    if make_hidden == "unpublished":
        page.unpublish()

    status, detail = errors(client, f"/api/v1/events/{page.pk}")

    assert status == 404
    assert detail == [
        {
            "field": "event_id",
            "code": "event_not_found",
            "message": f"Aucun événement publié ne porte l'identifiant {page.pk}.",
        }
    ]


def test_the_detail_of_an_unknown_id_is_not_found(client, db):
    status, detail = errors(client, "/api/v1/events/424242")

    assert status == 404
    assert detail[0]["message"] == "Aucun événement publié ne porte l'identifiant 424242."


def test_the_detail_of_an_id_beyond_the_database_range_is_not_found(client, db):
    status, detail = errors(client, "/api/v1/events/99999999999999999999")

    assert status == 404
    assert detail[0]["code"] == "event_not_found"


def test_the_detail_of_a_non_numeric_id_is_refused(client, db):
    status, detail = errors(client, "/api/v1/events/petit-dejeuner")

    assert status == 400
    assert detail == [{"field": "event_id", "code": "int_parsing", "message": "Un nombre entier est attendu."}]


def test_a_page_that_is_not_an_event_is_not_found(client, agenda_page):
    assert client.get(f"/api/v1/events/{agenda_page.pk}").status_code == 404


# Filters ---------------------------------------------------------------------------------------------


@pytest.fixture
def one_of_each_kind(make_event):
    return {kind: make_event(kind=kind, start=paris(2026, 12, 10 + i, 9, 0)) for i, kind in enumerate(EventKind)}


@pytest.mark.parametrize("kind", KINDS)
def test_filter_by_kind(client, one_of_each_kind, kind):
    payload = get_events(client, kind=kind)

    assert ids(payload) == [one_of_each_kind[kind].pk]
    assert payload["items"][0]["kind"] == kind


def test_filter_by_commune(client, make_event, other_commune):
    make_event()
    in_anzin = make_event(commune=other_commune)

    payload = get_events(client, commune="59014")

    assert ids(payload) == [in_anzin.pk]
    assert payload["items"][0]["commune"] == {"insee_code": "59014", "name": "Anzin"}


def test_filter_by_commune_follows_the_venue(client, make_event, other_commune):
    market = Venue.objects.create(commune=other_commune, name="Marché d'Anzin", kind=VenueKind.MARKET)
    at_market = make_event(kind=EventKind.ITINERANT_VILLAGE, venue=market)
    make_event(kind=EventKind.ITINERANT_VILLAGE)

    assert ids(get_events(client, commune="59014")) == [at_market.pk]


def test_date_bounds_are_inclusive_and_include_past_events(client, make_event):
    before = make_event(start=paris(2026, 10, 31, 9, 0))
    first_day = make_event(start=paris(2026, 11, 1, 9, 0))
    last_day = make_event(start=paris(2026, 11, 30, 18, 0))
    make_event(start=paris(2026, 12, 1, 9, 0))

    assert ids(get_events(client, start="2026-11-01", end="2026-11-30")) == [first_day.pk, last_day.pk]
    assert ids(get_events(client, start="2026-10-31", end="2026-10-31")) == [before.pk]


def test_start_alone_lists_everything_from_that_day(client, make_event):
    make_event(start=paris(2026, 11, 1, 9, 0))
    past_but_after_start = make_event(start=paris(2026, 11, 10, 9, 0))
    upcoming = make_event(start=paris(2027, 1, 10, 9, 0))

    assert ids(get_events(client, start="2026-11-02")) == [past_but_after_start.pk, upcoming.pk]


def test_end_alone_lists_everything_until_that_day(client, make_event):
    past = make_event(start=paris(2025, 5, 1, 9, 0))
    until_end = make_event(start=paris(2026, 12, 10, 9, 0))
    make_event(start=paris(2026, 12, 11, 9, 0))

    assert ids(get_events(client, end="2026-12-10")) == [past.pk, until_end.pk]


def test_filters_combine(client, make_event, other_commune):
    wanted = make_event(kind=EventKind.ELECTED_AWARENESS, commune=other_commune, start=paris(2027, 3, 2, 18, 0))
    make_event(kind=EventKind.ELECTED_AWARENESS, commune=other_commune, start=paris(2027, 4, 2, 18, 0))
    make_event(kind=EventKind.ELECTED_AWARENESS, start=paris(2027, 3, 3, 18, 0))
    make_event(kind=EventKind.THEMATIC_BREAKFAST, commune=other_commune, start=paris(2027, 3, 4, 8, 30))

    payload = get_events(client, kind="elected_awareness", commune="59014", start="2027-03-01", end="2027-03-31")

    assert ids(payload) == [wanted.pk]
    assert payload["count"] == 1


def test_empty_filter_values_mean_no_filter(client, one_of_each_kind):
    payload = client.get("/api/v1/events?kind=&commune=&start=&end=").json()

    assert payload["count"] == 4


# Paris dates -----------------------------------------------------------------------------------------


def test_a_late_evening_event_belongs_to_its_paris_day(client, make_event):
    # 23:30 on 31 December in Paris is 22:30 UTC, still the 31st there too, but 00:30 on
    # 1 January in Paris is 23:30 UTC on the 31st: only the Paris date counts.
    new_years_eve = make_event(start=paris(2026, 12, 31, 23, 30))
    new_year = make_event(start=paris(2027, 1, 1, 0, 30))

    payload = get_events(client, start="2026-12-31", end="2026-12-31")

    assert ids(payload) == [new_years_eve.pk]
    assert payload["items"][0]["start"] == "2026-12-31T23:30:00+01:00"
    assert ids(get_events(client, start="2027-01-01", end="2027-01-01")) == [new_year.pk]


def test_dates_across_the_change_to_summer_time(client, make_event):
    # Summer time starts on 28 March 2027 at 02:00 in Paris: a winter evening is UTC+1, the
    # next evening UTC+2, and both belong to their own Paris day.
    winter_evening = make_event(start=paris(2027, 3, 27, 23, 30))
    summer_evening = make_event(start=paris(2027, 3, 28, 23, 30))

    one_day = get_events(client, start="2027-03-28", end="2027-03-28")
    both = get_events(client, start="2027-03-27", end="2027-03-28")

    assert ids(one_day) == [summer_evening.pk]
    assert [(item["id"], item["start"]) for item in both["items"]] == [
        (winter_evening.pk, "2027-03-27T23:30:00+01:00"),
        (summer_evening.pk, "2027-03-28T23:30:00+02:00"),
    ]


def test_an_event_across_the_change_to_winter_time_keeps_each_offset(client, make_event):
    # Summer time ends on 31 October 2027 at 03:00 in Paris: from 01:00 to 05:00 local is 5 hours.
    page = make_event(kind=EventKind.ITINERANT_VILLAGE, start=paris(2027, 10, 31, 1, 0), end=paris(2027, 10, 31, 5, 0))

    (item,) = get_events(client, start="2027-10-31", end="2027-10-31")["items"]

    assert item["id"] == page.pk
    assert item["start"] == "2027-10-31T01:00:00+02:00"
    assert item["end"] == "2027-10-31T05:00:00+01:00"


# Bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "code", "message"),
    [
        pytest.param(
            {"kind": "concert"},
            "kind",
            "unknown_kind",
            "Type d'événement inconnu : « concert ». Types possibles : thematic_breakfast, "
            "itinerant_village, elected_awareness, youth_outreach.",
            id="unknown-kind",
        ),
        pytest.param(
            {"commune": "596"},
            "commune",
            "invalid_commune",
            "Code commune mal formé : « 596 ». Indiquez le code INSEE à 5 caractères, par exemple 59606 "
            "pour Valenciennes.",
            id="short-commune-code",
        ),
        pytest.param(
            {"commune": "Valenciennes"},
            "commune",
            "invalid_commune",
            "Code commune mal formé : « Valenciennes ». Indiquez le code INSEE à 5 caractères, par exemple "
            "59606 pour Valenciennes.",
            id="commune-name-instead-of-code",
        ),
        pytest.param(
            {"commune": "５９６０６"},
            "commune",
            "invalid_commune",
            "Code commune mal formé : « ５９６０６ ». Indiquez le code INSEE à 5 caractères, par exemple "
            "59606 pour Valenciennes.",
            id="non-ascii-digits",
        ),
        pytest.param(
            {"commune": "75056"},
            "commune",
            "unknown_commune",
            "Aucune commune ne porte le code INSEE 75056.",
            id="commune-not-found",
        ),
        pytest.param(
            {"start": "10/12/2026"},
            "start",
            "invalid_date",
            "Date illisible : « 10/12/2026 ». Indiquez-la sous la forme AAAA-MM-JJ, par exemple 2026-12-10.",
            id="french-date",
        ),
        pytest.param(
            {"end": "2026-02-30"},
            "end",
            "invalid_date",
            "Date illisible : « 2026-02-30 ». Indiquez-la sous la forme AAAA-MM-JJ, par exemple 2026-12-10.",
            id="impossible-date",
        ),
        pytest.param(
            {"start": "2026-12-10T08:30"},
            "start",
            "invalid_date",
            "Date illisible : « 2026-12-10T08:30 ». Indiquez-la sous la forme AAAA-MM-JJ, par exemple 2026-12-10.",
            id="datetime-instead-of-date",
        ),
        pytest.param(
            {"start": "2026-12-10", "end": "2026-12-01"},
            "end",
            "end_before_start",
            "La date de fin (2026-12-01) précède la date de début (2026-12-10).",
            id="end-before-start",
        ),
        pytest.param(
            {"limit": "501"},
            "limit",
            "less_than_equal",
            "La valeur doit être inférieure ou égale à 500.",
            id="limit-above-500",
        ),
        pytest.param(
            {"limit": "0"},
            "limit",
            "greater_than_equal",
            "La valeur doit être supérieure ou égale à 1.",
            id="limit-zero",
        ),
        pytest.param(
            {"offset": "-1"},
            "offset",
            "greater_than_equal",
            "La valeur doit être supérieure ou égale à 0.",
            id="negative-offset",
        ),
        pytest.param(
            {"limit": "beaucoup"},
            "limit",
            "int_parsing",
            "Un nombre entier est attendu.",
            id="limit-not-a-number",
        ),
    ],
)
def test_bad_input_is_refused_in_french(client, commune, params, field, code, message):
    status, detail = errors(client, **params)

    assert status == 400
    assert detail == [{"field": field, "code": code, "message": message}]


def test_every_bad_parameter_is_reported_at_once(client, db):
    status, detail = errors(client, kind="concert", commune="abc", start="demain")

    assert status == 400
    assert [(item["field"], item["code"]) for item in detail] == [
        ("kind", "unknown_kind"),
        ("commune", "invalid_commune"),
        ("start", "invalid_date"),
    ]


def test_a_long_bad_value_is_quoted_shortened(client, db):
    status, detail = errors(client, kind="x" * 500)

    assert status == 400
    assert "« " + "x" * 39 + "… »" in detail[0]["message"]


# Pagination ------------------------------------------------------------------------------------------


def test_limit_and_offset_page_through_the_events(client, make_event):
    pages = [make_event(start=paris(2026, 12, day, 9, 0)) for day in range(1, 6)]

    payload = get_events(client, limit=2, offset=2)

    assert payload["count"] == 5
    assert ids(payload) == [pages[2].pk, pages[3].pk]


def test_an_offset_past_the_end_gives_an_empty_page(client, make_event):
    make_event()

    assert get_events(client, offset=10) == {"count": 1, "items": []}


# Constant query count --------------------------------------------------------------------------------

# count, page of events, view restrictions (for .public()), site root paths (once per request).
LIST_QUERIES = 4


@pytest.mark.parametrize("number", [3, 30])
def test_the_list_costs_the_same_queries_for_3_or_30_events(
    client, make_event, venue, other_commune, django_assert_num_queries, number
):
    for i in range(number):
        place = {"venue": venue} if i % 2 else {"commune": other_commune}
        make_event(kind=KINDS[i % 4], start=paris(2026, 12, 1, 9, 0) + dt.timedelta(days=i), **place)
    # Measured from a cold cache: the site root paths are then read from the database.
    Site.clear_site_root_paths_cache()

    with django_assert_num_queries(LIST_QUERIES):
        payload = get_events(client)

    assert payload["count"] == number
    assert all(item["url"].startswith("http://testserver/agenda/") for item in payload["items"])


@pytest.mark.parametrize("number", [3, 30])
def test_a_commune_filter_adds_one_query_whatever_the_number_of_events(
    client, make_event, django_assert_num_queries, number
):
    for i in range(number):
        make_event(start=paris(2026, 12, 1, 9, 0) + dt.timedelta(days=i))
    Site.clear_site_root_paths_cache()

    with django_assert_num_queries(LIST_QUERIES + 1):
        payload = get_events(client, commune="59606", kind="thematic_breakfast", start="2026-12-01")

    assert payload["count"] == number


def test_the_detail_costs_a_fixed_number_of_queries(client, make_event, venue, django_assert_num_queries):
    page = make_event(venue=venue)
    Site.clear_site_root_paths_cache()

    # view restrictions, the event with its venue and commune, site root paths.
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/events/{page.pk}")

    assert response.json()["venue"]["name"] == "Salle des fêtes"


# OpenAPI schema and docs -----------------------------------------------------------------------------


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def resolve(spec, schema):
    """Follow a $ref, and pick the non-null branch of an Optional."""
    if "anyOf" in schema:
        (schema,) = [branch for branch in schema["anyOf"] if branch.get("type") != "null"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_the_openapi_document_describes_the_events_list(openapi):
    operation = openapi["paths"]["/api/v1/events"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}

    assert openapi["openapi"].startswith("3.")
    assert {"kind", "commune", "start", "end", "limit", "offset"} <= set(parameters)
    assert all(p["in"] == "query" and not p["required"] for p in parameters.values())
    assert resolve(openapi, parameters["kind"]["schema"])["enum"] == KINDS
    assert resolve(openapi, parameters["start"]["schema"])["format"] == "date"
    assert resolve(openapi, parameters["end"]["schema"])["format"] == "date"
    assert parameters["limit"]["schema"]["default"] == 100
    assert parameters["limit"]["schema"]["maximum"] == 500


def test_the_openapi_document_describes_the_answers(openapi):
    operation = openapi["paths"]["/api/v1/events"]["get"]
    page = resolve(openapi, operation["responses"]["200"]["content"]["application/json"]["schema"])
    event = resolve(openapi, page["properties"]["items"]["items"])
    error = resolve(openapi, operation["responses"]["400"]["content"]["application/json"]["schema"])

    assert set(page["properties"]) == {"count", "items"}
    assert {
        "id",
        "kind",
        "kind_label",
        "title",
        "start",
        "end",
        "commune",
        "venue",
        "status",
        "capacity",
        "seats_left",
        "summary",
        "url",
    } <= set(event["properties"])
    assert resolve(openapi, event["properties"]["status"])["enum"] == ["scheduled", "postponed", "cancelled"]
    assert "detail" in error["properties"]
    assert "/api/v1/events/{event_id}" in openapi["paths"]
    # The error format is documented for people reading the schema.
    assert '"code": "unknown_kind"' in openapi["info"]["description"]
    assert "400" in openapi["info"]["description"]


def test_the_docs_page_loads_nothing_from_a_cdn(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(url.startswith("/static/") for url in urls), urls
    assert "cdn" not in html.lower()
    # Swagger UI would otherwise show a badge fetched from validator.swagger.io.
    assert '"validatorUrl": null' in html
    assert '"url": "/api/v1/openapi.json"' in html
