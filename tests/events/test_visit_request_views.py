"""The commune's visit request, as its contact sees it: the form, the acknowledgement, the tracking page."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache

from events.models import (
    EventKind,
    Pitch,
    TallyMark,
    VisitorCheckIn,
    VisitRequest,
    VisitRequestAction,
    VisitRequestEvent,
    VisitRequestStatus,
)
from events.services import village, visits
from territory.models import PARIS, Commune, Territory
from tests.html import visible_text

pytestmark = pytest.mark.django_db

FORM_URL = "/accueillir-le-village/"


@pytest.fixture(autouse=True)
def _now(village_now):
    # The rate limit counts in the cache: each test starts with a fresh budget.
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block queued for after the commit, as production does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def form_data(commune, **overrides) -> dict:
    data = {
        "commune": commune.insee_code,
        "contact_name": "Léa Dubois",
        "contact_role": "Chargée de la vie associative",
        "email": "vie-associative@mairie.example.fr",
        "phone": "03 27 00 00 00",
        "occasion": "weekly_market",
        "occasion_detail": "Marché du samedi matin",
        "venue": "",
        "venue_text": "Place d'Armes",
        "preferred_date_1": "2026-12-12",
        "preferred_date_2": "",
        "preferred_date_3": "",
        "flexible_from": "",
        "flexible_until": "",
        "expected_audience": "400",
        "has_power": "on",
        "space": "300 m2 sur la place",
        "has_parking": "on",
        "message": "Un élu sera présent.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def field_error(response, name: str) -> str:
    """The text of the error shown next to a field (the list Django ties to it with aria-describedby)."""
    html = response.content.decode()
    match = re.search(rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', html, re.S)
    assert match, f"no error next to {name}"
    return visible_text(match.group(1))


def tracking_path_in(message) -> str:
    for line in message.body.splitlines():
        if "/accueillir-le-village/suivi/" in line:
            return urlsplit(line.strip()).path
    raise AssertionError("no tracking link in the email")


# The form ----------------------------------------------------------------------------------------


def test_the_form_page_explains_what_the_commune_provides(client, commune, other_commune, market):
    response = client.get(FORM_URL)

    text = visible_text(response)
    assert "Ce que nous demandons à la commune" in text
    assert "un accès à l'électricité" in text
    assert "la présence d'une ou d'un élu pour accueillir le village" in text
    html = response.content.decode()
    # The territory's communes, and its known venues grouped by commune.
    assert f'<option value="{commune.insee_code}">Valenciennes</option>' in html
    assert f'<option value="{other_commune.insee_code}">Anzin</option>' in html
    assert '<optgroup label="Valenciennes">' in html
    assert f'<option value="{market.pk}">Marché de la place d&#x27;Armes</option>' in html
    assert 'type="date"' in html


def test_a_valid_request_is_stored_acknowledged_and_tracked(client, commune, committed):
    with committed():
        response = client.post(FORM_URL, form_data(commune))

    request = VisitRequest.objects.get()
    assert request.commune == commune
    assert request.contact_name == "Léa Dubois"
    assert request.preferred_dates == [dt.date(2026, 12, 12)]
    assert request.expected_audience == 400
    assert request.has_power and request.has_parking
    assert request.venue_text == "Place d'Armes"
    assert request.status == VisitRequestStatus.RECEIVED
    assert list(request.history.values_list("action", flat=True)) == [VisitRequestAction.SUBMITTED]
    # The acknowledgement carries the private link, which opens the tracking page.
    assert response.status_code == 302
    assert response["Location"] == visits.tracking_path(request)
    (message,) = mail.outbox
    assert message.to == ["vie-associative@mairie.example.fr"]
    path = tracking_path_in(message)
    assert path == visits.tracking_path(request)

    page = client.get(path)

    text = visible_text(page)
    assert "Votre demande est bien envoyée." in text
    assert "Reçue, en cours d'examen" in text
    assert "samedi 12 décembre 2026" in text
    assert "Demande envoyée, par la commune" in text


def test_a_known_venue_of_the_commune_can_be_chosen(client, commune, market):
    client.post(FORM_URL, form_data(commune, venue=str(market.pk), venue_text=""))

    assert VisitRequest.objects.get().venue == market


REFUSALS = [
    pytest.param(
        {"preferred_date_1": "2026-11-20"},
        "preferred_date_1",
        "Cette date est passée ou trop proche : choisissez une date à partir de demain.",
        id="past-date",
    ),
    pytest.param(
        {"contact_name": ""}, "contact_name", "Indiquez le nom de la personne à contacter.", id="missing-contact"
    ),
    pytest.param(
        {"consent": None}, "consent", "Votre accord est nécessaire pour que nous traitions la demande.", id="no-consent"
    ),
    pytest.param(
        {"preferred_date_1": "", "flexible_from": "2027-03-10", "flexible_until": "2027-03-01"},
        "flexible_until",
        "La fin de la période précède son début.",
        id="period-reversed",
    ),
    pytest.param(
        {"preferred_date_1": ""},
        "preferred_date_1",
        "Proposez au moins une date, ou une période pendant laquelle le village peut venir.",
        id="no-date",
    ),
    pytest.param(
        {"website": "http://promo.example"},
        "website",
        "Votre demande n'a pas pu être enregistrée. Laissez vide le champ caché.",
        id="honeypot",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), REFUSALS)
def test_a_refused_request_says_why_next_to_the_field_and_keeps_what_was_typed(
    client, commune, committed, overrides, field, message
):
    with committed():
        response = client.post(FORM_URL, form_data(commune, **overrides))

    assert response.status_code == 200
    assert field_error(response, field) == message
    html = response.content.decode()
    assert 'value="Chargée de la vie associative"' in html
    assert 'value="03 27 00 00 00"' in html
    assert f'<option value="{commune.insee_code}" selected>Valenciennes</option>' in html
    assert "Le formulaire contient" in visible_text(response)
    assert not VisitRequest.objects.exists()
    assert not VisitRequestEvent.objects.exists()
    assert mail.outbox == []


def test_all_errors_are_shown_at_once(client, commune):
    response = client.post(FORM_URL, form_data(commune, contact_name="", consent=None, preferred_date_1="2026-11-01"))

    assert "Le formulaire contient 3 erreurs." in visible_text(response)
    assert field_error(response, "contact_name") == "Indiquez le nom de la personne à contacter."
    assert field_error(response, "consent").startswith("Votre accord est nécessaire")
    assert field_error(response, "preferred_date_1").startswith("Cette date est passée")
    assert 'value="2026-11-01"' in response.content.decode()


def test_a_commune_of_another_territory_is_refused(client, commune):
    elsewhere = Territory.objects.create(name="Porte du Hainaut", slug="porte-du-hainaut")
    denain = Commune.objects.create(
        territory=elsewhere,
        insee_code="59172",
        name="Denain",
        postcodes="59220",
        population=19000,
        latitude=50.33,
        longitude=3.39,
    )

    # Denain is not offered: only a forged POST can send it.
    assert "Denain" not in client.get(FORM_URL).content.decode()
    response = client.post(FORM_URL, form_data(denain))

    assert field_error(response, "commune") == "Choisissez une commune de Valenciennes Métropole."
    assert 'value="Léa Dubois"' in response.content.decode()
    assert not VisitRequest.objects.exists()


def test_a_venue_of_another_commune_is_refused(client, commune, other_commune, market):
    response = client.post(FORM_URL, form_data(other_commune, venue=str(market.pk)))

    assert field_error(response, "venue") == "Ce lieu n'est pas dans la commune choisie."
    assert not VisitRequest.objects.exists()


def test_requests_are_rate_limited(client, commune, monkeypatch):
    from events.views import registrations as registration_views

    monkeypatch.setattr(registration_views, "RATE_LIMIT", 1)
    assert client.post(FORM_URL, form_data(commune)).status_code == 302

    response = client.post(FORM_URL, form_data(commune, contact_name="Marc Leroy"))

    assert response.status_code == 429
    assert "Trop de demandes depuis votre connexion : réessayez dans quelques minutes." in visible_text(response)
    assert 'value="Marc Leroy"' in response.content.decode()
    assert VisitRequest.objects.count() == 1


def test_the_form_needs_csrf(commune):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(FORM_URL, form_data(commune))

    assert response.status_code == 403
    assert not VisitRequest.objects.exists()


# The tracking page -------------------------------------------------------------------------------


def test_the_tracking_page_is_private(client, visit_request):
    response = client.get(visits.tracking_path(visit_request))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "same-origin"
    text = visible_text(response)
    assert "Suivi de votre demande" in text
    assert "Léa Dubois, Chargée de la vie associative" in text


@pytest.mark.parametrize("token", ["AAAAAAAAAAAAAAAAAAAAAA", "mauvais"])
def test_a_wrong_token_is_not_found(client, visit_request, token):
    response = client.get(f"/accueillir-le-village/suivi/{visit_request.pk}/{token}/")

    assert response.status_code == 404
    assert "Ce lien de suivi n'est pas valable" in visible_text(response)
    assert "Léa Dubois" not in response.content.decode()


def test_another_requests_token_does_not_open_this_one(client, commune, visit_request):
    from tests.events.conftest import visit_request_values

    other = visits.submit_visit_request(**visit_request_values(commune, contact_name="Marc Leroy"))
    token = visits.tracking_path(other).rstrip("/").rsplit("/", 1)[1]

    assert client.get(f"/accueillir-le-village/suivi/{visit_request.pk}/{token}/").status_code == 404


def test_an_anonymised_request_is_not_found(client, visit_request):
    path = visits.tracking_path(visit_request)
    VisitRequest.objects.filter(pk=visit_request.pk).update(anonymised_at=dt.datetime(2026, 11, 24, tzinfo=PARIS))

    assert client.get(path).status_code == 404


@pytest.fixture
def proposed(visit_request, village_organiser, agenda_page, committed):
    """The team proposes Saturday 19 December instead of the 12th."""
    with committed():
        return visits.propose_visit_date(
            visit_request,
            start=dt.datetime(2026, 12, 19, 8, 0, tzinfo=PARIS),
            end=dt.datetime(2026, 12, 19, 13, 0, tzinfo=PARIS),
            by=village_organiser,
            note="Le 12, le village est à Anzin.",
        )


def answer_path(request) -> str:
    return visits.tracking_path(request) + "reponse/"


def test_the_proposed_date_is_shown_with_its_two_answers(client, proposed):
    response = client.get(visits.tracking_path(proposed))

    text = visible_text(response)
    assert "Autre date proposée" in text
    assert "samedi 19 décembre 2026, 8 h 00 – 13 h 00" in text
    assert "Le 12, le village est à Anzin." in text
    # An organiser without a full name is "the team": the commune never sees a login name.
    assert "Autre date proposée, par l'équipe ESS" in text
    assert "organisatrice" not in text
    html = response.content.decode()
    assert 'name="answer" value="accept"' in html and "J'accepte cette date" in text
    assert 'name="answer" value="decline"' in html and "Cette date ne convient pas" in text


def test_the_commune_accepts_the_proposed_date(client, proposed, committed):
    mail.outbox.clear()
    with committed():
        response = client.post(answer_path(proposed), {"answer": "accept", "note": "Parfait, merci."})

    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == VisitRequestStatus.ACCEPTED
    assert proposed.stop is not None
    assert proposed.stop.start == dt.datetime(2026, 12, 19, 8, 0, tzinfo=PARIS)
    line = proposed.history.last()
    assert (line.action, line.by_commune, line.note) == (VisitRequestAction.PROPOSAL_ACCEPTED, True, "Parfait, merci.")
    (message,) = mail.outbox
    assert message.subject == "Le Village de l'ESS viendra à Valenciennes le samedi 19 décembre 2026"

    text = visible_text(client.get(response["Location"]))
    assert "C'est noté : le village viendra à cette date." in text
    assert "Acceptée" in text
    assert "L'étape du village" in text
    assert "samedi 19 décembre 2026, 8 h 00 – 13 h 00" in text
    assert "J'accepte cette date" not in text


def test_the_commune_declines_the_proposed_date(client, proposed, committed):
    mail.outbox.clear()
    with committed():
        response = client.post(answer_path(proposed), {"answer": "decline", "note": "Le 19, c'est la ducasse."})

    proposed.refresh_from_db()
    assert proposed.status == VisitRequestStatus.RECEIVED
    line = proposed.history.last()
    assert (line.action, line.note) == (VisitRequestAction.PROPOSAL_DECLINED, "Le 19, c'est la ducasse.")
    (message,) = mail.outbox
    assert "la date proposée ne convient pas à Valenciennes" in message.body
    text = visible_text(client.get(response["Location"]))
    assert "C'est noté : cette date ne convient pas. L'équipe vous propose une autre date rapidement." in text
    assert "Date proposée déclinée par la commune, par la commune" in text


def test_a_proposed_date_taken_in_between_is_refused_on_the_page(client, proposed, make_event, other_commune):
    # Another stop took the only kit on the 19th after the proposal.
    make_event(
        kind=EventKind.ITINERANT_VILLAGE,
        start=dt.datetime(2026, 12, 19, 9, 0, tzinfo=PARIS),
        hours=4,
        commune=other_commune,
    )

    response = client.post(answer_path(proposed), {"answer": "accept"})

    assert response.status_code == 409
    assert "Cette date n'est plus disponible" in visible_text(response)
    proposed.refresh_from_db()
    assert proposed.status == VisitRequestStatus.DATE_PROPOSED


def test_answering_with_a_wrong_token_is_not_found(client, proposed):
    response = client.post(
        f"/accueillir-le-village/suivi/{proposed.pk}/AAAAAAAAAAAAAAAAAAAAAA/reponse/", {"answer": "accept"}
    )

    assert response.status_code == 404
    proposed.refresh_from_db()
    assert proposed.status == VisitRequestStatus.DATE_PROPOSED


def test_answering_twice_says_the_request_was_already_answered(client, proposed):
    client.post(answer_path(proposed), {"answer": "decline"})

    response = client.post(answer_path(proposed), {"answer": "accept"})

    assert response.status_code == 409
    assert "elle a déjà reçu une réponse" in visible_text(response)


# After the stop ----------------------------------------------------------------------------------


@pytest.fixture
def accepted(visit_request, village_organiser, agenda_page, committed):
    with committed():
        stop = visits.accept_visit_request(
            visit_request,
            start=dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS),
            end=dt.datetime(2026, 12, 12, 13, 0, tzinfo=PARIS),
            by=village_organiser,
        )
    visit_request.refresh_from_db()
    return visit_request, stop


def test_an_accepted_request_shows_its_stop(client, accepted):
    request, stop = accepted

    text = visible_text(client.get(visits.tracking_path(request)))

    assert "Acceptée" in text
    assert "samedi 12 décembre 2026, 8 h 00 – 13 h 00" in text
    assert "L'équipe arrive à partir de 7 h 00." in text
    # A draft stop has no public page yet.
    assert "La page de l'étape paraîtra dans l'agenda" in text


def test_the_summary_is_shown_once_the_stop_has_ended(
    client, accepted, organisation, village_organiser, time_machine, committed
):
    request, stop = accepted
    pitch = Pitch.objects.create(stop=stop, number=1)
    with committed():
        village.place_stand(
            stop, organisation, pitch, by=village_organiser, contact_name="Nadia", contact_email="nadia@example.org"
        )
    for n in range(3):
        VisitorCheckIn.objects.create(event=stop, device_key=f"device-{n}")
    for n in range(2):
        TallyMark.objects.create(
            event=stop, delta=1, nonce=f"tally-{n}", counted_at=dt.datetime(2026, 12, 12, 10, n, tzinfo=PARIS)
        )

    time_machine.move_to(dt.datetime(2026, 12, 12, 18, 0, tzinfo=PARIS), tick=False)
    text = visible_text(client.get(visits.tracking_path(request)))

    assert "Le bilan de l'étape" in text
    assert "Visiteurs comptés 5" in text
    assert "Stands 1" in text
    assert "Structures présentes Ressourcerie du Hainaut" in text


def test_no_summary_before_the_stop_ends(client, accepted):
    request, _stop = accepted

    assert "Le bilan de l'étape" not in visible_text(client.get(visits.tracking_path(request)))


def test_a_cancelled_stop_is_announced(client, accepted, village_organiser, committed):
    request, stop = accepted
    with committed():
        village.cancel_event(stop, by=village_organiser, reason="Arrêté préfectoral : alerte tempête.")

    text = visible_text(client.get(visits.tracking_path(request)))

    assert "L'étape est annulée. Arrêté préfectoral : alerte tempête." in text
    assert "Étape annulée" in text


def test_the_tracking_page_costs_the_same_queries_however_long_the_history(client, proposed, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = visits.tracking_path(proposed)
    client.get(path)  # the first request fills caches (site, content types)
    with CaptureQueriesContext(connection) as short:
        client.get(path)
    for n in range(5):
        VisitRequestEvent.objects.create(request=proposed, action=VisitRequestAction.DATE_PROPOSED, note=f"n° {n}")

    with django_assert_num_queries(len(short.captured_queries)):
        response = client.get(path)
    assert "n° 4" in visible_text(response)


def test_the_form_costs_the_same_queries_however_many_communes_and_venues(
    client, commune, other_commune, market, venue, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(FORM_URL)  # the first request fills caches (site, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(FORM_URL)
    for n in range(5):
        extra = Commune.objects.create(
            territory=commune.territory,
            insee_code=f"5990{n}",
            name=f"Commune {n}",
            postcodes="59000",
            population=1000,
            latitude=50.3,
            longitude=3.5,
        )
        extra.venues.create(name=f"Place {n}")

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(FORM_URL)
    assert '<optgroup label="Commune 4">' in response.content.decode()
