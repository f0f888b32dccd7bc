"""Check-in staff at the door, on a phone: scanning through the camera, and working offline.

The camera is Chromium's fake device playing a Y4M file that shows the ticket's QR code.
Debian's headless Chromium has no BarcodeDetector, so the page falls back on the vendored
decoder (static/js/vendor/jsQR.js): this test is what proves the fallback works.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from events.models import CheckIn, Scan
from events.qr import QUIET_ZONE, qr_matrix
from territory.models import PARIS
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, SHOTS
from tests.events.checkin_fixtures import checkin_staff, make_ticket  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

FRAME_SIZE = (640, 480)


def screen(page, name):
    """What the phone's screen shows (not the full page: the answer is fixed to the screen)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def next_scan(page):
    """Back to scanning. A green answer also leaves by itself after a few seconds, so a click
    on its button could race it: Escape closes the answer if it is still there."""
    page.keyboard.press("Escape")
    expect(page.locator('[data-role="result"]')).to_be_hidden()


def write_y4m(path, image: Image.Image, frames: int = 10) -> None:
    """A few identical frames in YUV4MPEG2, 4:2:0 with JPEG (full-range) chroma, as Chromium reads them."""
    ycbcr = image.convert("RGB").resize(FRAME_SIZE).convert("YCbCr")
    y, cb, cr = ycbcr.split()
    half = (FRAME_SIZE[0] // 2, FRAME_SIZE[1] // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{FRAME_SIZE[0]} H{FRAME_SIZE[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


def ticket_picture(data: str) -> Image.Image:
    """The ticket's QR, drawn from the same matrix as the PDF and page, on a white 640x480 frame."""
    matrix = qr_matrix(data)
    modules = len(matrix) + 2 * QUIET_ZONE
    qr = Image.new("L", (modules, modules), 255)
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                qr.putpixel((column + QUIET_ZONE, row + QUIET_ZONE), 0)
    side = 360
    qr = qr.resize((side, side), Image.NEAREST)
    frame = Image.new("L", FRAME_SIZE, 255)
    frame.paste(qr, ((FRAME_SIZE[0] - side) // 2, (FRAME_SIZE[1] - side) // 2))
    return frame


def starting_soon() -> dt.datetime:
    """The event starts in half an hour: its check-in is open, whatever the time the suite runs."""
    return timezone.localtime(timezone.now(), PARIS).replace(second=0, microsecond=0) + dt.timedelta(minutes=30)


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


@pytest.fixture
def door(make_event, make_ticket, checkin_staff):  # noqa: F811
    event = make_event(title="Petit-déjeuner : manger local", start=starting_soon(), capacity=30)
    return {
        "event": event,
        "helene": make_ticket(event, name="Hélène Dupont", organisation_name="Épicerie solidaire du Faubourg"),
        "marc": make_ticket(event, name="Marc Lefèvre", category="elected"),
        "staff": checkin_staff,
    }


@pytest.fixture
def camera_file(tmp_path):
    return tmp_path / "ticket.y4m"


@pytest.fixture
def camera_phone(browser, camera_file):
    """A phone whose camera films `camera_file` (written by the test before the camera starts)."""
    camera_file.write_bytes(b"")
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_file}",
        ],
    )
    context = chromium.new_context(
        viewport=PHONE,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    chromium.close()


def test_checking_in_through_the_camera(live_server, camera_phone, camera_file, door):
    page = camera_phone
    helene = door["helene"]
    write_y4m(camera_file, ticket_picture(f"{live_server.url}/billet/{helene.code}/"))
    page.context.grant_permissions(["camera"], origin=live_server.url)
    log_in(page, live_server, door["staff"])

    page.goto(f"{live_server.url}/pointage/")
    page.get_by_role("link", name="Petit-déjeuner : manger local").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Petit-déjeuner : manger local")
    expect(page.locator(".checkin-counts__main")).to_contain_text("0 / 2")
    screen(page, "checkin-01-ready")

    page.get_by_role("button", name="Activer la caméra").click()

    result = page.locator('[data-role="result"]')
    expect(result).to_be_visible()
    expect(result).to_have_attribute("data-result", "accepted")
    expect(result.locator(".checkin-result__title")).to_have_text("Présent·e")
    expect(result.locator(".checkin-result__name")).to_have_text("Hélène Dupont")
    expect(result.locator(".checkin-result__detail")).to_have_text("Habitant·e · Épicerie solidaire du Faubourg")
    screen(page, "checkin-02-camera-accepted")
    # Without a native BarcodeDetector (Debian's Chromium) the vendored decoder read the QR.
    expected = "native" if page.evaluate("'BarcodeDetector' in window") else "jsqr"
    assert page.locator("#checkin-app").get_attribute("data-decoder") == expected
    checkin = CheckIn.objects.get()
    assert checkin.ticket_id == helene.pk
    assert checkin.checked_in_by == door["staff"]

    # The QR stays in front of the camera: it is not scanned again and again.
    next_scan(page)
    page.wait_for_timeout(1500)
    assert Scan.objects.count() == 1
    expect(page.locator(".checkin-counts__main")).to_contain_text("1 / 2")

    page.get_by_role("button", name="Annuler le pointage de Hélène Dupont").click()
    expect(result).to_have_attribute("data-result", "undone")
    expect(result.locator(".checkin-result__title")).to_have_text("Pointage annulé")
    assert not CheckIn.objects.exists()


def test_a_duplicate_and_an_unknown_ticket_fill_the_screen_in_orange_and_red(live_server, phone, door):
    page = phone
    event, marc = door["event"], door["marc"]
    log_in(page, live_server, door["staff"])
    page.goto(f"{live_server.url}/pointage/{event.pk}/")
    code = page.get_by_label("Ou saisir le code du billet")

    code.fill(marc.code)
    code.press("Enter")
    result = page.locator('[data-role="result"]')
    expect(result).to_have_attribute("data-result", "accepted")
    next_scan(page)

    code.fill(f"{live_server.url}/billet/{marc.code}/")
    code.press("Enter")
    expect(result).to_have_attribute("data-result", "duplicate")
    now = timezone.localtime(CheckIn.objects.get().checked_in_at, PARIS)
    expect(result.locator(".checkin-result__title")).to_have_text(
        f"Déjà pointé·e à {now.hour} h {now.minute:02d} par Camille"
    )
    expect(result.locator(".checkin-result__name")).to_have_text("Marc Lefèvre")
    screen(page, "checkin-03-duplicate")
    page.get_by_role("button", name="Scanner le suivant").click()

    code.fill("AAAAAAAAAAAAAAAAAAAAAA")
    code.press("Enter")
    expect(result).to_have_attribute("data-result", "unknown")
    expect(result.locator(".checkin-result__title")).to_have_text("Billet inconnu")
    screen(page, "checkin-04-unknown")
    page.get_by_role("button", name="Scanner le suivant").click()

    # By name, accents and case ignored.
    page.get_by_label("Nom ou structure (2 lettres au moins)").fill("helene")
    page.get_by_role("button", name="Chercher", exact=True).click()
    page.get_by_role("button", name="Pointer Hélène Dupont").click()
    expect(result).to_have_attribute("data-result", "accepted")
    expect(result.locator(".checkin-result__name")).to_have_text("Hélène Dupont")
    next_scan(page)
    expect(page.locator(".checkin-counts__main")).to_contain_text("2 / 2")

    page.get_by_role("button", name="Compter un·e passant·e").click()
    page.get_by_role("button", name="Compter un·e passant·e").click()
    page.get_by_role("button", name="Retirer un·e passant·e").click()
    expect(page.locator('[data-role="tally"]')).to_have_text("1")
    expect(page.locator('[data-role="status"]')).to_have_attribute("data-pending", "0")
    assert sum(event.tally_marks.values_list("delta", flat=True)) == 1
    screen(page, "checkin-05-counts")


def test_offline_scans_survive_a_reload_and_sync_once(live_server, phone, door):
    page = phone
    event, helene, marc = door["event"], door["helene"], door["marc"]
    log_in(page, live_server, door["staff"])
    page.goto(f"{live_server.url}/pointage/{event.pk}/")
    # The list for offline use is loaded and the service worker keeps the page.
    expect(page.locator("#checkin-app")).to_have_attribute("data-manifest", "ready")
    expect(page.locator("body")).to_have_attribute("data-offline-ready", "true")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    status = page.locator('[data-role="status-text"]')
    expect(status).to_have_text("Hors ligne")
    code = page.get_by_label("Ou saisir le code du billet")
    result = page.locator('[data-role="result"]')
    for ticket, name in ((helene, "Hélène Dupont"), (marc, "Marc Lefèvre")):
        code.fill(ticket.code)
        code.press("Enter")
        expect(result).to_have_attribute("data-result", "accepted")
        expect(result.locator(".checkin-result__name")).to_have_text(name)
        expect(result.locator(".checkin-result__note")).to_have_text(
            "Hors ligne : enregistré sur ce téléphone, envoyé au retour du réseau."
        )
        if name == "Marc Lefèvre":
            screen(page, "checkin-06-offline-accepted")
        next_scan(page)
    # The same ticket again, still offline: the phone knows it already checked it in.
    code.fill(helene.code)
    code.press("Enter")
    expect(result).to_have_attribute("data-result", "duplicate")
    page.get_by_role("button", name="Scanner le suivant").click()
    assert not CheckIn.objects.exists()

    page.reload()

    expect(page.get_by_role("heading", level=1)).to_have_text("Petit-déjeuner : manger local")
    expect(status).to_have_text("Hors ligne — 3 en attente")
    expect(page.locator(".checkin-counts__main")).to_contain_text("2 / 2")
    screen(page, "checkin-07-offline-reloaded")
    # No assertion on the server here: Chromium's offline emulation does not cover the service
    # worker, so a request of the reloaded page may reach the server while its answer is lost.
    # What matters is below: once back online, each scan counts once.

    page.context.set_offline(False)

    expect(status).to_have_text("En ligne")
    expect(page.locator('[data-role="status"]')).to_have_attribute("data-pending", "0")
    # The server's answers win: the second scan of Hélène was a duplicate there too.
    report = page.locator('[data-role="report"]')
    expect(report).to_be_hidden()
    assert CheckIn.objects.count() == 2
    assert sorted(Scan.objects.values_list("result", "offline")) == [
        ("accepted", True),
        ("accepted", True),
        ("duplicate", True),
    ]
    page.get_by_role("button", name="Synchroniser").click()
    expect(page.locator('[data-role="status"]')).to_have_attribute("data-state", "online")
    page.wait_for_timeout(500)
    assert CheckIn.objects.count() == 2
    assert Scan.objects.count() == 3
    screen(page, "checkin-08-synced")


def test_one_ticket_on_two_offline_phones_is_one_checkin_and_one_duplicate(live_server, browser, door):
    event, helene = door["event"], door["helene"]
    phones = []
    for _ in range(2):
        context = browser.new_context(viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris")
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server, door["staff"])
        page.goto(f"{live_server.url}/pointage/{event.pk}/")
        expect(page.locator("#checkin-app")).to_have_attribute("data-manifest", "ready")
        context.set_offline(True)
        code = page.get_by_label("Ou saisir le code du billet")
        code.fill(helene.code)
        code.press("Enter")
        expect(page.locator('[data-role="result"]')).to_have_attribute("data-result", "accepted")
        phones.append(page)

    for page in phones:
        page.context.set_offline(False)
        expect(page.locator('[data-role="status"]')).to_have_attribute("data-pending", "0")

    assert CheckIn.objects.count() == 1
    assert sorted(Scan.objects.values_list("result", flat=True)) == ["accepted", "duplicate"]
    # The phone that synced second is told, by name, what the server decided.
    second = phones[1]
    report = second.locator('[data-role="report"]')
    expect(report).to_be_visible()
    expect(report).to_contain_text("Hélène Dupont")
    expect(report).to_contain_text("Déjà pointé·e à")
    for page in phones:
        page.context.close()


def test_the_list_of_events_on_a_phone(live_server, phone, door, shot):
    log_in(phone, live_server, door["staff"])

    phone.goto(f"{live_server.url}/pointage/")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Pointage")
    expect(phone.get_by_role("link", name="Petit-déjeuner : manger local")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "checkin-00-events")
