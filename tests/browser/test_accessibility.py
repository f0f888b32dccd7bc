"""Structural accessibility checks on every public page template, in a real browser."""

import pytest
from playwright.sync_api import expect

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
