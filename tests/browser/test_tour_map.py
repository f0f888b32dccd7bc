"""The tour page in a browser: the itinerary first, then the map with one marker per stop.

The test settings leave MAP_TILE_URL empty: the map draws its markers on a plain
background and nothing is fetched from another host, which every test here checks.
"""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import EventStatus, TourPage, VillageFormat, VillageStopPage
from territory.models import PARIS, Venue, VenueKind

pytestmark = pytest.mark.browser


def _day(days: int) -> dt.date:
    return timezone.localtime(timezone.now(), PARIS).date() + dt.timedelta(days=days)


@pytest.fixture
def tour(agenda_page, commune, other_commune):
    """A tour with a past stop, a cancelled one and two to come, in three places."""
    page = TourPage(title="Tournée du village", slug="tournee", season=_day(0).year, intro="<p>Le village passe.</p>")
    agenda_page.add_child(instance=page)
    page.save_revision().publish()
    market = Venue.objects.create(
        commune=commune, name="Marché du samedi", kind=VenueKind.MARKET, latitude=50.3575, longitude=3.5236
    )
    stops = [
        ("Le village au marché de Valenciennes", -20, {"venue": market}),
        ("Le village à Anzin", 6, {"commune": other_commune, "village_format": VillageFormat.MINI_VILLAGE}),
        (
            "Le village sur la place d'Anzin",
            13,
            {"commune": other_commune, "status": EventStatus.CANCELLED, "status_note": "Travaux sur la place."},
        ),
        ("Le village revient au marché", 27, {"venue": market}),
    ]
    for n, (title, days, fields) in enumerate(stops, start=1):
        start = dt.datetime.combine(_day(days), dt.time(8, 30), tzinfo=PARIS)
        stop = VillageStopPage(
            title=title,
            slug=f"etape-{n}",
            start=start,
            end=start + dt.timedelta(hours=4),
            summary="Des stands de l'ESS au marché.",
            **fields,
        )
        page.add_child(instance=stop)
        stop.save_revision().publish()
    return page


class Watch:
    """Every address the page asks for (images and scripts included), and its script errors."""

    def __init__(self, page):
        self.requested: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requested.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))


def watch_requests(page) -> Watch:
    return Watch(page)


def assert_only_the_site_was_asked(watch: Watch, live_server):
    assert not watch.errors, f"script errors: {watch.errors}"
    requested = watch.requested
    site = urlsplit(live_server.url).netloc
    others = [url for url in requested if urlsplit(url).netloc != site and not url.startswith("data:")]
    assert not others, f"requests to other hosts: {others}"
    assert any(url.endswith("/static/vendor/leaflet/leaflet.js") for url in requested)


def test_the_tour_shows_its_itinerary_then_a_map_with_a_marker_per_stop(live_server, desktop, tour, shot):
    page = desktop
    requested = watch_requests(page)
    page.goto(live_server.url + tour.url)

    expect(page.get_by_role("heading", level=1)).to_have_text("Tournée du village")
    stops = page.locator(".tour-stops > li")
    expect(stops).to_have_count(4)
    expect(stops.nth(0)).to_contain_text("Passée")
    expect(stops.nth(2)).to_contain_text("Annulée")
    expect(stops.nth(2)).to_contain_text("Travaux sur la place.")

    map_section = page.get_by_role("region", name="La carte des étapes")
    expect(map_section).to_be_visible()
    expect(map_section).to_contain_text("Carte des 4 étapes ; la liste de l'itinéraire donne les mêmes informations.")
    markers = page.locator("#tour-map .leaflet-marker-icon")
    expect(markers).to_have_count(4)
    expect(page.locator("#tour-map .leaflet-tile")).to_have_count(0)
    # Markers are reached with the keyboard and say which stop they are.
    expect(markers).to_have_text(["1", "2", "3", "4"])
    expect(markers.nth(1)).to_have_attribute("tabindex", "0")
    cancelled_marker = page.get_by_role("button", name=re.compile(r"^Étape 3 : Anzin, .* \(annulée\)$"))
    expect(cancelled_marker).to_have_count(1)
    expect(cancelled_marker).to_have_class(re.compile(r"\btour-marker--cancelled\b"))
    # Two stops at the same market are both visible, side by side.
    first, last = markers.nth(0).bounding_box(), markers.nth(3).bounding_box()
    assert abs(first["x"] - last["x"]) + abs(first["y"] - last["y"]) >= 30
    shot(page, "desktop-tour-map")

    cancelled_marker.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text("Le village sur la place d'Anzin")
    expect(popup.get_by_role("button", name="Fermer")).to_be_visible()
    expect(page.get_by_role("button", name="Zoom avant")).to_be_visible()
    expect(popup).to_contain_text("Annulée")
    popup.get_by_role("link", name="3. Le village sur la place d'Anzin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Le village sur la place d'Anzin")
    expect(page.locator(".notice--cancelled")).to_contain_text("Travaux sur la place.")

    assert_only_the_site_was_asked(requested, live_server)


def test_on_a_phone_the_list_comes_first_and_nothing_overflows(live_server, phone, tour, shot):
    page = phone
    requested = watch_requests(page)
    page.goto(live_server.url + tour.url)

    expect(page.locator("#tour-map .leaflet-marker-icon")).to_have_count(4)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
    itinerary = page.locator(".tour-stops").bounding_box()
    canvas = page.locator("#tour-map").bounding_box()
    assert itinerary["y"] + itinerary["height"] <= canvas["y"]
    assert canvas["width"] <= 390 and canvas["height"] > 200
    page.locator("#tour-map").scroll_into_view_if_needed()
    shot(page, "phone-tour-map")

    assert_only_the_site_was_asked(requested, live_server)


def test_without_javascript_the_list_is_the_page(live_server, browser, tour, shot):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(live_server.url + tour.url)

        expect(page.locator(".tour-stops > li")).to_have_count(4)
        expect(page.get_by_role("link", name="Étape 2 : Anzin")).to_be_visible()
        expect(page.locator(".tour-map")).to_be_hidden()
        feed = f"{live_server.url}{tour.url}calendrier.ics"
        expect(page.get_by_role("link", name="S'abonner au calendrier de la tournée")).to_have_attribute(
            "href", feed.replace("http://", "webcal://")
        )
        expect(page.get_by_label("Adresse du calendrier")).to_have_value(feed)
        shot(page, "phone-tour-no-js")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_tour_page_passes_the_sites_structural_checks(live_server, desktop, phone, tour, viewport):
    from tests.browser.test_accessibility import HEADINGS, IMAGES_WITHOUT_ALT, SMALL_TARGETS

    page = desktop if viewport == "desktop" else phone
    page.goto(live_server.url + tour.url)
    expect(page.locator("#tour-map .leaflet-marker-icon")).to_have_count(4)

    levels = page.evaluate(HEADINGS)
    # The page's own headings (the footer's follow): itinerary, its four stops and the
    # subscription, then the map.
    assert levels[:8] == [1, 2, 3, 3, 3, 3, 3, 2]
    assert not [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert page.evaluate(IMAGES_WITHOUT_ALT) == []
    assert page.evaluate(SMALL_TARGETS) == []
    # Every marker is a named button.
    names = page.locator("#tour-map .leaflet-marker-icon").evaluate_all(
        "(markers) => markers.map((m) => m.getAttribute('role') + ': ' + m.getAttribute('aria-label'))"
    )
    assert all(name.startswith("button: Étape ") for name in names), names
