"""The volunteers' badges of an event (volunteers/pdf.py), read back as a printer and a phone would:
poppler renders the pages, zxing-cpp reads the QR codes."""

import datetime as dt
import os
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.contrib.auth.models import Permission
from django.urls import reverse
from PIL import Image

from events.models import EventKind
from territory.models import PARIS
from tests.html import visible_text
from volunteers.models import Shift, ShiftRole, ShiftSignup, ShiftSignupStatus
from volunteers.pdf import PER_PAGE, badge_url, badges_pdf
from volunteers.presence import badge_path

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def poppler():
    """Missing locally, these tests are skipped; in CI (CI or REQUIRE_BROWSER set) it is a failure."""
    if shutil.which("pdftoppm") is None:
        reason = "poppler-utils is not installed (apt-get install poppler-utils)"
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def stop(make_event):
    return make_event(
        EventKind.ITINERANT_VILLAGE, start=START - dt.timedelta(hours=1), hours=6, title="Village au marché"
    )


@pytest.fixture
def shift(stop):
    return Shift.objects.create(
        event=stop,
        role=ShiftRole.WELCOME,
        label="Accueil des visiteurs",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
        capacity=20,
    )


def add_volunteers(shift, count, status=ShiftSignupStatus.CONFIRMED):
    return [
        ShiftSignup.objects.create(shift=shift, name=f"Bénévole n° {n}", email=f"b{n}@example.org", status=status)
        for n in range(1, count + 1)
    ]


def confirmed(stop):
    return (
        ShiftSignup.objects.filter(shift__event=stop, status=ShiftSignupStatus.CONFIRMED)
        .select_related("shift")
        .order_by("pk")
    )


def pdf_text(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "badges.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607


def page_count(pdf: bytes, tmp_path) -> int:
    source = tmp_path / "count.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[-1])


def scanned(pdf: bytes, tmp_path, page: int = 1) -> list[str]:
    """What a phone reads from the QR codes of one printed page."""
    (tmp_path / "scan.pdf").write_bytes(pdf)
    prefix = tmp_path / "scan"
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "200", "-f", str(page), "-l", str(page), "-png", str(tmp_path / "scan.pdf"), str(prefix)],  # noqa: S607
        check=True,
    )
    [png] = sorted(tmp_path.glob("scan*.png"))
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(png))]


def test_each_badge_names_the_volunteer_the_shift_and_the_event(stop, shift, tmp_path):
    ShiftSignup.objects.create(shift=shift, name="Camille Martin", email="camille@example.org")

    text = " ".join(pdf_text(badges_pdf(stop, confirmed(stop)), tmp_path).split())

    assert "BÉNÉVOLE" in text
    assert "Camille Martin" in text
    assert "Accueil · Accueil des visiteurs" in text
    assert "9 h 00 – 11 h 00" in text
    assert "Village au marché" in text
    assert "samedi 5 décembre 2026" in text


def test_the_qr_codes_open_each_volunteers_badge_page(stop, shift, tmp_path):
    signups = add_volunteers(shift, 3)

    codes = scanned(badges_pdf(stop, confirmed(stop)), tmp_path)

    assert sorted(codes) == sorted(f"http://testserver{badge_path(signup)}" for signup in signups)
    assert badge_url(signups[0]).startswith("http://testserver/benevolat/presence/")


def test_eight_badges_fill_a_page_and_the_ninth_starts_another(stop, shift, tmp_path):
    signups = add_volunteers(shift, PER_PAGE + 1)

    pdf = badges_pdf(stop, confirmed(stop))

    assert PER_PAGE == 8
    assert page_count(pdf, tmp_path) == 2
    assert pdf_text(pdf, tmp_path).count("BÉNÉVOLE") == 9
    assert len(scanned(pdf, tmp_path, page=1)) == 8
    (tmp_path / "scan-1.png").unlink()
    assert scanned(pdf, tmp_path, page=2) == [badge_url(signups[-1])]


def test_sixteen_badges_make_two_pages(stop, shift, tmp_path):
    add_volunteers(shift, 16)

    assert page_count(badges_pdf(stop, confirmed(stop)), tmp_path) == 2


def test_a_long_name_stays_on_its_badge(stop, shift, tmp_path):
    long_name = "Marie-Christine Delacroix-Vandenberghe de la Roche-Guyon"
    ShiftSignup.objects.create(shift=shift, name=long_name, email="mc@example.org")

    text = " ".join(pdf_text(badges_pdf(stop, confirmed(stop)), tmp_path).split())

    assert long_name in text


def test_an_event_without_volunteers_says_so(stop, tmp_path):
    assert "Aucun·e bénévole inscrit·e à cet événement." in pdf_text(badges_pdf(stop, []), tmp_path)


# The admin's download -------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, organiser):
    organiser.groups.first().permissions.add(
        *Permission.objects.filter(content_type__app_label="volunteers", codename__endswith="_shift")
    )
    client.force_login(organiser)
    return client


def badges_url(stop):
    return reverse("volunteers_presence_badges", args=[stop.pk])


def test_the_admin_serves_one_badge_per_confirmed_volunteer_of_the_event(
    staff_client, stop, shift, make_event, tmp_path
):
    add_volunteers(shift, 2)
    ShiftSignup.objects.create(shift=shift, name="Jean Désisté", email="jean@example.org", status="cancelled")
    elsewhere = make_event(EventKind.ITINERANT_VILLAGE, start=START, hours=4, title="Autre village")
    other_shift = Shift.objects.create(
        event=elsewhere, role=ShiftRole.SETUP, starts_at=START, ends_at=START + dt.timedelta(hours=1)
    )
    ShiftSignup.objects.create(shift=other_shift, name="Paul Ailleurs", email="paul@example.org")

    response = staff_client.get(badges_url(stop))

    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert 'filename="badges-benevoles-2026-12-05.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert text.count("BÉNÉVOLE") == 2
    assert "Bénévole n° 1" in text and "Bénévole n° 2" in text
    assert "Jean Désisté" not in text and "Paul Ailleurs" not in text


def test_a_scanned_badge_opens_the_presence_page(staff_client, stop, shift, tmp_path):
    ShiftSignup.objects.create(shift=shift, name="Camille Martin", email="camille@example.org")
    [code] = scanned(staff_client.get(badges_url(stop)).content, tmp_path)

    response = staff_client.get(urlsplit(code).path)

    assert "Camille Martin" in visible_text(response)
    assert "Marquer présent·e" in visible_text(response)


def test_an_organiser_without_the_permission_gets_no_badges(client, organiser, stop, shift):
    add_volunteers(shift, 1)
    client.force_login(organiser)

    response = client.get(badges_url(stop))

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "Votre compte n'a pas accès aux présences des bénévoles." in visible_text(response)


def test_an_outsider_gets_no_badges(client, outsider, stop, shift):
    add_volunteers(shift, 1)
    client.force_login(outsider)

    response = client.get(badges_url(stop))

    assert response.status_code == 302
    assert response["Content-Type"].startswith("text/html") and b"%PDF" not in response.content
