"""/donnees-ouvertes/: the page, the files (CSV, JSON), their schemas, per territory."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import AgendaPage, EventKind, ThematicBreakfastPage
from territory.models import PARIS, LegalForm, Organisation
from territory.sites import set_up_territory_site
from tests.html import visible_text
from tests.indicators import test_rollups
from tests.opendata.test_datasets import schema_errors

pytestmark = pytest.mark.django_db

URL = "/donnees-ouvertes/"
SAMBRE_HOST = "sambre-avesnois.localhost"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

dataset = test_rollups.dataset


@pytest.fixture(autouse=True)
def _no_cached_site_paths():
    cache.clear()


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


# The page -----------------------------------------------------------------------------------------------------


def test_the_page_lists_the_datasets_with_their_files(client, home_page, territory):
    response = client.get(URL)
    text = visible_text(response)

    assert response.status_code == 200
    assert "Événements publics" in text and "Structures de l'ESS de l'annuaire" in text
    assert "Indicateurs du plan d'actions" in text
    for name in ("evenements", "structures", "indicateurs"):
        for extension in ("csv", "json", "schema.json"):
            assert f'href="/donnees-ouvertes/{name}.{extension}"' in response.content.decode()
            assert f"{name}.{extension}" in text


def test_the_page_describes_each_field_from_the_schema(client, home_page, territory):
    text = visible_text(client.get(URL))

    assert "Code INSEE de la commune commune_insee_code · texte Code officiel géographique, 5 caractères." in text
    assert "Début start · date et heure ISO 8601 avec décalage horaire · toujours renseigné" in text
    assert "Valeurs : thematic_breakfast, itinerant_village, elected_awareness, youth_outreach" in text


def test_the_page_gives_the_licence_and_the_attribution(client, home_page, territory):
    response = client.get(URL)
    text = visible_text(response)

    assert f'<a href="{LICENCE_URL}">Licence Ouverte / Open Licence version 2.0</a>' in response.content.decode()
    assert "Ces données sont publiées par Valenciennes Métropole" in text
    assert (
        "Mention à faire figurer : « Valenciennes Métropole, Le Village de l'ESS (http://testserver/donnees-ouvertes/)"
        in text
    )
    assert "INSEE" in text and "DGCL" in text and "La Poste" in text


def test_the_page_has_one_h1_and_headings_in_order(client, home_page, territory):
    html = client.get(URL).content.decode()
    main = html.split('<main id="contenu"', 1)[1].split("</main>", 1)[0]
    levels = [int(level) for level in re.findall(r"<h([1-6])", main)]

    assert levels.count(1) == 1 and levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


def test_the_page_names_the_plan_in_force(client, home_page, plan):
    text = visible_text(client.get(URL))

    assert "Le plan en vigueur : Plan Local de Développement de l'ESS 2021-2026, de 2021 à 2026." in text


def test_the_footer_links_to_the_page(client, home_page, territory):
    assert '<a href="/donnees-ouvertes/">Les données ouvertes</a>' in client.get("/acteurs/").content.decode()


# The files ----------------------------------------------------------------------------------------------------


def test_the_events_csv_is_a_download_with_its_schema_s_header(client, make_event, territory):
    event = make_event(title="Manger local")

    response = client.get(URL + "evenements.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="evenements-valenciennes-metropole.csv"'
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert '<http://testserver/donnees-ouvertes/evenements.schema.json>; rel="describedby"' in response["Link"]
    [row] = rows(response)
    assert (row["id"], row["title"], row["commune_name"]) == (str(event.pk), "Manger local", "Valenciennes")
    assert row["url"] == f"http://testserver{event.url}"


def test_the_json_carries_the_licence_its_schema_and_valid_records(client, make_event, organisation, territory):
    make_event()

    document = json.loads(client.get(URL + "evenements.json").content)

    assert document["dataset"] == "evenements"
    assert document["licence"]["name"] == "Licence Ouverte / Open Licence version 2.0"
    assert document["licence"]["url"] == LICENCE_URL
    assert document["licence"]["attribution"].startswith(
        "Valenciennes Métropole, Le Village de l'ESS (http://testserver/donnees-ouvertes/), données mises à jour le"
    )
    assert document["schema"] == "http://testserver/donnees-ouvertes/evenements.schema.json"
    assert document["territory"] == {"name": "Valenciennes Métropole", "siren": "245901160"}
    schema = json.loads(client.get(document["schema"]).content)
    assert schema_errors(schema, document["records"]) == []
    assert len(document["records"]) == 1


def test_the_organisations_json_validates_against_its_schema(client, organisation, territory):
    document = json.loads(client.get(URL + "structures.json").content)
    schema = json.loads(client.get(URL + "structures.schema.json").content)

    assert [record["name"] for record in document["records"]] == ["Ressourcerie du Hainaut"]
    assert schema_errors(schema, document["records"]) == []


def test_the_indicators_csv_holds_the_public_figures(client, home_page, dataset, plan):
    figures = {(row["code"], row["indicator"], row["period"]): row for row in rows(client.get(URL + "indicateurs.csv"))}

    assert figures[("PLDESS 2021-2026", "events_held", "2026")]["value"] == "5"
    assert figures[("PLDESS 2021-2026", "no_show_rate", "2026")]["value"] == "26.8"
    assert figures[("PLDESS 2021-2026", "events_held", "période")]["year"] == ""
    # Totals only: none of the people counted appears.
    body = client.get(URL + "indicateurs.json").content.decode()
    assert "Alice" not in body and "@example.org" not in body


def test_without_a_plan_the_indicators_file_has_its_header_only(client, home_page, territory):
    response = client.get(URL + "indicateurs.csv")

    assert response.content.decode().splitlines() == [
        "plan,level,level_label,parent_code,code,title,indicator,indicator_label,unit,period,year,value,target"
    ]


def test_the_schema_is_a_table_schema(client, territory):
    response = client.get(URL + "structures.schema.json")
    schema = json.loads(response.content)

    assert response["Content-Type"] == "application/json"
    assert schema["$schema"] == "https://datapackage.org/profiles/2.0/tableschema.json"
    assert schema["primaryKey"] == ["slug"]
    assert {"name": "contact_email", "type": "string", "format": "email"}.items() <= schema["fields"][11].items()


@pytest.mark.parametrize(
    "path", ["inconnu.csv", "evenements.xlsx", "inconnu.schema.json", "evenements.csv.json", "../evenements.csv"]
)
def test_unknown_files_are_not_found(client, territory, path):
    response = client.get(URL + path)

    assert response.status_code == 404


def test_an_unknown_dataset_is_answered_in_french(client, territory):
    response = client.get(URL + "inconnu.json")

    assert response.status_code == 404
    assert "Page introuvable" in visible_text(response)


def test_a_post_is_refused(client, territory):
    assert client.post(URL + "evenements.csv").status_code == 405


# Conditional requests -----------------------------------------------------------------------------------------


def test_an_unchanged_file_answers_304(client, make_event, territory):
    make_event()
    first = client.get(URL + "evenements.json")

    again = client.get(URL + "evenements.json", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["ETag"].startswith('W/"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["Cache-Control"] == "public, max-age=3600"


def test_a_changed_file_answers_200_with_a_new_etag(client, make_event, territory):
    make_event()
    first = client.get(URL + "evenements.csv")
    make_event(title="Un de plus")

    again = client.get(URL + "evenements.csv", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert [row["title"] for row in rows(again)][-1] == "Un de plus"


def test_the_csv_and_the_json_have_different_etags(client, make_event, territory):
    make_event()

    assert client.get(URL + "evenements.csv")["ETag"] != client.get(URL + "evenements.json")["ETag"]


# Each site its territory --------------------------------------------------------------------------------------


def add_breakfast(agenda, commune, title):
    start = dt.datetime(2026, 12, 12, 8, 30, tzinfo=PARIS)
    return agenda.add_child(
        instance=ThematicBreakfastPage(
            title=title,
            slug="petit-dejeuner",
            start=start,
            end=start + dt.timedelta(hours=2),
            summary="Autour du réemploi.",
            theme="Réemploi",
            commune=commune,
        )
    )


@pytest.fixture
def sambre_site(home_page, territory, second_territory, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SAMBRE_HOST]
    return set_up_territory_site(second_territory, hostname=SAMBRE_HOST)


def test_another_territory_s_site_gets_its_own_events(client, sambre_site, make_event, second_commune):
    make_event(title="À Valenciennes")
    add_breakfast(AgendaPage.objects.child_of(sambre_site.root_page).get(), second_commune, "À Maubeuge")

    ours = rows(client.get(URL + "evenements.csv"))
    theirs = client.get(URL + "evenements.csv", HTTP_HOST=SAMBRE_HOST)

    assert [row["title"] for row in ours] == ["À Valenciennes"]
    assert [row["title"] for row in rows(theirs)] == ["À Maubeuge"]
    assert rows(theirs)[0]["url"].startswith(f"http://{SAMBRE_HOST}/")
    assert theirs["Content-Disposition"] == 'attachment; filename="evenements-sambre-avesnois.csv"'


def test_another_territory_s_site_gets_its_own_organisations_and_licence(
    client, sambre_site, organisation, second_commune
):
    Organisation.objects.create(
        name="Régie de Maubeuge", legal_form=LegalForm.ASSOCIATION, commune=second_commune, summary="…"
    )

    document = json.loads(client.get(URL + "structures.json", HTTP_HOST=SAMBRE_HOST).content)

    assert [record["name"] for record in document["records"]] == ["Régie de Maubeuge"]
    assert document["licence"]["producer"] == "Sambre-Avesnois"


def test_another_territory_s_page_names_its_producer(client, sambre_site):
    text = visible_text(client.get(URL, HTTP_HOST=SAMBRE_HOST))

    assert "Ces données sont publiées par Sambre-Avesnois" in text


# Query counts -------------------------------------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("path", ["evenements.csv", "evenements.json"])
def test_events_files_cost_the_same_queries_for_2_and_20_events(
    client, make_event, plan, path, django_assert_num_queries
):
    for n in range(2):
        make_event(kind=list(EventKind)[n % 4])
    client.get(URL + path)  # Wagtail caches the sites' root paths on the first request.
    with_two = _queries(client, URL + path)
    for n in range(18):
        make_event(kind=list(EventKind)[n % 4])

    with django_assert_num_queries(with_two):
        response = client.get(URL + path)

    assert response.content.count(b"Un temps d'\xc3\xa9change") == 20


@pytest.mark.parametrize("path", ["structures.csv", "structures.json"])
def test_organisations_files_cost_the_same_queries_for_2_and_20(
    client, commune, sector, path, django_assert_num_queries
):
    def add(count, start):
        for n in range(start, start + count):
            Organisation.objects.create(
                name=f"Structure {n}", legal_form=LegalForm.ASSOCIATION, commune=commune, summary="Solidaire."
            ).sectors.add(sector)

    add(2, 0)
    with_two = _queries(client, URL + path)
    add(18, 2)

    with django_assert_num_queries(with_two):
        response = client.get(URL + path)

    assert response.content.count(b"Solidaire.") == 20
