"""/pointage/: who gets in, what the pages hold, the service worker, the attendance sheet PDF."""

import datetime as dt
import json
import re
import subprocess

import pytest
from django.contrib.auth.models import Group

from events.models import EventKind, RegistrationStatus
from events.pdf.attendance import attendance_sheet_pdf
from territory.models import PARIS
from tests.events.checkin_fixtures import *  # noqa: F403
from tests.events.checkin_fixtures import EVENT_START
from tests.html import visible_text

pytestmark = pytest.mark.usefixtures("door_open")


def pdf_text(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "sheet.pdf"
    source.write_bytes(pdf)
    # -layout keeps each table row on one line, as a person reads it.
    output = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(source), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    return output.stdout


# Who gets in -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/pointage/", "/pointage/{event}/", "/pointage/{event}/emargement.pdf"])
def test_anonymous_people_are_sent_to_the_login_and_back(client, event, path):
    url = path.format(event=event.pk)

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/admin/login/?next={url}")


@pytest.mark.parametrize("path", ["/pointage/", "/pointage/{event}/", "/pointage/{event}/emargement.pdf"])
def test_people_without_the_permission_get_a_french_403(client, outsider, event, ticket, path):
    client.force_login(outsider)

    response = client.get(path.format(event=event.pk))

    assert response.status_code == 403
    text = visible_text(response)
    assert "Accès réservé à l'équipe de pointage" in text
    assert "Le compte « charlie » n'a pas le droit de pointer les participant·e·s." in text
    assert "Hélène" not in response.content.decode()


def test_organisers_get_in(client, organiser, event):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)

    assert client.get(f"/pointage/{event.pk}/").status_code == 200


def test_an_unknown_event_is_a_404(client, checkin_staff):
    client.force_login(checkin_staff)

    assert client.get("/pointage/999999/").status_code == 404


# The list of events -----------------------------------------------------------------------------------------


def test_today_first_then_upcoming_then_the_last_days(client, checkin_staff, make_event, make_ticket):
    upcoming = make_event(title="Petit-déjeuner de janvier", start=dt.datetime(2027, 1, 14, 8, 30, tzinfo=PARIS))
    today = make_event(title="Petit-déjeuner du jour", start=EVENT_START)
    make_ticket(today)
    make_ticket(today, status=RegistrationStatus.WAITLISTED)
    recent = make_event(title="Sensibilisation de lundi", start=dt.datetime(2026, 12, 7, 18, 0, tzinfo=PARIS))
    make_event(title="Trop ancien", start=dt.datetime(2026, 11, 20, 18, 0, tzinfo=PARIS))
    client.force_login(checkin_staff)

    response = client.get("/pointage/")

    text = visible_text(response)
    assert re.search(
        r"Aujourd'hui Petit-déjeuner du jour .* 1 inscrit·e .*À venir Petit-déjeuner de janvier .*"
        r"Ces derniers jours Sensibilisation de lundi",
        text,
    ), text
    assert "Trop ancien" not in text
    html = response.content.decode()
    for page in (today, upcoming, recent):
        assert f'href="/pointage/{page.pk}/"' in html
    assert f'href="/pointage/{today.pk}/emargement.pdf"' in html
    assert f'href="/bienvenue/{today.pk}/affiche.pdf"' in html


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_takes_constant_queries(client, checkin_staff, make_event, django_assert_num_queries, size):
    for day in range(size):
        make_event(start=EVENT_START + dt.timedelta(days=day))
    client.force_login(checkin_staff)

    # session, user, permissions (user, groups), the user's territories (count, team), current
    # events, recent events.
    with django_assert_num_queries(8):
        response = client.get("/pointage/")

    assert response.status_code == 200


# The app page -----------------------------------------------------------------------------------------


def test_the_app_page_ships_its_configuration_as_data(client, checkin_staff, event, ticket):
    client.force_login(checkin_staff)

    response = client.get(f"/pointage/{event.pk}/")

    html = response.content.decode()
    config = json.loads(re.search(r'<script id="checkin-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["event"] == event.pk
    assert config["api"] == "/api/v1"
    assert config["user"] == "Camille"
    assert config["counts"] == {"present": 0, "registered": 1, "present_seats": 0, "registered_seats": 1, "tally": 0}
    assert config["serviceWorker"] == "/pointage/sw.js"
    assert f"/pointage/{event.pk}/" in config["precache"]
    assert config["decoder"] == "/static/js/vendor/jsQR.js"
    assert config["messages"]["accepted"] == "Présent·e"
    text = visible_text(response)
    assert event.title in text
    assert "0 / 1 présent·e·s / inscrit·e·s" in text
    assert "Scanner un billet" in text
    assert "Chercher par nom" in text
    assert "Passant·e·s (sans billet)" in text


def test_the_app_page_has_no_inline_script_and_no_cdn(client, checkin_staff, event):
    client.force_login(checkin_staff)

    html = client.get(f"/pointage/{event.pk}/").content.decode()

    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r'(src|href)="(https?:)?//', html), "a resource from another site"


def test_the_app_page_says_when_the_door_opens(client, checkin_staff, make_event):
    later = make_event(start=dt.datetime(2026, 12, 17, 8, 30, tzinfo=PARIS))
    client.force_login(checkin_staff)

    text = visible_text(client.get(f"/pointage/{later.pk}/"))

    assert "Le pointage ouvre le 17/12 à 6 h 30, deux heures avant le début." in text


def test_the_service_worker_is_served_under_pointage(client, db):
    response = client.get("/pointage/sw.js")

    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Cache-Control"] == "no-cache"
    assert 'addEventListener("fetch"' in body


def test_the_vendored_decoder_is_there_with_its_licence(settings):
    vendor = settings.BASE_DIR / "static" / "js" / "vendor"

    assert "jsQR" in (vendor / "jsQR.js").read_text()[:1000]
    assert "Apache License" in (vendor / "jsQR.LICENSE").read_text()
    assert "jsqr" in (vendor / "VENDORED.md").read_text()


# The attendance sheet ---------------------------------------------------------------------------------------


@pytest.fixture
def elected_session(make_event, make_ticket, commune, other_commune):
    session = make_event(
        kind=EventKind.ELECTED_AWARENESS,
        title="L'ESS, une chance pour nos communes",
        start=dt.datetime(2026, 12, 10, 18, 0, tzinfo=PARIS),
        hours=2,
        commune=other_commune,
    )
    make_ticket(
        session,
        name="Martine Lefebvre",
        category="elected",
        mandate="Adjointe au maire",
        mandate_commune=other_commune,
        organisation_name="Mairie d'Anzin",
    )
    make_ticket(
        session, name="Jean Dubois", category="elected", mandate="Conseiller municipal", mandate_commune=commune
    )
    make_ticket(session, name="Paul Annulé", status=RegistrationStatus.CANCELLED)
    return session


def test_the_attendance_sheet_lists_confirmed_people_with_a_box_to_sign(
    client, checkin_staff, elected_session, tmp_path
):
    client.force_login(checkin_staff)

    response = client.get(f"/pointage/{elected_session.pk}/emargement.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "Feuille d'émargement" in text
    assert "L'ESS, une chance pour nos communes" in text
    assert "jeudi 10 décembre 2026, 18 h 00 – 20 h 00" in text
    assert "Lieu : Anzin" in text
    assert re.search(r"N°\s+Nom et prénom\s+Structure\s+Mandat\s+Commune\s+Signature", text)
    assert re.search(r"1\s+Jean Dubois\s+Conseiller municipal\s+Valenciennes", text)
    assert re.search(r"2\s+Martine Lefebvre\s+Mairie d'Anzin\s+Adjointe au maire\s+Anzin", text)
    assert "Paul Annulé" not in text
    assert "Page 1 / 1" in text


def test_a_long_sheet_numbers_its_pages(elected_session, make_ticket, tmp_path):
    for n in range(60):
        make_ticket(elected_session, name=f"Élu·e n° {n:02d}")
    registrations = elected_session.registrations.confirmed().order_by("name")

    text = pdf_text(attendance_sheet_pdf(elected_session, registrations), tmp_path)

    pages = text.split("\f")
    assert "Page 1 / 4" in pages[0]
    assert "Page 4 / 4" in pages[3]
    # Every page repeats the table's header and tells which event it belongs to.
    assert all("Nom et prénom" in page for page in pages[:4])
    assert "Feuille d'émargement · L'ESS, une chance pour nos communes" in pages[2]
    assert "Élu·e n° 59" in text


def test_a_group_shows_its_headcount_and_teacher(make_event, make_ticket, tmp_path):
    youth = make_event(kind=EventKind.YOUTH_OUTREACH, start=EVENT_START)
    make_ticket(
        youth,
        name="Lycée Watteau, 2nde B",
        category="young_person",
        is_group=True,
        seats=24,
        teacher_name="Mme Carpentier",
    )

    text = pdf_text(attendance_sheet_pdf(youth, youth.registrations.all()), tmp_path)

    # A long name wraps in its cell: read it as a person does, line by line.
    assert "Lycée Watteau, 2nde B" in text
    assert "(groupe de 24)" in text
    assert "Mme Carpentier" in text


def test_names_with_markup_characters_stay_text(make_event, make_ticket, tmp_path):
    session = make_event(start=EVENT_START)
    make_ticket(session, name="Dupont & <Fils>")

    text = pdf_text(attendance_sheet_pdf(session, session.registrations.all()), tmp_path)

    assert "Dupont & <Fils>" in text


def test_at_a_village_stop_the_tally_comes_first(client, checkin_staff, make_event):
    stop = make_event(kind=EventKind.ITINERANT_VILLAGE, start=EVENT_START, hours=5)
    client.force_login(checkin_staff)

    html = client.get(f"/pointage/{stop.pk}/").content.decode()

    assert 'class="checkin checkin--tally-first"' in html
