"""The stand poster: an A4 PDF whose QR a phone reads into the self check-in page's address."""

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from django.contrib.auth.models import Group, Permission
from PIL import Image
from wagtail.models import GroupPagePermission, Site

from cms.models import SiteContact
from events.models import EventKind
from events.pdf.poster import poster_pdf
from territory.models import PARIS

START = dt.datetime(2026, 6, 13, 8, 0, tzinfo=PARIS)
CHECKIN_URL = "https://village.example.org/bienvenue/42/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _poppler():
    """PDFs are rendered by poppler-utils (pdftoppm, pdftotext, pdfinfo), as a printer would.

    Missing locally, the PDF tests are skipped; in CI (CI or REQUIRE_BROWSER set) it is a failure.
    """
    if shutil.which("pdftoppm") is None:
        reason = "poppler-utils is not installed (apt-get install poppler-utils)"
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def stop(make_event, market):
    return make_event(
        kind=EventKind.ITINERANT_VILLAGE, start=START, hours=5, title="Le village au marché", venue=market
    )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "poster.pdf"
    source.write_bytes(pdf)
    output = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True, text=True)  # noqa: S603, S607
    return " ".join(output.stdout.split())


def decoded_qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """Render the page at 100 dpi, as a phone's camera would see a print, and read it."""
    source = tmp_path / "poster.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(source), str(tmp_path / "page")], check=True)  # noqa: S603, S607
    [png] = sorted(tmp_path.glob("page*.png"))
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(png))]


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    source = tmp_path / "poster.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607
    return dict((part.strip() for part in line.split(":", 1)) for line in info.splitlines() if ":" in line)


# The PDF ----------------------------------------------------------------------------------------


def test_the_poster_qr_decodes_into_the_self_check_in_address(stop, tmp_path):
    pdf = poster_pdf(stop, CHECKIN_URL)

    assert decoded_qr_codes(pdf, tmp_path) == [CHECKIN_URL]


def test_the_poster_is_one_a4_page(stop, tmp_path):
    pdf = poster_pdf(stop, CHECKIN_URL)

    info = pdf_info(pdf, tmp_path)
    assert info["Pages"] == "1"
    assert info["Page size"] == "595.276 x 841.89 pts (A4)"
    assert info["Title"] == "Affiche : Le village au marché"


def test_the_poster_welcomes_names_the_event_and_says_what_to_do(stop, tmp_path):
    text = pdf_text(poster_pdf(stop, CHECKIN_URL, organisation="Valenciennes Métropole", team="Service ESS"), tmp_path)

    assert "Bienvenue au Village de l'ESS" in text
    assert "Le village au marché" in text
    assert "samedi 13 juin 2026, 8 h 00 – 13 h 00" in text
    assert "Marché de la place d'Armes, Valenciennes" in text
    assert "Scannez pour nous dire que vous êtes passé·e — c'est anonyme" in text
    assert f"Sans appareil photo : {CHECKIN_URL}" in text
    assert "Une démarche de Valenciennes Métropole · Service ESS" in text
    assert "ni adresse IP" in text


def test_a_very_long_title_is_shortened_rather_than_running_into_the_qr(make_event, tmp_path):
    long_title = "Le mini-village de l'économie sociale et solidaire " * 6
    event = make_event(kind=EventKind.ITINERANT_VILLAGE, start=START, title=long_title[:255])

    pdf = poster_pdf(event, CHECKIN_URL)

    assert "…" in pdf_text(pdf, tmp_path)
    assert decoded_qr_codes(pdf, tmp_path) == [CHECKIN_URL]


# The view -----------------------------------------------------------------------------------------


def poster_url(event):
    return f"/bienvenue/{event.pk}/affiche.pdf"


@pytest.fixture
def checkin_staff(django_user_model):
    user = django_user_model.objects.create_user("benevole", "benevole@example.org", "secret-pass-2")
    user.groups.add(Group.objects.get(name="Équipe de pointage"))
    return user


@pytest.fixture
def page_editor(django_user_model, agenda_page):
    """An organiser who may edit the agenda's events in the admin, without the check-in permission."""
    user = django_user_model.objects.create_user("redactrice", "redac@example.org", "secret-pass-4")
    group = Group.objects.create(name="Rédaction de l'agenda")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group, page=agenda_page, permission=Permission.objects.get(codename="change_page")
    )
    user.groups.add(group)
    return user


def test_check_in_staff_download_the_poster_of_the_event(client, stop, checkin_staff, tmp_path):
    SiteContact.objects.create(
        site=Site.objects.get(is_default_site=True), organisation_name="Valenciennes Métropole", team_name="Service ESS"
    )
    client.force_login(checkin_staff)

    response = client.get(poster_url(stop))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="affiche-village-{stop.pk}.pdf"'
    # settings.SITE_URL is http://testserver in the tests.
    assert decoded_qr_codes(response.content, tmp_path) == [f"http://testserver/bienvenue/{stop.pk}/"]
    assert "Une démarche de Valenciennes Métropole · Service ESS" in pdf_text(response.content, tmp_path)


def test_organisers_who_edit_the_event_download_the_poster(client, stop, page_editor):
    client.force_login(page_editor)

    assert client.get(poster_url(stop)).status_code == 200


def test_members_of_the_organisers_group_download_the_poster(client, stop, organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)

    assert client.get(poster_url(stop)).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, stop):
    response = client.get(poster_url(stop))

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next=/bienvenue/{stop.pk}/affiche.pdf"


def test_outsiders_do_not_find_the_poster(client, stop, outsider):
    client.force_login(outsider)

    assert client.get(poster_url(stop)).status_code == 404


def test_an_organiser_without_rights_on_the_event_does_not_find_the_poster(client, stop, organiser):
    # Admin access alone does not make someone an organiser of this event.
    client.force_login(organiser)

    assert client.get(poster_url(stop)).status_code == 404


def test_the_poster_of_an_unknown_event_is_not_found(client, home_page, checkin_staff):
    client.force_login(checkin_staff)

    assert client.get("/bienvenue/999999/affiche.pdf").status_code == 404
