"""A passer-by scans the stand poster with a phone, says they came by, and is counted once."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import EventKind, VisitorCheckIn

pytestmark = pytest.mark.browser

HEADINGS = """() => Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
    .filter((h) => h.offsetParent !== null)
    .map((h) => Number(h.tagName[1]))"""

# Controls a person can reach; the honeypot hides in a visually hidden, aria-hidden box.
SMALL_OR_UNLABELLED = """() => Array.from(document.querySelectorAll("main button, main select, main input"))
    .filter((el) => el.type !== "hidden" && !el.closest("[aria-hidden=true]"))
    .filter((el) => el.getBoundingClientRect().height < 44 || (el.tagName !== "BUTTON" && el.labels.length === 0))
    .map((el) => el.outerHTML.slice(0, 80))"""


@pytest.fixture
def village_now(make_event, market, other_commune):
    """A village stop at a market, started half an hour ago: the poster's page is open."""
    return make_event(
        kind=EventKind.ITINERANT_VILLAGE,
        title="Le village de l'ESS au marché",
        start=timezone.now() - dt.timedelta(minutes=30),
        hours=5,
        venue=market,
    )


def test_a_passer_by_scans_the_poster_answers_and_is_counted_once(live_server, phone, village_now, shot):
    page = phone
    page.goto(f"{live_server.url}/bienvenue/{village_now.pk}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue au Village de l'ESS")
    expect(page.get_by_text("Le village de l'ESS au marché", exact=True)).to_be_visible()
    expect(page.get_by_text("Marché de la place d'Armes, Valenciennes")).to_be_visible()
    expect(page.get_by_role("link", name="Vos données personnelles")).to_have_attribute(
        "href", "/donnees-personnelles/"
    )
    assert page.evaluate(HEADINGS)[0] == 1
    assert page.evaluate(SMALL_OR_UNLABELLED) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-self-checkin-01-welcome")

    page.get_by_label("J'habite à…").select_option(label="Anzin")
    page.get_by_label("Mon âge").select_option(label="26 à 59 ans")
    page.get_by_label("Je suis…").select_option(label="Enseignant·e")
    page.get_by_role("button", name="Je suis passé·e").click()

    expect(page.get_by_role("status")).to_contain_text("Merci ! Votre passage est compté.")
    shot(page, "phone-self-checkin-02-thanks")

    page.reload()

    expect(page.get_by_role("status")).to_contain_text("Votre passage est déjà compté, merci !")
    expect(page.get_by_label("J'habite à…")).to_have_value("59014")
    expect(page.get_by_label("Je suis…")).to_have_value("teacher")
    expect(page.get_by_role("button", name="Mettre à jour mes réponses")).to_be_visible()
    shot(page, "phone-self-checkin-03-already-counted")

    visit = VisitorCheckIn.objects.get()
    assert (visit.event_id, visit.home_commune.name, visit.age_bracket, visit.role) == (
        village_now.pk,
        "Anzin",
        "26_59",
        "teacher",
    )


def test_a_returning_phone_changes_its_answers_without_being_counted_again(live_server, phone, village_now):
    page = phone
    page.goto(f"{live_server.url}/bienvenue/{village_now.pk}/")
    page.get_by_role("button", name="Je suis passé·e").click()
    expect(page.get_by_role("status")).to_contain_text("Merci ! Votre passage est compté.")

    page.goto(f"{live_server.url}/bienvenue/{village_now.pk}/")
    page.get_by_label("J'habite à…").select_option(label="Hors du territoire")
    page.get_by_role("button", name="Mettre à jour mes réponses").click()

    expect(page.get_by_role("status")).to_contain_text("Vos réponses sont à jour.")
    visit = VisitorCheckIn.objects.get()
    assert (visit.home_commune, visit.outside_territory) == (None, True)
