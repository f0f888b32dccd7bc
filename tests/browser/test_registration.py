"""A visitor registers from an event page and gets a ticket whose QR a phone can read."""

import re

import pytest
import zxingcpp
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from events.models import Registration, RegistrationStatus
from tests.browser.test_accessibility import HEADINGS, SMALL_TARGETS, UNLABELLED_CONTROLS

pytestmark = pytest.mark.browser

TICKET_URL = re.compile(r"/billet/([A-Za-z0-9_-]{22})/$")


def assert_fits_the_phone_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"


def decode_element(locator, tmp_path, name="qr.png") -> list[str]:
    path = tmp_path / name
    locator.screenshot(path=str(path))
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(path))]


def test_a_visitor_registers_for_a_breakfast_on_a_phone(live_server, phone, season, shot, tmp_path):
    page = phone
    breakfast = season["breakfast"]
    page.goto(live_server.url + breakfast.url)
    next_step = page.get_by_role("region", name="Et maintenant ?")
    expect(next_step).to_contain_text("Il reste 30 places.")
    next_step.get_by_role("link", name="S'inscrire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("S'inscrire")
    expect(page.locator(".registration-event__title")).to_have_text(breakfast.title)
    assert_fits_the_phone_screen(page)
    shot(page, "phone-20-registration-form")

    # Sent half-filled: each error is shown next to its field, and nothing typed is lost.
    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_label("Adresse électronique").fill("camille.martin@example")
    page.get_by_role("button", name="Valider mon inscription").click()
    expect(page.locator(".notice--error")).to_contain_text("Le formulaire contient 4 erreurs.")
    email = page.get_by_label("Adresse électronique")
    expect(email).to_have_attribute("aria-invalid", "true")
    assert "id_email_error" in email.get_attribute("aria-describedby")
    expect(page.locator("#id_email_error")).to_contain_text("Cette adresse électronique n'est pas valide")
    expect(page.locator("#id_consent_error")).to_have_text("Cochez cette case pour pouvoir vous inscrire.")
    expect(page.get_by_label("Nom et prénom")).to_have_value("Camille Martin")
    assert_fits_the_phone_screen(page)
    shot(page, "phone-21-registration-errors")

    email.fill("camille.martin@example.org")
    page.get_by_label("Commune de résidence").select_option(label="Valenciennes")
    page.get_by_label("Vous venez en tant que").select_option(label="Habitant·e")
    page.get_by_label("J'accepte que ces informations servent").check()
    page.get_by_role("button", name="Valider mon inscription").click()

    expect(page).to_have_url(TICKET_URL)
    code = TICKET_URL.search(page.url).group(1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre billet")
    expect(page.get_by_role("status")).to_contain_text("C'est noté : votre inscription est confirmée.")
    ticket = page.locator(".ticket")
    expect(ticket).to_contain_text("Camille Martin")
    expect(ticket).to_contain_text("Confirmée")
    expect(ticket).to_contain_text("Maison des associations")
    qr = page.locator(".ticket__qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 200, "the QR is too small to scan from a phone screen"
    assert_fits_the_phone_screen(page)
    shot(page, "phone-22-ticket")

    # The QR in the page is the ticket's link, as an ordinary scanner reads it.
    assert decode_element(qr, tmp_path) == [f"http://testserver/billet/{code}/"]

    registration = Registration.objects.get(email="camille.martin@example.org")
    assert registration.status == RegistrationStatus.CONFIRMED
    (message,) = mail.outbox
    assert f"/billet/{code}/" in message.body
    expect(page.get_by_role("link", name="Télécharger le billet (PDF)")).to_have_attribute(
        "href", f"/billet/{code}/billet.pdf"
    )
    expect(page.get_by_role("link", name="Ajouter à mon agenda (.ics)")).to_have_attribute(
        "href", f"/billet/{code}/evenement.ics"
    )


def test_a_visitor_cancels_from_the_ticket_page(live_server, desktop, season, shot):
    page = desktop
    page.goto(live_server.url + f"/inscription/{season['elected'].pk}/")
    expect(page.get_by_label("Vous venez en tant que")).to_have_value("elected")
    shot(page, "desktop-20-registration-form-elected")
    page.get_by_label("Nom et prénom").fill("Jean Dubois")
    page.get_by_label("Adresse électronique").fill("jean.dubois@example.org")
    page.get_by_label("Commune de résidence").select_option(label="Anzin")
    page.get_by_role("textbox", name="Mandat (pour les élu·es)").fill("Adjoint au maire")
    page.get_by_label("Commune du mandat (pour les élu·es)").select_option(label="Anzin")
    page.get_by_label("J'accepte que ces informations servent").check()
    page.get_by_role("button", name="Valider mon inscription").click()
    expect(page).to_have_url(TICKET_URL)
    shot(page, "desktop-21-ticket")

    page.get_by_role("link", name="Annuler mon inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuler votre inscription ?")
    shot(page, "desktop-22-cancel")
    page.get_by_role("button", name="Oui, annuler mon inscription").click()

    expect(page).to_have_url(TICKET_URL)
    expect(page.get_by_role("status")).to_contain_text("Votre inscription est annulée.")
    expect(page.locator(".ticket")).to_contain_text("Cette inscription est annulée.")
    expect(page.locator(".ticket__qr")).to_have_count(0)
    assert Registration.objects.get().status == RegistrationStatus.CANCELLED
    shot(page, "desktop-23-ticket-cancelled")


def test_a_teacher_registers_a_class(live_server, phone, season, shot):
    page = phone
    page.goto(live_server.url + season["youth"].url)
    page.get_by_role("region", name="Et maintenant ?").get_by_role("link", name="Inscrire un groupe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscrire un groupe")
    page.get_by_label("Type de structure").select_option(label="Établissement scolaire")
    page.get_by_label("Nom de l'établissement ou de la structure").fill("Lycée Henri Wallon")
    page.get_by_label("Niveau").select_option(label="Lycée")
    page.get_by_label("Nombre de jeunes").fill("24")
    page.get_by_label("Commune de l'établissement").select_option(label="Valenciennes")
    page.get_by_label("Enseignant·e ou encadrant·e référent·e").fill("Sophie Lambert")
    page.get_by_label("Vos nom et prénom").fill("Sophie Lambert")
    page.get_by_label("Adresse électronique").fill("sophie.lambert@example.org")
    page.get_by_label("J'accepte que ces informations servent").check()
    assert_fits_the_phone_screen(page)
    shot(page, "phone-23-group-form")
    page.get_by_role("button", name="Inscrire le groupe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Le billet du groupe")
    expect(page.locator(".ticket")).to_contain_text("Lycée Henri Wallon, 24 jeunes")
    assert_fits_the_phone_screen(page)
    shot(page, "phone-24-group-ticket")


# A checkbox is small, but its label, which toggles it too, is the target a finger hits.
SMALL_TARGETS_BUT_CHECKBOXES = SMALL_TARGETS.replace(
    ".filter((el) => el.offsetParent !== null)",
    ".filter((el) => el.offsetParent !== null && el.type !== 'checkbox')",
)


def test_registration_pages_are_accessible(live_server, desktop, phone, season):
    for page in (desktop, phone):
        for url in [f"/inscription/{season['breakfast'].pk}/", f"/inscription/{season['youth'].pk}/"]:
            page.goto(live_server.url + url)
            levels = page.evaluate(HEADINGS)
            assert levels.count(1) == 1 and levels[0] == 1, (url, levels)
            assert page.evaluate(UNLABELLED_CONTROLS) == [], url
            assert page.evaluate(SMALL_TARGETS_BUT_CHECKBOXES) == [], url
            assert page.locator("label[for=id_consent]").bounding_box()["height"] >= 44, url
            # The honeypot is neither seen nor reachable with the keyboard.
            expect(page.locator("#id_website")).not_to_be_in_viewport()
            assert page.locator("#id_website").get_attribute("tabindex") == "-1"
