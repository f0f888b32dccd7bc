"""Registrations in the admin ("Inscriptions"): list, filters, search, CSV export, walk-ins, cancellation, roles."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import AttendeeCategory, EventKind, Registration, RegistrationSource, RegistrationStatus
from events.services import registrations as service
from events.wagtail_hooks import promote_waitlist_after_publish
from tests.html import visible_text

from .conftest import person

pytestmark = pytest.mark.django_db

INDEX = "/admin/inscriptions/"
ADD = "/admin/inscriptions/new/"


@pytest.fixture(autouse=True)
def _now(registration_now):
    pass


@pytest.fixture
def organiser_client(client, organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)
    return client


@pytest.fixture
def checkin_staff(django_user_model):
    user = django_user_model.objects.create_user("porte", "porte@example.org", "secret-pass-2")
    user.groups.add(Group.objects.get(name="Équipe de pointage"))
    return user


def walk_in_data(event, **overrides):
    data = {
        "event": event.pk,
        "source": RegistrationSource.WALK_IN,
        "name": "Jeanne Dupont",
        "email": "jeanne@example.org",
        "phone": "",
        "home_commune": "",
        "category": AttendeeCategory.RESIDENT,
        "organisation_name": "",
        "mandate": "",
        "mandate_commune": "",
        "structure_kind": "",
        "teacher_name": "",
        "level": "",
        "headcount": "1",
    }
    data.update(overrides)
    return data


def export_rows(response):
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


# Listing ----------------------------------------------------------------------------------------


def test_the_list_shows_event_name_category_status_seats(organiser_client, breakfast, register_person):
    register_person(breakfast, name="Camille Martin", category=AttendeeCategory.ESS_ORGANISATION)

    response = organiser_client.get(INDEX)
    text = visible_text(response)

    assert response.status_code == 200
    assert "Inscriptions" in text
    assert "Camille Martin" in text
    assert "Petit-déjeuner : manger local (10 décembre 2026)" in text
    assert "Structure de l'ESS" in text
    assert "Confirmée" in text
    assert "En ligne" in text


def test_the_list_is_constant_query(organiser_client, breakfast, make_event, register_person):
    register_person(breakfast)
    with CaptureQueriesContext(connection) as few:
        organiser_client.get(INDEX)
    other = make_event(capacity=2)
    for _ in range(6):
        register_person(other)
    with CaptureQueriesContext(connection) as many:
        organiser_client.get(INDEX)

    assert len(many) == len(few)


def test_filter_by_event_and_status(organiser_client, breakfast, make_event, register_person):
    other = make_event(capacity=1, title="Autre rendez-vous")
    register_person(breakfast, name="Ana Petitdej")
    register_person(other, name="Bruno Confirmé")
    register_person(other, name="Chloé Attente")

    by_event = visible_text(organiser_client.get(INDEX, {"event": other.pk}))
    waiting = visible_text(organiser_client.get(INDEX, {"event": other.pk, "status": "waitlisted"}))

    assert "Bruno Confirmé" in by_event and "Chloé Attente" in by_event and "Ana Petitdej" not in by_event
    assert "Chloé Attente" in waiting and "Bruno Confirmé" not in waiting


def test_search_by_name_ignoring_accents_and_by_email(organiser_client, breakfast, register_person):
    register_person(breakfast, name="Hélène Lefèvre", email="helene@example.org")
    register_person(breakfast, name="Marc Durand", email="marc@example.org")

    by_name = visible_text(organiser_client.get(INDEX, {"q": "lefevre"}))
    by_email = visible_text(organiser_client.get(INDEX, {"q": "marc@example"}))

    assert "Hélène Lefèvre" in by_name and "Marc Durand" not in by_name
    assert "Marc Durand" in by_email and "Hélène Lefèvre" not in by_email


def test_csv_export_with_french_headings_and_no_formula(organiser_client, breakfast, commune, register_person):
    register_person(breakfast, name='=HYPERLINK("http://evil.example")', home_commune=commune)
    register_person(breakfast, name="Ana", outside_territory=True, organisation_name="@SUM(A1)")

    response = organiser_client.get(INDEX, {"export": "csv", "event": breakfast.pk})
    rows = export_rows(response)

    assert response["Content-Disposition"] == 'attachment; filename="inscriptions.csv"'
    assert rows[0][:6] == ["Événement", "Date de l'événement", "Nom et prénom", "Courriel", "Téléphone", "Statut"]
    names = {row[2]: row for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example")' in names
    assert names['\'=HYPERLINK("http://evil.example")'][8] == "Valenciennes"
    assert names["Ana"][7] == "'@SUM(A1)"
    assert names["Ana"][8] == "Hors du territoire"
    assert names["Ana"][1] == "2026-12-10 08:30"


# Walk-ins ---------------------------------------------------------------------------------------


def test_an_organiser_adds_a_walk_in_beyond_capacity(organiser_client, organiser, make_event, register_person):
    event = make_event(capacity=1)
    register_person(event)

    form = organiser_client.get(ADD, {"event": event.pk})
    assert form.status_code == 200
    assert f'<option value="{event.pk}" selected>' in form.content.decode()
    response = organiser_client.post(ADD, walk_in_data(event))

    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}?event={event.pk}"
    walk_in = Registration.objects.get(email="jeanne@example.org")
    assert walk_in.source == RegistrationSource.WALK_IN
    assert walk_in.status == RegistrationStatus.CONFIRMED
    assert walk_in.consent_at is None
    assert hasattr(walk_in, "ticket")
    assert "Jeanne Dupont est inscrit·e." in visible_text(organiser_client.get(response["Location"]))


def test_added_by_the_team_ahead_of_time_waits_when_full(organiser_client, make_event, register_person):
    event = make_event(capacity=1)
    register_person(event)

    organiser_client.post(ADD, walk_in_data(event, source=RegistrationSource.ORGANISER, consent="on"))

    added = Registration.objects.get(email="jeanne@example.org")
    assert added.status == RegistrationStatus.WAITLISTED
    assert added.consent_at is not None


def test_a_walk_in_already_registered_is_refused_with_a_message(organiser_client, breakfast, registration):
    response = organiser_client.post(ADD, walk_in_data(breakfast, email="camille@example.org"))

    assert response.status_code == 200
    assert "Déjà inscrit·e à cet événement (Confirmée)." in visible_text(response)
    assert Registration.objects.count() == 1


def test_a_walk_in_elected_official_gives_a_mandate(organiser_client, breakfast):
    response = organiser_client.post(ADD, walk_in_data(breakfast, category=AttendeeCategory.ELECTED))

    assert "Un·e élu·e indique son mandat et la commune où il s'exerce." in visible_text(response)
    assert not Registration.objects.exists()


def test_a_group_walk_in_takes_its_headcount(organiser_client, make_event):
    event = make_event(kind=EventKind.YOUTH_OUTREACH, capacity=10)

    organiser_client.post(
        ADD,
        walk_in_data(
            event,
            category=AttendeeCategory.YOUNG_PERSON,
            is_group="on",
            organisation_name="Collège Chasse Royale",
            structure_kind="school",
            level="middle_school",
            headcount="28",
        ),
    )

    group = Registration.objects.get()
    assert (group.is_group, group.seats, group.status) == (True, 28, RegistrationStatus.CONFIRMED)


def test_walk_ins_only_for_events_taking_registrations(organiser_client, make_event):
    village = make_event(kind=EventKind.ITINERANT_VILLAGE)

    response = organiser_client.post(ADD, walk_in_data(village))

    assert response.status_code == 200
    assert not Registration.objects.exists()


# Cancelling -------------------------------------------------------------------------------------


def test_an_organiser_cancels_and_the_waiting_list_moves(organiser_client, organiser, make_event, register_person):
    event = make_event(capacity=1)
    first, _ = register_person(event, name="Ana")
    waiting, _ = register_person(event, name="Bruno")

    confirm = organiser_client.get(f"{INDEX}cancel/{first.pk}/")
    assert "Inscription de Ana à « " in visible_text(confirm)
    assert "Oui, annuler l'inscription" in visible_text(confirm)
    response = organiser_client.post(f"{INDEX}cancel/{first.pk}/")

    assert response.status_code == 302
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, first.cancelled_by) == (RegistrationStatus.CANCELLED, organiser)
    assert waiting.status == RegistrationStatus.CONFIRMED
    text = visible_text(organiser_client.get(response["Location"]))
    assert "L'inscription de Ana est annulée. Sorti·es de la liste d'attente : Bruno." in text


def test_cancelling_twice_in_the_admin_says_so(organiser_client, registration):
    organiser_client.post(f"{INDEX}cancel/{registration.pk}/")
    response = organiser_client.post(f"{INDEX}cancel/{registration.pk}/", follow=True)

    assert "Cette inscription est déjà annulée." in visible_text(response)


def test_the_actions_are_offered_in_the_list(organiser_client, registration):
    html = organiser_client.get(INDEX).content.decode()

    for action in ["cancel", "resend", "revoke"]:
        assert f"{INDEX}{action}/{registration.pk}/" in html


def test_an_organiser_resends_the_ticket(organiser_client, registration, ticket_code):
    response = organiser_client.post(f"{INDEX}resend/{registration.pk}/", follow=True)

    assert "Un nouveau billet a été envoyé à camille@example.org." in visible_text(response)
    assert service.find_ticket(ticket_code) is None
    assert registration.emails.filter(kind="ticket_link").count() == 1


def test_an_organiser_revokes_a_leaked_ticket(organiser_client, registration, ticket_code):
    response = organiser_client.post(f"{INDEX}revoke/{registration.pk}/", follow=True)

    assert "Le billet de Camille Martin est révoqué." in visible_text(response)
    assert service.find_ticket(ticket_code) is None
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    html = organiser_client.get(INDEX).content.decode()
    assert f"{INDEX}revoke/{registration.pk}/" not in html
    again = organiser_client.post(f"{INDEX}revoke/{registration.pk}/", follow=True)
    assert "Ce billet est déjà révoqué." in visible_text(again)


def test_editing_contact_details_cannot_duplicate_an_address(organiser_client, breakfast, register_person):
    register_person(breakfast, email="ana@example.org")
    other, _ = register_person(breakfast, email="bruno@example.org")

    response = organiser_client.post(
        f"{INDEX}edit/{other.pk}/",
        {"name": "Bruno", "email": "ANA@example.org", "phone": "", "category": "resident"},
    )

    assert "Une autre inscription à cet événement utilise déjà cette adresse." in visible_text(response)
    other.refresh_from_db()
    assert other.email == "bruno@example.org"


def test_the_inspect_view_shows_the_ticket_and_waiting_rank(organiser_client, make_event, register_person):
    event = make_event(capacity=1)
    register_person(event)
    waiting, _ = register_person(event, name="Bruno")

    text = visible_text(organiser_client.get(f"{INDEX}inspect/{waiting.pk}/"))

    assert "Rang d'attente 1" in text
    assert "Billet valide" in text


# Roles ------------------------------------------------------------------------------------------


def test_an_outsider_sees_nothing(client, outsider, registration):
    client.force_login(outsider)

    for url in [INDEX, ADD, f"{INDEX}cancel/{registration.pk}/", f"{INDEX}inspect/{registration.pk}/"]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
    for action in ["cancel", "resend", "revoke"]:
        assert client.post(f"{INDEX}{action}/{registration.pk}/").status_code in (302, 403)
    registration.ticket.refresh_from_db()
    assert registration.ticket.revoked_at is None
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_anonymous_visitors_are_sent_to_the_login(client, registration):
    response = client.get(INDEX)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_checkin_staff_have_no_access_to_the_admin_registrations(client, checkin_staff, registration):
    # Door staff work in /pointage/; the admin is the organisers' back office.
    client.force_login(checkin_staff)

    assert client.get(INDEX).status_code in (302, 403)
    assert client.get(ADD).status_code in (302, 403)
    assert client.post(f"{INDEX}cancel/{registration.pk}/").status_code in (302, 403)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


# Capacity raised in the page editor ---------------------------------------------------------------


def test_publishing_a_higher_capacity_promotes_the_waiting_list(rf, make_event, register_person, organiser):
    event = make_event(capacity=1)
    register_person(event)
    waiting, _ = register_person(event)
    event.capacity = 2
    event.save()
    request = rf.post("/admin/pages/")
    request.user = organiser
    request.session = {}
    request._messages = FallbackStorage(request)

    promote_waitlist_after_publish(request, event)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert "Places libérées : 1 inscription(s) sortie(s)" in str(list(request._messages)[0])


def test_the_service_registers_through_the_admin_and_the_site_alike(breakfast, organiser):
    online, _ = service.register(breakfast, **person())
    walk_in, _ = service.register(breakfast, **person(), source=RegistrationSource.WALK_IN, by=organiser)

    assert {online.source, walk_in.source} == {RegistrationSource.ONLINE, RegistrationSource.WALK_IN}
