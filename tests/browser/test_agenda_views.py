"""The agenda's month and map views in a browser, on a desktop and on a phone.

The test settings leave MAP_TILE_URL empty: the map draws its markers on a plain background.
"""

import re

import pytest
from playwright.sync_api import expect

from events import dates
from tests.browser.test_tour_map import assert_only_the_site_was_asked, watch_requests

pytestmark = pytest.mark.browser

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def month_of(event) -> str:
    return dates.local(event.start).strftime("%Y-%m")


def day_cell(page, event):
    day = str(dates.local(event.start).day)
    return page.locator("td.month__day").filter(has=page.locator(".month__number", has_text=re.compile(rf"^{day}$")))


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_month_shows_the_seasons_events_on_their_days(live_server, desktop, phone, season, shot, viewport):
    page = desktop if viewport == "desktop" else phone
    for key in ("breakfast", "village", "cancelled"):
        event = season[key]
        page.goto(f"{live_server.url}/agenda/?vue=mois&month={month_of(event)}")
        cell = day_cell(page, event)
        expect(cell).to_have_count(1)
        expect(cell.get_by_role("link", name=re.compile(re.escape(event.title)))).to_be_visible()
        assert page.evaluate(NO_OVERFLOW), f"{viewport}: the month overflows"

    # The cancelled breakfast says so in words.
    expect(day_cell(page, season["cancelled"])).to_contain_text("Annulé")
    expect(
        page.get_by_role("navigation", name="Affichage des rendez-vous").get_by_role("link", name="Mois")
    ).to_have_attribute("aria-current", "page")
    page.goto(f"{live_server.url}/agenda/?vue=mois&month={month_of(season['breakfast'])}")
    shot(page, f"{viewport}-agenda-month")


def test_on_a_phone_the_month_is_the_list_of_its_busy_days(live_server, phone, season):
    page = phone
    page.goto(f"{live_server.url}/agenda/?vue=mois&month={month_of(season['breakfast'])}")

    expect(page.locator("table.month__table thead")).to_be_hidden()
    cell = day_cell(page, season["breakfast"])
    # The weekday and the month are written in the day, since no column header shows.
    expect(cell.locator(".month__weekday")).to_be_visible()
    expect(cell.locator(".month__month-name")).to_be_visible()
    visible_days = page.locator("td.month__day:visible")
    assert visible_days.count() == page.locator("td.month__day--busy").count()
    box = cell.bounding_box()
    assert box["width"] <= 390 and box["x"] >= 0


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_map_draws_a_marker_per_place_opened_from_the_keyboard(live_server, desktop, phone, season, shot, viewport):
    page = desktop if viewport == "desktop" else phone
    requested = watch_requests(page)
    page.goto(f"{live_server.url}/agenda/?vue=carte")

    # The season's five events are in two places: Valenciennes's centre and Anzin's.
    markers = page.locator("#agenda-map .leaflet-marker-icon")
    expect(markers).to_have_count(2)
    expect(page.locator("#agenda-map .leaflet-tile")).to_have_count(0)
    expect(page.get_by_role("region", name="Carte des rendez-vous")).to_be_visible()
    names = markers.evaluate_all("(ms) => ms.map((m) => m.getAttribute('role') + ': ' + m.getAttribute('aria-label'))")
    assert sorted(names) == ["button: Anzin : 3 rendez-vous", "button: Valenciennes : 2 rendez-vous"]
    # The list is there too, grouped by commune.
    expect(page.get_by_role("heading", name="Anzin — 3 rendez-vous")).to_be_visible()
    expect(page.get_by_role("heading", name="Valenciennes — 2 rendez-vous")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW), f"{viewport}: the map view overflows"
    shot(page, f"{viewport}-agenda-map")

    page.locator("#agenda-map").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused in {"Anzin : 3 rendez-vous", "Valenciennes : 2 rendez-vous"}
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup")
    expect(popup).to_contain_text(focused)
    expected = [event for event in season.values() if event.commune.name == focused.split(" :")[0]]
    for event in expected:
        expect(popup.get_by_role("link", name=event.title)).to_be_visible()
    expect(popup.get_by_role("button", name="Fermer")).to_be_visible()
    expect(popup).to_have_css("opacity", "1")  # Leaflet fades it in
    shot(page, f"{viewport}-agenda-map-popup")

    assert_only_the_site_was_asked(requested, live_server)


def test_switching_views_keeps_the_commune(live_server, desktop, season):
    page = desktop
    page.goto(f"{live_server.url}/agenda/")
    page.get_by_label("Commune").select_option(label="Anzin")
    page.get_by_role("button", name="Afficher les rendez-vous").click()
    expect(page).to_have_url(re.compile(r"commune=59014"))
    switch = page.get_by_role("navigation", name="Affichage des rendez-vous")

    switch.get_by_role("link", name="Carte").click()
    expect(page).to_have_url(re.compile(r"commune=59014.*vue=carte"))
    expect(page.locator("#agenda-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.get_by_label("Commune")).to_have_value("59014")

    switch.get_by_role("link", name="Mois").click()
    expect(page).to_have_url(re.compile(r"commune=59014.*vue=mois"))
    expect(page.get_by_label("Commune")).to_have_value("59014")

    # A search from the month view stays in the month view, for the commune.
    page.get_by_role("textbox", name="Mois").fill(month_of(season["village"]))
    page.get_by_role("button", name="Afficher les rendez-vous").click()
    expect(page).to_have_url(re.compile(r"vue=mois"))
    expect(page.get_by_role("link", name=re.compile(re.escape(season["village"].title)))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(re.escape(season["breakfast"].title)))).to_have_count(0)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_month_and_map_views_pass_the_sites_accessibility_checks(live_server, desktop, phone, season, viewport):
    from tests.browser.axe import assert_no_serious_violations
    from tests.browser.test_accessibility import HEADINGS, SMALL_TARGETS

    page = desktop if viewport == "desktop" else phone
    for query in (f"vue=mois&month={month_of(season['breakfast'])}", "vue=carte", "vue=frise"):
        page.goto(f"{live_server.url}/agenda/?{query}")
        if query == "vue=carte":
            expect(page.locator("#agenda-map .leaflet-marker-icon")).to_have_count(2)
        levels = page.evaluate(HEADINGS)
        assert levels.count(1) == 1, (query, levels)
        assert not [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1], (query, levels)
        assert page.evaluate(SMALL_TARGETS) == [], query
        small_links = page.locator(".agenda-views a, .month__nav a, .leaflet-marker-icon, .leaflet-bar a").evaluate_all(
            "(els) => els.filter((el) => el.getBoundingClientRect().height < 44).map((el) => el.outerHTML.slice(0, 80))"
        )
        assert small_links == [], query
        assert_no_serious_violations(page, f"{viewport} {query}")


def test_the_volunteering_map_still_draws_with_the_shared_module(
    live_server, desktop, commune, other_commune, home_page, django_user_model
):
    from volunteers.models import VolunteerProfile

    for n, place in enumerate([commune, other_commune, other_commune]):
        user = django_user_model.objects.create_user(f"benevole{n}", f"benevole{n}@example.org", "x")
        VolunteerProfile.objects.create(user=user, home_commune=place, on_map=True)
    page = desktop
    requested = watch_requests(page)
    page.goto(f"{live_server.url}/benevolat/carte/")

    markers = page.locator("#volunteer-map .leaflet-marker-icon")
    expect(markers).to_have_count(2)
    names = markers.evaluate_all("(ms) => ms.map((m) => m.getAttribute('aria-label'))")
    assert any(name.startswith("Anzin") for name in names), names
    page.locator("#volunteer-map").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup")).to_be_visible()
    expect(page.locator(".leaflet-popup").get_by_role("button", name="Fermer")).to_be_visible()
    assert_only_the_site_was_asked(requested, live_server)
