"""An event page printed: the facts, the presentation and where links lead, without the site's
navigation, buttons or map, in black on white (static/css/site.css, @media print).

Each test also writes the printed page as a PDF and a PNG (pdftoppm) in /tmp/shots for a person
to look at.
"""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SHOTS
from tests.browser.test_axe import tour  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

BODY = (
    "<p>Trois producteurs racontent leur métier. Programme complet sur "
    '<a href="https://www.valenciennes-metropole.fr/ess">le site de la Métropole</a>.</p>'
)


@pytest.fixture
def printed(desktop, live_server, season):
    """The breakfast's page, as the printer sees it."""
    breakfast = season["breakfast"]
    breakfast.body = BODY
    breakfast.save_revision().publish()
    desktop.goto(live_server.url + breakfast.url)
    desktop.emulate_media(media="print")
    return desktop


def save_pdf(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SHOTS / f"{name}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(  # noqa: S603 - a fixed program on a file the test just wrote
            ["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / name)],  # noqa: S607
            check=True,
        )


def test_the_printed_event_page_keeps_the_facts_and_drops_the_navigation(printed):
    page = printed
    expect(page.get_by_role("heading", level=1)).to_have_text("Manger local : les circuits courts près de chez vous")
    facts = page.locator(".event-facts")
    expect(facts).to_be_visible()
    expect(facts).to_contain_text("Quand")
    expect(facts).to_contain_text("Maison des associations")
    expect(facts).to_contain_text("Salle de plain-pied, boucle magnétique à l'accueil.")
    expect(page.get_by_text("Trois producteurs racontent leur métier.")).to_be_visible()

    for hidden in [".main-nav", ".site-footer", ".breadcrumbs", ".skip-link"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("link", name="S'inscrire")).to_be_hidden()
    save_pdf(page, "print-event-page")


def test_the_printed_event_page_is_black_on_white_and_says_where_links_lead(printed, season):
    page = printed
    colours = page.evaluate(
        """() => [document.body, document.querySelector("h1"), document.querySelector(".event-facts dd"),
                  document.querySelector(".event-body a")]
            .map((el) => getComputedStyle(el).color)"""
    )
    assert colours == ["rgb(0, 0, 0)"] * 4, colours
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )

    after = page.locator(".event-body a").evaluate("(a) => getComputedStyle(a, '::after').content")
    assert after == '" (https://www.valenciennes-metropole.fr/ess)"', after
    # The printed sheet says where to find the page online.
    expect(page.locator(".print-url")).to_be_visible()
    expect(page.locator(".print-url")).to_contain_text(season["breakfast"].url)


def test_the_facts_box_is_never_split_between_two_sheets(printed):
    page = printed
    rule = page.locator(".event-facts").evaluate("(el) => getComputedStyle(el).breakInside")
    assert rule == "avoid", rule


def test_a_printed_tour_page_leaves_the_map_out(desktop, live_server, tour):  # noqa: F811
    page = desktop
    page.goto(live_server.url + tour.url)
    expect(page.locator("#tour-map")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".tour-map")).to_be_hidden()
    expect(page.locator(".tour-itinerary")).to_contain_text("Étape 1 : Valenciennes")
    expect(page.locator(".tour-itinerary")).to_be_visible()
    save_pdf(page, "print-tour-page")
