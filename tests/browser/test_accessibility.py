"""Structural accessibility checks on every public page template, in a real browser, and what
only the keyboard shows: where the skip link and a refused form put the focus, the checkbox grids."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.volunteers.conftest import make_mission, volunteer  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

HEADINGS = """() => Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
    .filter((h) => h.offsetParent !== null)
    .map((h) => Number(h.tagName[1]))"""

UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll("input, select, textarea"))
    .filter((el) => el.type !== "hidden" && el.labels.length === 0 && !el.getAttribute("aria-label"))
    .map((el) => el.name)"""

IMAGES_WITHOUT_ALT = (
    """() => Array.from(document.images).filter((img) => !img.hasAttribute("alt")).map((img) => img.src)"""
)

SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
        ".main-nav a, .button, button, select, input, .filters__reset, .results__switch a, .section__more"))
    .filter((el) => el.offsetParent !== null)
    // A box or a radio with its label: a tap on the label ticks it, so the label is the target.
    .map((el) => (["checkbox", "radio"].includes(el.type) && el.labels && el.labels.length) ? el.labels[0] : el)
    .filter((el) => el.getBoundingClientRect().height < 44)
    .map((el) => el.outerHTML.slice(0, 80))"""


def public_urls(season, organisation):
    return [
        "/",
        "/agenda/",
        "/agenda/?month=pas-un-mois",
        *(event.url for event in season.values()),
        "/acteurs/",
        organisation.get_absolute_url(),
        "/benevolat/carte/",
        "/benevolat/carte/?competence=inconnue",
        "/benevolat/inscription/",
        "/page-inconnue/",
    ]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_headings_labels_images_and_touch_targets(live_server, desktop, phone, season, organisation, viewport):
    page = desktop if viewport == "desktop" else phone
    for url in public_urls(season, organisation):
        page.goto(live_server.url + url)
        assert page.evaluate("document.documentElement.lang") == "fr", url

        levels = page.evaluate(HEADINGS)
        assert levels.count(1) == 1 and levels[0] == 1, (url, levels)
        jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert not jumps, f"{url}: heading levels skip {jumps}"

        assert page.evaluate(UNLABELLED_CONTROLS) == [], url
        assert page.evaluate(IMAGES_WITHOUT_ALT) == [], url
        assert page.evaluate(SMALL_TARGETS) == [], url
        for landmark in ["banner", "main", "contentinfo"]:
            expect(page.get_by_role(landmark)).to_have_count(1)


def test_focus_is_visible_on_links_buttons_and_fields(live_server, desktop, season):
    page = desktop
    page.goto(live_server.url + "/agenda/")
    for locator in [
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Agenda"),
        page.get_by_label("Commune"),
        page.get_by_role("button", name="Afficher les rendez-vous"),
    ]:
        locator.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        expect(locator).to_be_focused()
        outline = locator.evaluate(
            "(el) => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth"
        )
        assert outline.startswith("solid 3px"), outline


# What axe cannot check: where the keyboard goes -------------------------------------------------


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_main(live_server, desktop, season):
    page = desktop
    page.goto(live_server.url + season["breakfast"].url)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab goes on from the content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_a_refused_form_focuses_its_error_summary_whose_links_lead_to_the_fields(live_server, desktop, season):
    page = desktop
    page.goto(f"{live_server.url}/inscription/{season['breakfast'].pk}/")
    page.get_by_label("Adresse électronique").fill("camille.martin@example")
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Adresse électronique : ")

    email = page.get_by_label("Adresse électronique")
    expect(email).to_have_attribute("aria-invalid", "true")
    described_by = email.get_attribute("aria-describedby").split()
    assert "id_email_error" in described_by
    expect(page.locator("#id_email_error")).to_contain_text("adresse électronique")

    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("^Adresse électronique"))
    link.focus()
    page.keyboard.press("Enter")
    expect(email).to_be_focused()


def test_every_refused_field_of_a_form_is_tied_to_its_message(live_server, desktop, commune):
    page = desktop
    page.goto(live_server.url + "/accueillir-le-village/")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("alert")).to_be_focused()
    untied = page.evaluate(
        """() => Array.from(document.querySelectorAll("[aria-invalid=true]"))
            .filter((el) => !(el.getAttribute("aria-describedby") || "").split(" ")
                .some((id) => id.endsWith("_error") && document.getElementById(id)))
            .map((el) => el.name)"""
    )
    assert untied == []
    assert page.locator("[aria-invalid=true]").count() >= 3


def test_the_availability_grid_is_ticked_with_the_keyboard(live_server, desktop, volunteer):  # noqa: F811
    page = desktop
    client = Client()
    client.force_login(volunteer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page.goto(live_server.url + "/benevolat/profil/")

    friday_evening = page.get_by_label("vendredi soir")
    saturday_morning = page.get_by_label("samedi matin")
    friday_evening.focus()
    # Row by row, as the grid reads: after Friday evening comes Saturday morning.
    page.keyboard.press("Tab")
    expect(saturday_morning).to_be_focused()
    outline = saturday_morning.evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline == "solid", outline
    page.keyboard.press("Space")
    expect(saturday_morning).to_be_checked()

    page.get_by_role("button", name="Enregistrer mon profil").click()
    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()
    expect(page.get_by_label("samedi matin")).to_be_checked()
    expect(page.get_by_label("vendredi soir")).not_to_be_checked()


def test_the_maps_and_their_markers_have_names(live_server, desktop, season, organiser, make_mission):  # noqa: F811
    make_mission()
    page = desktop
    page.goto(live_server.url + "/benevolat/carte/")
    volunteer_map = page.get_by_role("region", name="Carte du bénévolat par commune")
    expect(volunteer_map).to_be_visible()
    expect(volunteer_map.get_by_role("button", name="Valenciennes : aucun bénévole, 1 mission")).to_be_visible()
    expect(volunteer_map.get_by_role("button", name="Zoom avant")).to_be_visible()
    # The figures are drawn by CSS: seen on the marker, not repeated after its name.
    marker = volunteer_map.locator(".vmap-marker__demands")
    assert marker.evaluate("(el) => getComputedStyle(el, '::before').content") == '"1"'
