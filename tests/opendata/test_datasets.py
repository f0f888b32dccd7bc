"""opendata/datasets.py and schemas.py: the records of each dataset, their files and their schema."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from events.models import EventKind, EventStatus
from indicators.models import IndicatorTarget
from indicators.rollups import INDICATORS, Scope, compute
from opendata.datasets import (
    event_records,
    indicator_records,
    organisation_records,
    published_events,
    published_organisations,
    to_csv,
    to_json,
)
from opendata.schemas import DATASETS, EVENTS, INDICATOR_VALUES, ORGANISATIONS
from territory.models import PARIS, LegalForm, Organisation, Sector, Venue, VenueKind
from tests.indicators import test_rollups

pytestmark = pytest.mark.django_db

# The hand-computed roll-up dataset (today is 23 November 2026), shared as a fixture here.
dataset = test_rollups.dataset


@pytest.fixture(autouse=True)
def _no_cached_site_paths():
    # Wagtail caches the sites' root paths: another test's sites must not linger there.
    cache.clear()


def events_of(territory):
    return event_records(published_events(territory), url_for=lambda page: f"https://ess.example.org{page.url}")


def organisations_of(territory):
    return organisation_records(
        published_organisations(territory), url_for=lambda path: f"https://ess.example.org{path}"
    )


# What a record must look like, read from its schema only ------------------------------------------------------

JSON_TYPES = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "date": lambda value: isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value,
    "datetime": lambda value: isinstance(value, str) and dt.datetime.fromisoformat(value).tzinfo is not None,
    "list": lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value),
}


def schema_errors(table_schema: dict, records: list[dict]) -> list[str]:
    """Every way the records break their Table Schema: keys, types, required values, enums, primary key."""
    fields = table_schema["fields"]
    names = [f["name"] for f in fields]
    errors, keys = [], set()
    for n, record in enumerate(records):
        if list(record) != names:
            errors.append(f"record {n}: keys {list(record)}")
            continue
        for f in fields:
            value, constraints = record[f["name"]], f.get("constraints", {})
            if value is None:
                if constraints.get("required"):
                    errors.append(f"record {n}: {f['name']} missing")
                continue
            if not JSON_TYPES[f["type"]](value):
                errors.append(f"record {n}: {f['name']}={value!r} is no {f['type']}")
            if "enum" in constraints and value not in constraints["enum"]:
                errors.append(f"record {n}: {f['name']}={value!r} not in its enum")
        key = tuple(record[name] for name in table_schema["primaryKey"])
        if key in keys:
            errors.append(f"record {n}: primary key {key} repeated")
        keys.add(key)
    return errors


def parse_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


# Events -------------------------------------------------------------------------------------------------------


@pytest.fixture
def hall(commune):
    return Venue.objects.create(
        commune=commune,
        name="Salle Watteau",
        kind=VenueKind.HALL,
        address="2 place d'Armes",
        latitude=50.358,
        longitude=3.524,
    )


def test_an_event_record_says_what_its_page_says(plan, make_event, hall, territory):
    event = make_event(
        title="Manger local",
        venue=hall,
        start=dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS),
        capacity=30,
        contact_email="orga@example.org",
    )
    event.save_revision().publish()
    event.refresh_from_db()

    [record] = events_of(territory)

    assert record == {
        "id": event.pk,
        "kind": "thematic_breakfast",
        "kind_label": "Petit-déjeuner thématique",
        "title": "Manger local",
        "summary": "Un temps d'échange autour de l'ESS.",
        "start": "2026-12-10T08:30:00+01:00",
        "end": "2026-12-10T10:00:00+01:00",
        "start_date": "2026-12-10",
        "status": "scheduled",
        "status_label": "Programmé",
        "status_note": "",
        "commune_insee_code": "59606",
        "commune_name": "Valenciennes",
        "venue_name": "Salle Watteau",
        "venue_address": "2 place d'Armes",
        "latitude": 50.358,
        "longitude": 3.524,
        "coordinates_from": "venue",
        "capacity": 30,
        "plan_actions": ["O3.2.a"],
        "url": f"https://ess.example.org{event.url}",
        "last_modified": timezone.localtime(event.last_published_at, PARIS).isoformat(timespec="seconds"),
    }


def test_the_organiser_email_is_not_published(make_event, territory):
    make_event(contact_email="orga@example.org")

    assert "orga@example.org" not in json.dumps(events_of(territory))


def test_without_a_venue_the_coordinates_are_the_commune_centre(make_event, territory):
    make_event()

    [record] = events_of(territory)

    assert (record["latitude"], record["longitude"], record["coordinates_from"]) == (50.3579, 3.5233, "commune")
    assert (record["venue_name"], record["venue_address"]) == (None, None)


def test_a_summer_event_carries_the_summer_offset(make_event, territory):
    make_event(start=dt.datetime(2026, 7, 4, 23, 30, tzinfo=PARIS))

    [record] = events_of(territory)

    assert record["start"] == "2026-07-04T23:30:00+02:00"
    assert record["end"] == "2026-07-05T01:00:00+02:00"
    assert record["start_date"] == "2026-07-04"


def test_past_and_cancelled_events_stay_with_their_status(make_event, territory):
    past = make_event(start=dt.datetime(2024, 3, 1, 9, tzinfo=PARIS))
    cancelled = make_event(status=EventStatus.CANCELLED, status_note="Salle indisponible")

    records = {record["id"]: record for record in events_of(territory)}

    assert set(records) == {past.pk, cancelled.pk}
    assert records[cancelled.pk]["status"] == "cancelled"
    assert records[cancelled.pk]["status_label"] == "Annulé"
    assert records[cancelled.pk]["status_note"] == "Salle indisponible"


def test_drafts_unpublished_and_private_events_are_left_out(make_event, territory):
    shown = make_event()
    make_event(live=False)
    unpublished = make_event()
    unpublished.unpublish()
    private = make_event()
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")

    assert [record["id"] for record in events_of(territory)] == [shown.pk]


def test_another_territory_s_events_are_left_out(make_event, territory, second_commune, second_territory):
    ours = make_event()
    theirs = make_event(commune=second_commune)

    assert [record["id"] for record in events_of(territory)] == [ours.pk]
    assert [record["id"] for record in events_of(second_territory)] == [theirs.pk]


@pytest.mark.parametrize("count", [2, 20])
def test_events_cost_a_constant_number_of_queries(count, make_event, hall, plan, territory, django_assert_num_queries):
    for n in range(count):
        make_event(kind=list(EventKind)[n % 4], **({"venue": hall} if n % 2 else {}))

    # View restrictions, events, their plan actions, and the sites for the pages' URLs.
    with django_assert_num_queries(4):
        records = events_of(territory)

    assert len(records) == count


# Organisations ------------------------------------------------------------------------------------------------


def test_an_organisation_record_shows_what_its_directory_page_shows(organisation, territory):
    organisation.sectors.add(Sector.objects.create(name="Alimentation", slug="alimentation"))
    Organisation.objects.filter(pk=organisation.pk).update(
        address="12 rue de Paris",
        website="https://ressourcerie.example.org",
        contact_email="contact@ressourcerie.example.org",
        contact_phone="03 27 00 00 00",
    )
    organisation.refresh_from_db()

    [record] = organisations_of(territory)

    assert record == {
        "slug": "ressourcerie-du-hainaut",
        "name": "Ressourcerie du Hainaut",
        "legal_form": "association",
        "legal_form_label": "Association",
        "sectors": ["Alimentation", "Réemploi"],
        "commune_insee_code": "59606",
        "commune_name": "Valenciennes",
        "postcode": "59300",
        "address": "12 rue de Paris",
        "summary": "Collecte, répare et revend des objets du quotidien.",
        "website": "https://ressourcerie.example.org",
        "contact_email": "contact@ressourcerie.example.org",
        "contact_phone": "03 27 00 00 00",
        "is_example": False,
        "url": "https://ess.example.org/acteurs/ressourcerie-du-hainaut/",
        "last_modified": timezone.localtime(organisation.updated_at, PARIS).isoformat(timespec="seconds"),
    }


def test_the_contacts_accounts_are_not_published(organisation, territory, django_user_model):
    organisation.contacts.add(django_user_model.objects.create_user("lea", "lea.martin@example.org", "x"))

    assert "lea" not in json.dumps(organisations_of(territory))


def test_unpublished_and_other_territories_organisations_are_left_out(organisation, territory, second_commune):
    Organisation.objects.create(
        name="Brouillon", legal_form=LegalForm.MUTUAL, commune=organisation.commune, summary="…", is_published=False
    )
    Organisation.objects.create(name="Ailleurs", legal_form=LegalForm.MUTUAL, commune=second_commune, summary="…")

    assert [record["name"] for record in organisations_of(territory)] == ["Ressourcerie du Hainaut"]


def test_example_organisations_say_so(commune, territory):
    Organisation.objects.create(
        name="Coop fictive", legal_form=LegalForm.COOPERATIVE, commune=commune, summary="…", is_example=True
    )

    assert organisations_of(territory)[0]["is_example"] is True


@pytest.mark.parametrize("count", [2, 20])
def test_organisations_cost_a_constant_number_of_queries(count, commune, sector, territory, django_assert_num_queries):
    for n in range(count):
        Organisation.objects.create(
            name=f"Structure {n}", legal_form=LegalForm.ASSOCIATION, commune=commune, summary="…"
        ).sectors.add(sector)

    with django_assert_num_queries(2):  # organisations, their sectors
        records = organisations_of(territory)

    assert len(records) == count


# Indicators ---------------------------------------------------------------------------------------------------


def indicator_value(records, *, code, indicator, period):
    [record] = [r for r in records if (r["code"], r["indicator"], r["period"]) == (code, indicator, period)]
    return record


def test_indicator_records_hold_the_roll_up_figures_per_year_and_for_the_period(dataset, plan):
    records = indicator_records(plan)

    assert indicator_value(records, code="PLDESS 2021-2026", indicator="events_held", period="2026")["value"] == 5
    assert indicator_value(records, code="PLDESS 2021-2026", indicator="events_held", period="2025")["value"] == 1
    whole = indicator_value(records, code="PLDESS 2021-2026", indicator="events_held", period="période")
    assert (whole["value"], whole["year"], whole["level"], whole["parent_code"]) == (6, None, "plan", None)
    assert indicator_value(records, code="PLDESS 2021-2026", indicator="no_show_rate", period="2026")["value"] == 26.8


def test_an_action_row_names_its_objective(dataset, plan):
    record = indicator_value(indicator_records(plan), code="O3.1.b", indicator="events_held", period="2026")

    assert record == {
        "plan": "PLDESS 2021-2026",
        "level": "action",
        "level_label": "Action",
        "parent_code": "O3.1",
        "code": "O3.1.b",
        "title": "Village itinérant de l'ESS",
        "indicator": "events_held",
        "indicator_label": "Événements tenus",
        "unit": None,
        "period": "2026",
        "year": 2026,
        "value": 2,
        "target": None,
    }


def test_targets_come_with_their_period(dataset, plan):
    IndicatorTarget.objects.create(plan=plan, indicator="events_held", year=2026, value=4)
    IndicatorTarget.objects.create(plan=plan, indicator="participants", value="120.5")

    records = indicator_records(plan)

    assert indicator_value(records, code="PLDESS 2021-2026", indicator="events_held", period="2026")["target"] == 4
    assert indicator_value(records, code="PLDESS 2021-2026", indicator="events_held", period="2025")["target"] is None
    assert (
        indicator_value(records, code="PLDESS 2021-2026", indicator="participants", period="période")["target"] == 120.5
    )


def test_one_row_per_node_indicator_and_period(plan):
    records = indicator_records(plan)

    nodes = 1 + 2 + 3 + 5  # the plan, its orientations, objectives and actions (tests/conftest.py)
    periods = 6 + 1  # 2021 to 2026, and the whole period
    assert len(records) == nodes * len(INDICATORS) * periods
    assert schema_errors(INDICATOR_VALUES.table_schema(), records) == []


def test_indicators_cost_one_roll_up_per_period_whatever_the_data(dataset, plan, make_event):
    with CaptureQueriesContext(connection) as one_rollup:
        compute(Scope(plan, year=2026))
    for n in range(5):
        test_rollups.person(dataset["b1"], f"Extra{n}")
    make_event(EventKind.YOUTH_OUTREACH, start=dt.datetime(2026, 5, 5, 9, tzinfo=PARIS))

    with CaptureQueriesContext(connection) as all_periods:
        indicator_records(plan)

    assert len(all_periods.captured_queries) == 7 * len(one_rollup.captured_queries)


# Files --------------------------------------------------------------------------------------------------------


def test_the_csv_header_is_the_schema_s_field_names(organisation, territory):
    rows = parse_csv(to_csv(ORGANISATIONS, organisations_of(territory)))

    assert rows[0] == ORGANISATIONS.field_names == [f["name"] for f in ORGANISATIONS.table_schema()["fields"]]
    assert rows[1][:5] == [
        "ressourcerie-du-hainaut",
        "Ressourcerie du Hainaut",
        "association",
        "Association",
        "Réemploi",
    ]


def test_the_csv_is_utf8_without_bom_with_commas_and_decimal_points(make_event, territory):
    make_event(title="Économie, « solidaire »")

    body = to_csv(EVENTS, events_of(territory))

    assert not body.startswith(b"\xef\xbb\xbf")
    row = dict(zip(*parse_csv(body), strict=True))
    assert row["title"] == "Économie, « solidaire »"
    assert row["latitude"] == "50.3579"


def test_lists_are_joined_empty_values_are_blank_booleans_are_words(commune, territory):
    organisation = Organisation.objects.create(
        name="Coop", legal_form=LegalForm.COOPERATIVE, commune=commune, summary="…", is_example=True
    )
    organisation.sectors.add(
        Sector.objects.create(name="Insertion", slug="insertion"), Sector.objects.create(name="Culture", slug="culture")
    )

    row = dict(zip(*parse_csv(to_csv(ORGANISATIONS, organisations_of(territory))), strict=True))

    assert (row["sectors"], row["website"], row["is_example"]) == ("Culture|Insertion", "", "true")


def test_a_formula_is_neutralised_in_the_csv_and_intact_in_the_json(make_event, territory):
    make_event(title='=HYPERLINK("http://evil.example")', summary="+33 rendez-vous")
    records = events_of(territory)

    row = dict(zip(*parse_csv(to_csv(EVENTS, records)), strict=True))
    document = json.loads(to_json(EVENTS, records, metadata={}))

    assert row["title"] == '\'=HYPERLINK("http://evil.example")'
    assert row["summary"] == "'+33 rendez-vous"
    assert document["records"][0]["title"] == '=HYPERLINK("http://evil.example")'


def test_the_json_wraps_the_records_with_its_metadata(organisation, territory):
    document = json.loads(to_json(ORGANISATIONS, organisations_of(territory), metadata={"licence": {"id": "x"}}))

    assert list(document) == ["dataset", "title", "licence", "records"]
    assert document["dataset"] == "structures"
    assert document["records"][0]["name"] == "Ressourcerie du Hainaut"


def test_event_and_organisation_records_validate_against_their_schema(make_event, hall, organisation, territory):
    make_event(venue=hall, capacity=12)
    make_event(kind=EventKind.ITINERANT_VILLAGE, status=EventStatus.POSTPONED)

    assert schema_errors(EVENTS.table_schema(), events_of(territory)) == []
    assert schema_errors(ORGANISATIONS.table_schema(), organisations_of(territory)) == []


@pytest.mark.parametrize("slug", list(DATASETS))
def test_each_schema_is_a_table_schema_of_its_dataset(slug):
    dataset, schema = DATASETS[slug], DATASETS[slug].table_schema()

    assert [f["name"] for f in schema["fields"]] == dataset.field_names
    assert len(set(dataset.field_names)) == len(dataset.field_names)
    assert set(schema["primaryKey"]) <= set(dataset.field_names)
    for f in schema["fields"]:
        assert f["type"] in JSON_TYPES and f["title"] and f["description"], f["name"]
    assert json.loads(json.dumps(schema)) == schema
