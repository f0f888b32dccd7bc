"""A person becomes a volunteer on a phone: signs up, follows the email's link, fills in their week."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from volunteers.models import VolunteerProfile

pytestmark = pytest.mark.browser

LINK = re.compile(r"http://testserver(/benevolat/confirmer/\S+/)")


def assert_fits_the_phone_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"


def test_a_person_signs_up_confirms_and_fills_in_their_week(live_server, phone, commune, settings, shot):
    # The live server runs in this process: its emails land in this outbox.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    page = phone
    page.goto(live_server.url + "/benevolat/inscription/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Devenir bénévole")

    # Sent without the consent: the error is next to the box, and nothing typed is lost.
    page.get_by_label("Prénom").fill("Lou")
    page.get_by_label(re.compile(r"^Nom")).fill("Bernard")
    page.get_by_label("Adresse électronique").fill("lou.bernard@example.org")
    page.get_by_label("Mot de passe").fill("Bénévolat-2026!")
    page.get_by_label("Commune de résidence").select_option(label="Valenciennes")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator("#id_consent_error")).to_have_text("Cochez cette case pour créer votre compte.")
    expect(page.get_by_label("Prénom")).to_have_value("Lou")
    assert_fits_the_phone_screen(page)

    page.get_by_label("Mot de passe").fill("Bénévolat-2026!")
    page.get_by_label("J'accepte que ces informations servent").check()
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    shot(page, "phone-60-volunteer-signup-sent")

    [email] = mail.outbox
    page.goto(live_server.url + LINK.search(email.body).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil de bénévole")
    expect(page.get_by_text("Votre compte est activé.")).to_be_visible()
    assert_fits_the_phone_screen(page)

    page.get_by_label("samedi matin").check()
    page.get_by_label("mercredi soir").check()
    page.get_by_label("Accueil").check()
    page.get_by_label("Distance que vous acceptez de parcourir (km)").fill("20")
    page.get_by_role("button", name="Enregistrer mon profil").click()

    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()
    expect(page.get_by_label("samedi matin")).to_be_checked()
    expect(page.get_by_label("mercredi soir")).to_be_checked()
    expect(page.get_by_label("samedi après-midi")).not_to_be_checked()
    expect(page.get_by_label("Distance que vous acceptez de parcourir (km)")).to_have_value("20")
    assert_fits_the_phone_screen(page)
    shot(page, "phone-61-volunteer-profile")
    profile = VolunteerProfile.objects.get(user__username="lou.bernard@example.org")
    assert profile.availability_bits == (1 << 15) | (1 << 8)
