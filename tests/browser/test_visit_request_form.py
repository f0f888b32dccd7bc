"""A commune's contact asks for the village from a phone, gets the form wrong once, then follows the request."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from events.models import VisitRequest
from events.services import visits
from territory.models import PARIS
from tests.browser.test_accessibility import HEADINGS, UNLABELLED_CONTROLS
from tests.browser.test_registration import SMALL_TARGETS_BUT_CHECKBOXES, assert_fits_the_phone_screen

pytestmark = pytest.mark.browser

COMMUNE = re.compile(r"^Commune")
TRACKING_URL = re.compile(r"/accueillir-le-village/suivi/\d+/[A-Za-z0-9_-]{22}/$")


def _day(days: int) -> dt.date:
    # The browser and the live server share the real clock: dates relative to today.
    return timezone.localtime(timezone.now(), PARIS).date() + dt.timedelta(days=days)


def test_a_commune_asks_for_the_village_on_a_phone(live_server, phone, commune, other_commune, market, shot):
    page = phone
    page.goto(live_server.url + "/accueillir-le-village/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueillir le village dans votre commune")
    expect(page.get_by_role("heading", name="Ce que nous demandons à la commune")).to_be_visible()
    levels = page.evaluate(HEADINGS)
    assert levels.count(1) == 1 and levels[0] == 1, levels
    assert not [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1], levels
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(SMALL_TARGETS_BUT_CHECKBOXES) == []
    assert_fits_the_phone_screen(page)
    shot(page, "phone-40-visit-request-form")

    # A date already past, and the consent forgotten.
    past = _day(-3)
    page.get_by_label(COMMUNE).select_option(label="Anzin")
    page.get_by_label("Nom et prénom de la personne à contacter").fill("Léa Dubois")
    page.get_by_label("Fonction").fill("Adjointe à la vie associative")
    page.get_by_label("Adresse électronique").fill("lea.dubois@mairie-anzin.example.fr")
    page.get_by_label("À quelle occasion ?").select_option(label="Marché hebdomadaire")
    page.get_by_label("Ou le lieu envisagé (facultatif)").fill("Place Roger Salengro")
    page.get_by_label("Date souhaitée").fill(past.isoformat())
    page.get_by_label("Public attendu (facultatif)").fill("350")
    page.get_by_label("Un accès à l'électricité est possible").check()
    page.get_by_role("button", name="Envoyer la demande").click()

    expect(page.locator(".notice--error")).to_contain_text("Le formulaire contient 2 erreurs.")
    date = page.get_by_label("Date souhaitée")
    expect(date).to_have_attribute("aria-invalid", "true")
    assert "id_preferred_date_1_error" in date.get_attribute("aria-describedby")
    expect(page.locator("#id_preferred_date_1_error")).to_have_text(
        "Cette date est passée ou trop proche : choisissez une date à partir de demain."
    )
    expect(page.locator("#id_consent_error")).to_have_text(
        "Votre accord est nécessaire pour que nous traitions la demande."
    )
    # Nothing typed is lost.
    expect(date).to_have_value(past.isoformat())
    expect(page.get_by_label("Nom et prénom de la personne à contacter")).to_have_value("Léa Dubois")
    expect(page.get_by_label(COMMUNE)).to_have_value(other_commune.insee_code)
    expect(page.get_by_label("Public attendu (facultatif)")).to_have_value("350")
    expect(page.get_by_label("Un accès à l'électricité est possible")).to_be_checked()
    assert_fits_the_phone_screen(page)
    shot(page, "phone-41-visit-request-errors")
    assert not VisitRequest.objects.exists()

    wanted = _day(70)
    date.fill(wanted.isoformat())
    page.get_by_label("J'accepte que ces informations servent").check()
    page.get_by_role("button", name="Envoyer la demande").click()

    expect(page).to_have_url(TRACKING_URL)
    expect(page.get_by_role("status")).to_contain_text("Votre demande est bien envoyée.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi de votre demande")
    expect(page.locator(".badge")).to_have_text("Reçue, en cours d'examen")
    expect(page.locator(".visit-tracking__request")).to_contain_text("Place Roger Salengro")
    expect(page.locator(".visit-tracking__history")).to_contain_text("Demande envoyée, par la commune")
    assert_fits_the_phone_screen(page)
    shot(page, "phone-42-visit-request-tracking")

    # The acknowledgement carries the address of the page the contact is looking at.
    request = VisitRequest.objects.get()
    assert (request.commune, request.preferred_dates) == (other_commune, [wanted])
    (message,) = mail.outbox
    assert message.to == ["lea.dubois@mairie-anzin.example.fr"]
    assert visits.tracking_path(request) in message.body
    assert page.url.endswith(visits.tracking_path(request))
