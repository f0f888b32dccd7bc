"""Two territories in one installation: the events' back office and the check-in staff's API and pages.

`organiser` acts for Valenciennes Métropole, `other_organiser` for Sambre-Avesnois, both with the
same permissions. Everything of Sambre-Avesnois (a village stop with a stand, a commune's request,
a breakfast with a registration, a kit day) answers 404 to `organiser`, never shows in their lists
or form choices, and shows to `other_organiser`.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from events.models import (
    ApiToken,
    CheckIn,
    EventKind,
    EventStatus,
    KitDay,
    Pitch,
    Stand,
    StandStatus,
    VisitRequest,
    VisitRequestStatus,
)
from events.services import checkin as checkin_service
from events.services import village as village_service
from events.services.visits import submit_visit_request
from events.tokens import hash_code, new_code
from territory.models import PARIS, LegalForm, Organisation, Venue
from tests.events.checkin_fixtures import *  # noqa: F403
from tests.events.checkin_fixtures import DOOR_OPEN
from tests.html import visible_text

from .conftest import visit_request_values

pytestmark = pytest.mark.usefixtures("door_open")

ELSEWHERE = "Maubeuge"  # in every name of the second territory's objects


@pytest.fixture
def organisers(village_organiser):
    """`organiser` with the Organisateurs' rights, given BEFORE other_organiser copies them."""
    village_organiser.groups.add(Group.objects.get(name="Organisateurs"))
    return village_organiser


@pytest.fixture
def teams(organisers, other_organiser):
    return {"organiser": organisers, "other_organiser": other_organiser}


@pytest.fixture
def sambre(second_commune, make_event, make_ticket, django_capture_on_commit_callbacks):
    """The second territory's objects, by name."""
    market = Venue.objects.create(
        commune=second_commune,
        name="Marché de Maubeuge",
        kind="market",
        recurrence="FREQ=WEEKLY;BYDAY=SA",
        opens_at=dt.time(8, 0),
        closes_at=dt.time(13, 0),
    )
    stop = make_event(
        EventKind.ITINERANT_VILLAGE,
        start=dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS),
        hours=5,
        venue=market,
        title="Village à Maubeuge",
    )
    Pitch.objects.create(stop=stop, number=1)
    organisation = Organisation.objects.create(
        name="Recyclerie de Maubeuge",
        slug="recyclerie-maubeuge",
        legal_form=LegalForm.ASSOCIATION,
        commune=second_commune,
        summary="Une structure de l'ESS.",
    )
    stand = village_service.apply_for_stand(
        stop, organisation, contact_name="Inès Maubeuge", contact_email="ines@maubeuge.example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = submit_visit_request(
            **visit_request_values(second_commune, preferred_dates=[dt.date(2027, 3, 6)], contact_name="Élu Maubeuge")
        )
    breakfast = make_event(title="Petit-déjeuner à Maubeuge", commune=second_commune, capacity=30)
    ticket = make_ticket(breakfast, name="Hélène Maubeuge")
    checkin = CheckIn.objects.create(event=breakfast, ticket=ticket, checked_in_at=DOOR_OPEN)
    second_ticket = make_ticket(breakfast, name="Paul Maubeuge")
    kit_day = KitDay.objects.create(
        territory=second_commune.territory, date=dt.date(2027, 1, 9), kits=3, reason="Faites de l'ESS à Maubeuge"
    )
    return {
        "market": market,
        "stop": stop,
        "organisation": organisation,
        "stand": stand,
        "request": request,
        "breakfast": breakfast,
        "registration": ticket.registration,
        "ticket": second_ticket,
        "checkin": checkin,
        "kit_day": kit_day,
    }


def text_of(response) -> str:
    if response.streaming:  # the CSV export
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Pages and endpoints about one object: 404 for the first territory's organiser ---------------------------

OBJECT_PAGES = {
    "visit request": lambda s: f"/admin/demandes-des-communes/inspect/{s['request'].pk}/",
    "stop's stands": lambda s: f"/admin/stands/etape/{s['stop'].pk}/",
    "kit day": lambda s: f"/admin/kits-du-village/edit/{s['kit_day'].pk}/",
    "cancel or move": lambda s: f"/admin/evenements/{s['stop'].pk}/annuler-ou-reporter/",
    "venue occurrences": lambda s: f"/admin/village/venue/{s['market'].pk}/occurrences/",
    "registration": lambda s: f"/admin/inscriptions/inspect/{s['registration'].pk}/",
    "registration edit": lambda s: f"/admin/inscriptions/edit/{s['registration'].pk}/",
    "registration history": lambda s: f"/admin/inscriptions/history/{s['registration'].pk}/",
    "registration cancel": lambda s: f"/admin/inscriptions/cancel/{s['registration'].pk}/",
    "invite a contact": lambda s: f"/admin/structures/{s['organisation'].pk}/inviter/",
    "check-in page": lambda s: f"/pointage/{s['breakfast'].pk}/",
    "offline list": lambda s: f"/api/v1/events/{s['breakfast'].pk}/checkin-list",
    "attendee search": lambda s: f"/api/v1/events/{s['breakfast'].pk}/attendees?q=Maubeuge",
}
OBJECT_PDFS = {
    "stand plan": lambda s: f"/admin/stands/etape/{s['stop'].pk}/plan-des-stands.pdf",
    "badges": lambda s: f"/admin/stands/etape/{s['stop'].pk}/badges.pdf",
    "attendance sheet": lambda s: f"/pointage/{s['breakfast'].pk}/emargement.pdf",
    "poster": lambda s: f"/bienvenue/{s['stop'].pk}/affiche.pdf",
}


@pytest.mark.parametrize("url", OBJECT_PAGES.values(), ids=OBJECT_PAGES.keys())
def test_another_territorys_object_is_a_404_and_shows_to_its_team(teams, sambre, url):
    refused = client_for(teams["organiser"]).get(url(sambre))
    assert refused.status_code == 404
    assert ELSEWHERE not in refused.content.decode()

    shown = client_for(teams["other_organiser"]).get(url(sambre))
    assert shown.status_code == 200
    assert ELSEWHERE in shown.content.decode()


@pytest.mark.parametrize("url", OBJECT_PDFS.values(), ids=OBJECT_PDFS.keys())
def test_another_territorys_pdf_is_a_404_and_prints_for_its_team(teams, sambre, url):
    assert client_for(teams["organiser"]).get(url(sambre)).status_code == 404

    shown = client_for(teams["other_organiser"]).get(url(sambre))
    assert shown.status_code == 200
    assert shown["Content-Type"] == "application/pdf"
    assert shown.content.startswith(b"%PDF")


def test_a_stand_link_leads_to_its_stop_for_its_team_only(teams, sambre):
    url = f"/admin/stands/edit/{sambre['stand'].pk}/"
    assert client_for(teams["organiser"]).get(url).status_code == 404
    response = client_for(teams["other_organiser"]).get(url)
    assert response["Location"] == f"/admin/stands/etape/{sambre['stop'].pk}/#stand-{sambre['stand'].pk}"


def test_the_event_counts_are_a_404_for_another_territory(teams, sambre):
    url = f"/api/v1/events/{sambre['breakfast'].pk}/checkin-counts"
    refused = client_for(teams["organiser"]).get(url)
    assert refused.status_code == 404
    assert refused.json()["detail"][0]["code"] == "event_not_found"
    assert client_for(teams["other_organiser"]).get(url).json()["present"] == 1


def test_an_api_token_acts_for_its_users_territory(teams, sambre):
    def token_client(user):
        token = new_code()
        ApiToken.objects.create(user=user, label="Script", token_hash=hash_code(token))
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    url = f"/api/v1/events/{sambre['breakfast'].pk}/checkin-list"
    assert token_client(teams["organiser"]).get(url).status_code == 404
    names = [t["name"] for t in token_client(teams["other_organiser"]).get(url).json()["tickets"]]
    assert names == ["Hélène Maubeuge", "Paul Maubeuge"]


# Lists and form choices: nothing of the other territory ---------------------------------------------------

LISTS = {
    "visit requests": lambda s: "/admin/demandes-des-communes/",
    "stands": lambda s: "/admin/stands/",
    "kit days": lambda s: "/admin/kits-du-village/",
    "kit day form": lambda s: "/admin/kits-du-village/new/",
    "events": lambda s: "/admin/events/",
    "registrations": lambda s: "/admin/inscriptions/",
    "registrations export": lambda s: "/admin/inscriptions/?export=csv",
    "walk-in form": lambda s: "/admin/inscriptions/new/",
    "check-in events": lambda s: "/pointage/",
}


@pytest.mark.parametrize("url", LISTS.values(), ids=LISTS.keys())
def test_lists_and_choices_leave_out_another_territory(teams, sambre, url):
    own = client_for(teams["organiser"]).get(url(sambre))
    assert own.status_code == 200
    assert ELSEWHERE not in text_of(own)
    assert "Sambre-Avesnois" not in text_of(own)

    other = client_for(teams["other_organiser"]).get(url(sambre))
    assert other.status_code == 200
    assert ELSEWHERE in text_of(other) or "Sambre-Avesnois" in text_of(other)


def test_a_stop_offers_only_the_organisers_territorys_organisations_and_venues(
    teams, sambre, stop, organisation, make_event, venue
):
    client = client_for(teams["organiser"])
    stands = visible_text(client.get(f"/admin/stands/etape/{stop.pk}/"))
    assert organisation.name in stands
    assert "Recyclerie de Maubeuge" not in stands

    coming = make_event(start=dt.datetime(2026, 12, 20, 9, 0, tzinfo=PARIS), venue=venue)
    move = client.get(f"/admin/evenements/{coming.pk}/annuler-ou-reporter/").content.decode()
    assert venue.name in move
    assert "Marché de Maubeuge" not in move


# Actions: refused with a 404, nothing changes -------------------------------------------------------------


def test_the_decisions_on_another_territorys_objects_are_404s_and_change_nothing(teams, sambre):
    client = client_for(teams["organiser"])
    request, stand, stop, kit_day = sambre["request"], sambre["stand"], sambre["stop"], sambre["kit_day"]

    declined = client.post(f"/admin/demandes-des-communes/decline/{request.pk}/", {"decline-reason": "Non."})
    refused = client.post(f"/admin/stands/etape/{stop.pk}/stand/{stand.pk}/refuser/", {"reason": "Non."})
    cancelled = client.post(
        f"/admin/evenements/{stop.pk}/annuler-ou-reporter/", {"action": "cancel", "cancel-reason": "Pluie."}
    )
    kits = client.post(
        "/admin/kits-du-village/",
        {"territory": kit_day.territory_id, f"territory-{kit_day.territory_id}-village_kits": "9"},
    )
    kit_edit = client.post(
        f"/admin/kits-du-village/edit/{kit_day.pk}/",
        {"territory": kit_day.territory_id, "date": "2027-01-09", "kits": "9", "reason": "x"},
    )
    registration = client.post(f"/admin/inscriptions/cancel/{sambre['registration'].pk}/")

    assert [r.status_code for r in (declined, refused, cancelled, kits, kit_edit, registration)] == [404] * 6
    request.refresh_from_db()
    assert request.status == VisitRequestStatus.RECEIVED
    assert Stand.objects.get(pk=stand.pk).status == StandStatus.APPLIED
    stop.refresh_from_db()
    assert stop.status == EventStatus.SCHEDULED
    kit_day.refresh_from_db()
    assert kit_day.kits == 3
    assert kit_day.territory.village_kits == 1
    sambre["registration"].refresh_from_db()
    assert sambre["registration"].status == "confirmed"


def test_staff_cannot_check_in_tally_or_undo_on_another_territorys_event(teams, sambre):
    client = client_for(teams["organiser"])
    breakfast, ticket = sambre["breakfast"], sambre["ticket"]
    scan = {"event": breakfast.pk, "ticket": ticket.code, "nonce": "n-1"}

    answers = [
        client.post("/api/v1/checkins", scan, content_type="application/json"),
        client.post(
            "/api/v1/tally", {"event": breakfast.pk, "delta": 1, "nonce": "t-1"}, content_type="application/json"
        ),
        client.delete(f"/api/v1/checkins/{sambre['checkin'].pk}"),
    ]
    batch = client.post("/api/v1/checkins/batch", {"items": [scan]}, content_type="application/json").json()
    tallies = client.post(
        "/api/v1/tally/batch",
        {"items": [{"event": breakfast.pk, "delta": 1, "nonce": "t-2"}]},
        content_type="application/json",
    ).json()

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert batch["items"][0]["error"]["code"] == "event_not_found"
    assert batch["counts"] == []
    assert tallies["items"][0]["error"]["code"] == "event_not_found"
    assert tallies["counts"] == []
    assert ELSEWHERE not in str(batch) + str(tallies) + "".join(a.content.decode() for a in answers)
    assert list(CheckIn.objects.values_list("pk", flat=True)) == [sambre["checkin"].pk]


def test_the_other_territorys_staff_checks_in_on_its_event(teams, sambre):
    breakfast, ticket = sambre["breakfast"], sambre["ticket"]
    response = client_for(teams["other_organiser"]).post(
        "/api/v1/checkins",
        {"event": breakfast.pk, "ticket": ticket.code, "nonce": "n-1"},
        content_type="application/json",
    )

    assert response.json()["result"] == "accepted"
    assert response.json()["attendee"]["name"] == "Paul Maubeuge"
    assert CheckIn.objects.filter(ticket=ticket).exists()


def test_another_territorys_ticket_is_a_wrong_event_that_names_nobody(teams, sambre, event):
    response = client_for(teams["organiser"]).post(
        "/api/v1/checkins",
        {"event": event.pk, "ticket": sambre["ticket"].code, "nonce": "n-1"},
        content_type="application/json",
    )

    answer = response.json()
    assert answer["result"] == "wrong_event"
    assert answer["attendee"] is None
    assert answer["message"] == "Billet d'un autre événement"
    assert ELSEWHERE not in response.content.decode()
    assert not CheckIn.objects.filter(ticket=sambre["ticket"]).exists()


def test_a_ticket_of_another_event_of_the_same_territory_still_names_it(teams, sambre, make_event, make_ticket):
    here = make_event(title="Petit-déjeuner de Valenciennes")
    elsewhere = make_event(title="Atelier d'Anzin")
    ticket = make_ticket(elsewhere, name="Zoé Anzin")

    answer = checkin_service.perform_checkin(event=here, code_or_link=ticket.code, nonce="n", by=teams["organiser"])
    response = client_for(teams["organiser"]).post(
        "/api/v1/checkins", {"event": here.pk, "ticket": ticket.code, "nonce": "n-2"}, content_type="application/json"
    )

    assert answer.result == "wrong_event"
    assert "Atelier d'Anzin" in response.json()["message"]
    assert response.json()["attendee"]["name"] == "Zoé Anzin"


def test_the_requests_month_filter_offers_the_users_months_only(teams, sambre):
    # The second territory's request, received in March 2025: not a month of the first's.
    VisitRequest.objects.filter(commune__territory__slug="sambre-avesnois").update(
        created_at=dt.datetime(2025, 3, 14, 10, 0, tzinfo=PARIS)
    )
    own = client_for(teams["organiser"]).get("/admin/demandes-des-communes/")
    assert "Mars 2025" not in own.content.decode()
    other = client_for(teams["other_organiser"]).get("/admin/demandes-des-communes/")
    assert "Mars 2025" in other.content.decode()
