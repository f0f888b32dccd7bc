"""The public registration form, the ticket page and its PDF, .ics and cancellation, as a visitor sees them."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from icalendar import Calendar

from events.models import (
    AttendeeCategory,
    EventKind,
    EventStatus,
    OutgoingEmail,
    Registration,
    RegistrationStatus,
)
from events.services import registrations as service
from territory.models import PARIS
from tests.html import visible_text

from .conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(registration_now):
    # The rate limit counts in the cache: each test starts with a fresh budget.
    cache.clear()


def form_data(commune, **overrides):
    data = {
        "name": "Camille Martin",
        "email": "camille@example.org",
        "phone": "",
        "home_commune": commune.insee_code,
        "category": AttendeeCategory.RESIDENT,
        "organisation_name": "",
        "mandate": "",
        "mandate_commune": "",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def group_data(commune, **overrides):
    data = {
        "structure_kind": "school",
        "structure_name": "Lycée Watteau",
        "level": "high_school",
        "headcount": "24",
        "home_commune": commune.insee_code,
        "teacher_name": "Sophie Lambert",
        "name": "Sophie Lambert",
        "email": "sophie@example.org",
        "phone": "",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def form_url(event):
    return f"/inscription/{event.pk}/"


def code_of(response):
    match = re.fullmatch(r"/billet/([A-Za-z0-9_-]{22})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


# The event page leads to the form ------------------------------------------------------------------


def test_the_event_page_shows_seats_left_and_the_way_to_register(client, breakfast, register_person):
    register_person(breakfast)

    response = client.get(breakfast.url)
    text = visible_text(response)

    assert "Inscrivez-vous en ligne. Il reste 29 places." in text
    assert f'href="/inscription/{breakfast.pk}/"' in response.content.decode()
    assert "Déjà inscrit·e ? Retrouver mon billet" in text


def test_a_full_event_page_offers_the_waiting_list(client, make_event, register_person):
    event = make_event(capacity=1)
    register_person(event)

    text = visible_text(client.get(event.url))

    assert "C'est complet." in text
    assert "Rejoindre la liste d'attente" in text


# The form ---------------------------------------------------------------------------------------


def test_the_form_lists_the_territory_communes_and_outside(client, breakfast, commune, other_commune):
    response = client.get(form_url(breakfast))
    html = response.content.decode()
    text = visible_text(response)

    assert response.status_code == 200
    assert "S'inscrire" in text
    assert "Petit-déjeuner : manger local" in text
    assert "Il reste 30 places." in text
    assert f'<option value="{commune.insee_code}">Valenciennes</option>' in html
    assert f'<option value="{other_commune.insee_code}">Anzin</option>' in html
    assert '<option value="hors">Hors du territoire</option>' in html
    assert "Si vous êtes élu·e" in text


def test_registering_leads_to_the_ticket_page(client, breakfast, commune):
    response = client.post(form_url(breakfast), form_data(commune))

    assert response.status_code == 302
    code = code_of(response)
    registration = Registration.objects.get()
    assert registration.name == "Camille Martin"
    assert registration.home_commune == commune
    assert registration.status == RegistrationStatus.CONFIRMED
    page = client.get(response["Location"])
    text = visible_text(page)
    assert "C'est noté : votre inscription est confirmée." in text
    assert "Votre billet" in text
    assert "Au nom de Camille Martin" in text
    assert "<svg" in page.content.decode()
    assert service.find_ticket(code) == registration.ticket


def test_outside_the_territory(client, breakfast, commune):
    client.post(form_url(breakfast), form_data(commune, home_commune="hors"))

    registration = Registration.objects.get()
    assert registration.outside_territory is True
    assert registration.home_commune is None


def test_missing_fields_are_explained_next_to_them_and_nothing_is_stored(client, breakfast, commune):
    response = client.post(form_url(breakfast), form_data(commune, name="", email="pas-une-adresse", consent=None))
    html = response.content.decode()
    text = visible_text(response)

    assert response.status_code == 200
    assert not Registration.objects.exists()
    assert "Le formulaire contient 3 erreurs." in text
    assert "Indiquez votre nom et votre prénom." in text
    assert "Cette adresse électronique n'est pas valide" in text
    assert "Cochez cette case pour pouvoir vous inscrire." in text
    # Each error is tied to its field, and what was typed is kept.
    assert re.search(r'<input[^>]*name="email"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_email_error[^"]*"[^>]*name="email"', html) or re.search(
        r'<input[^>]*name="email"[^>]*aria-describedby="[^"]*id_email_error', html
    )
    assert 'id="id_email_error"' in html
    assert 'value="pas-une-adresse"' in html


def test_an_elected_official_must_give_mandate_and_commune(client, make_event, commune):
    event = make_event(kind=EventKind.ELECTED_AWARENESS)

    response = client.post(form_url(event), form_data(commune, category=AttendeeCategory.ELECTED))
    text = visible_text(response)

    assert not Registration.objects.exists()
    assert "Indiquez votre mandat." in text
    assert "Indiquez la commune où s'exerce votre mandat." in text

    response = client.post(
        form_url(event),
        form_data(commune, category=AttendeeCategory.ELECTED, mandate="Maire", mandate_commune=commune.insee_code),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.mandate, registration.mandate_commune) == ("Maire", commune)


def test_the_elected_awareness_form_preselects_elected(client, make_event):
    event = make_event(kind=EventKind.ELECTED_AWARENESS)

    html = client.get(form_url(event)).content.decode()

    assert '<option value="elected" selected>Élu·e</option>' in html


def test_a_group_registers_with_its_headcount(client, make_event, commune):
    event = make_event(kind=EventKind.YOUTH_OUTREACH, capacity=60)

    get = client.get(form_url(event))
    assert "Inscrire un groupe" in visible_text(get)
    response = client.post(form_url(event), group_data(commune))

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.is_group is True
    assert registration.seats == 24
    assert registration.organisation_name == "Lycée Watteau"
    assert registration.teacher_name == "Sophie Lambert"
    assert registration.category == AttendeeCategory.YOUNG_PERSON
    text = visible_text(client.get(response["Location"]))
    assert "Le billet du groupe" in text
    assert "Groupe Lycée Watteau, 24 jeunes" in text


def test_a_group_of_zero_is_refused(client, make_event, commune):
    event = make_event(kind=EventKind.YOUTH_OUTREACH)

    response = client.post(form_url(event), group_data(commune, headcount="0", level=""))
    text = visible_text(response)

    assert not Registration.objects.exists()
    assert "Un groupe compte au moins une personne." in text
    assert "Indiquez le niveau du groupe." in text


def test_a_robot_filling_the_honeypot_is_refused(client, breakfast, commune):
    response = client.post(form_url(breakfast), form_data(commune, website="https://spam.example"))

    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, breakfast):
    html = client.get(form_url(breakfast)).content.decode()

    assert re.search(r'<div class="registration-form__trap" aria-hidden="true">\s*<div class="field">', html)
    assert re.search(r'<input[^>]*name="website"[^>]*tabindex="-1"', html)


def test_the_same_email_twice_offers_a_new_link_not_a_second_registration(client, breakfast, commune):
    client.post(form_url(breakfast), form_data(commune))

    response = client.post(form_url(breakfast), form_data(commune, name="Autre", email="CAMILLE@example.org"))
    text = visible_text(response)

    assert Registration.objects.count() == 1
    assert "Vous êtes déjà inscrit·e à cet événement avec cette adresse." in text
    assert "M'envoyer un nouveau lien vers mon billet" in text
    assert f'action="/inscription/{breakfast.pk}/billet-perdu/"' in response.content.decode()


def test_a_full_event_puts_people_on_the_waiting_list(client, make_event, commune, register_person):
    event = make_event(capacity=1)
    register_person(event)

    response = client.post(form_url(event), form_data(commune))
    page = client.get(response["Location"])
    text = visible_text(page)

    assert "L'événement est complet : vous êtes sur la liste d'attente." in text
    assert "Vous êtes n° 1 sur la liste d'attente." in text
    assert "<svg" not in page.content.decode()
    assert "Télécharger le billet (PDF)" not in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": EventStatus.CANCELLED}, "Cet événement est annulé : il ne prend plus d'inscription."),
        ({"registration_closes_at": dt.datetime(2026, 11, 1, tzinfo=PARIS)}, "Les inscriptions sont closes."),
        (
            {"registration_opens_at": dt.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)},
            "Les inscriptions ne sont pas encore ouvertes. Elles ouvriront le mardi 1er décembre 2026, 9 h 00.",
        ),
        ({"kind": EventKind.ITINERANT_VILLAGE}, "Cet événement est en accès libre : il ne prend pas d'inscription."),
    ],
)
def test_a_closed_registration_says_why_and_stores_nothing(client, make_event, commune, fields, message):
    event = make_event(**fields)

    get = client.get(form_url(event))
    post = client.post(form_url(event), form_data(commune))

    assert message in visible_text(get)
    assert message in visible_text(post)
    assert not Registration.objects.exists()


def test_the_window_closing_between_form_and_submit_is_reported(client, breakfast, commune, monkeypatch):
    # The form was shown while open; the service, which decides, finds it closed.
    original = service.register

    def closing(event, **kwargs):
        event.registration_closes_at = dt.datetime(2026, 11, 1, tzinfo=PARIS)
        event.save()
        return original(event, **kwargs)

    monkeypatch.setattr(service, "register", closing)
    response = client.post(form_url(breakfast), form_data(commune))

    assert response.status_code == 200
    assert "Les inscriptions sont closes." in visible_text(response)
    assert not Registration.objects.exists()


def test_an_unknown_or_unpublished_event_is_not_found(client, make_event):
    event = make_event()
    event.unpublish()

    assert client.get(form_url(event)).status_code == 404
    assert client.get("/inscription/999999/").status_code == 404


def test_registrations_are_rate_limited(client, breakfast, commune, monkeypatch):
    from events.views import registrations as views

    monkeypatch.setattr(views, "RATE_LIMIT", 2)
    for n in range(2):
        assert client.post(form_url(breakfast), form_data(commune, email=f"p{n}@example.org")).status_code == 302

    response = client.post(form_url(breakfast), form_data(commune, email="p3@example.org"))

    assert response.status_code == 429
    assert "Trop d'inscriptions depuis votre connexion" in visible_text(response)
    assert Registration.objects.count() == 2


def test_the_registration_form_needs_csrf(breakfast, commune):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(form_url(breakfast), form_data(commune))

    assert response.status_code == 403
    assert not Registration.objects.exists()


# The ticket page -----------------------------------------------------------------------------------


def test_the_ticket_page_shows_event_person_status_and_qr(client, breakfast, venue, registered):
    breakfast.venue = venue
    breakfast.save()
    registration, code = registered

    response = client.get(f"/billet/{code}/")
    html = response.content.decode()
    text = visible_text(response)

    assert response.status_code == 200
    assert "Petit-déjeuner : manger local" in text
    assert "Quand jeudi 10 décembre 2026, 8 h 30 – 10 h 00" in text
    assert "Où Salle des fêtes 59300 Valenciennes" in text
    assert "Au nom de Camille Martin" in text
    assert "Catégorie Habitant·e" in text
    assert "Confirmée" in text
    assert 'role="img"' in html and "<path d=" in html
    assert f'href="/billet/{code}/billet.pdf"' in html
    assert f'href="/billet/{code}/evenement.ics"' in html
    assert f'href="/billet/{code}/annuler/"' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    # No database id of the person anywhere in the page's links.
    assert f"/{registration.pk}/" not in html.replace(f"/inscription/{breakfast.pk}/", "")


@pytest.mark.parametrize("code", ["A" * 22, "trop-court", "A" * 23])
def test_an_unknown_code_is_a_french_404(client, registered, code):
    response = client.get(f"/billet/{code}/")

    assert response.status_code == 404
    assert "Billet introuvable" in visible_text(response)
    assert response["Cache-Control"] == "private, no-store"


def test_a_revoked_ticket_is_a_404_everywhere(client, registration, ticket_code):
    service.revoke_ticket(registration.ticket)

    for suffix in ["", "billet.pdf", "evenement.ics", "annuler/"]:
        assert client.get(f"/billet/{ticket_code}/{suffix}").status_code == 404


def test_the_pdf_ticket(client, ticket_code):
    response = client.get(f"/billet/{ticket_code}/billet.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"


def test_a_waiting_registration_has_no_pdf_yet(client, make_event, register_person):
    event = make_event(capacity=1)
    register_person(event)
    _, code = register_person(event)

    response = client.get(f"/billet/{code}/billet.pdf")

    assert response.status_code == 302
    assert response["Location"] == f"/billet/{code}/"


def test_the_event_calendar(client, breakfast, ticket_code):
    response = client.get(f"/billet/{ticket_code}/evenement.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Petit-déjeuner : manger local"
    assert str(event["URL"]) == f"http://testserver/agenda/{breakfast.slug}/"


# Cancelling ------------------------------------------------------------------------------------


def test_cancelling_asks_for_confirmation_then_frees_the_seat(client, make_event, register_person):
    event = make_event(capacity=1)
    registration, code = register_person(event)
    waiting, _ = register_person(event)

    confirm = client.get(f"/billet/{code}/annuler/")
    assert "Annuler votre inscription ?" in visible_text(confirm)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED

    response = client.post(f"/billet/{code}/annuler/")

    assert response.status_code == 302
    assert response["Location"] == f"/billet/{code}/"
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    text = visible_text(client.get(f"/billet/{code}/"))
    assert "Votre inscription est annulée. Merci d'avoir libéré votre place." in text
    assert "Cette inscription est annulée." in text
    assert "Annuler mon inscription" not in text


def test_cancelling_twice_is_harmless(client, ticket_code, registration):
    client.post(f"/billet/{ticket_code}/annuler/")
    response = client.post(f"/billet/{ticket_code}/annuler/")

    assert response.status_code == 302
    assert Registration.objects.get().status == RegistrationStatus.CANCELLED


def test_cancelling_after_the_start_is_refused_in_french(client, ticket_code, registration, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 10, 9, 0, tzinfo=PARIS), tick=False)

    response = client.post(f"/billet/{ticket_code}/annuler/")

    assert response.status_code == 409
    assert "L'événement a commencé : l'inscription ne peut plus être annulée en ligne." in visible_text(response)
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED


def test_the_cancel_page_is_private(client, ticket_code):
    response = client.get(f"/billet/{ticket_code}/annuler/")

    assert response["Cache-Control"] == "private, no-store"


# Lost tickets ----------------------------------------------------------------------------------


def test_a_lost_ticket_gets_a_new_link_by_email(client, breakfast, registration, ticket_code):
    get = client.get(f"/inscription/{breakfast.pk}/billet-perdu/")
    assert "Retrouver mon billet" in visible_text(get)

    response = client.post(f"/inscription/{breakfast.pk}/billet-perdu/", {"email": "Camille@Example.org"})

    assert "un nouveau lien vers le billet vient d'y être envoyé" in visible_text(response)
    email = OutgoingEmail.objects.get(kind="ticket_link")
    assert email.to == "camille@example.org"
    assert service.find_ticket(ticket_code) is None


def test_an_unknown_address_gets_the_same_answer(client, breakfast, registration):
    response = client.post(f"/inscription/{breakfast.pk}/billet-perdu/", {"email": "personne@example.org"})

    assert "un nouveau lien vers le billet vient d'y être envoyé" in visible_text(response)
    assert not OutgoingEmail.objects.filter(kind="ticket_link").exists()


def test_a_bad_address_is_explained(client, breakfast):
    response = client.post(f"/inscription/{breakfast.pk}/billet-perdu/", {"email": "nope"})

    assert "Cette adresse électronique n'est pas valide" in visible_text(response)


def test_no_lost_ticket_page_for_a_village_stop(client, make_event):
    event = make_event(kind=EventKind.ITINERANT_VILLAGE)

    assert client.get(f"/inscription/{event.pk}/billet-perdu/").status_code == 404


# Outsiders -------------------------------------------------------------------------------------


def test_a_logged_in_outsider_sees_no_ticket_without_its_code(client, outsider, registration):
    client.force_login(outsider)

    assert client.get(f"/billet/{registration.ticket.code_hash}/").status_code == 404
    assert client.get(f"/billet/{registration.pk}/").status_code == 404


def test_the_same_person_twice_through_the_service_and_the_form(client, breakfast, commune):
    service.register(breakfast, **person(email="camille@example.org"))

    response = client.post(form_url(breakfast), form_data(commune))

    assert "Vous êtes déjà inscrit·e" in visible_text(response)
