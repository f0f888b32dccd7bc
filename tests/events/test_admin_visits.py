"""Commune requests in the admin ("Demandes des communes"): list, filters, the request's page
with the commune's history, and the three decisions (accept, propose, decline)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import (
    EventKind,
    OutgoingEmail,
    VillageStopPage,
    VisitRequest,
    VisitRequestAction,
    VisitRequestStatus,
)
from events.services import visits as service
from territory.models import PARIS
from tests.html import visible_text

from .conftest import visit_request_values

pytestmark = pytest.mark.django_db

INDEX = "/admin/demandes-des-communes/"


def detail(request) -> str:
    return f"{INDEX}inspect/{request.pk}/"


def action(name, request) -> str:
    return f"{INDEX}{name}/{request.pk}/"


def dates(prefix, start="12/12/2026 09:00", end="12/12/2026 13:00", **fields) -> dict:
    values = {"start": start, "end": end, "venue": "", "village_format": "full_village", "note": "", **fields}
    return {f"{prefix}-{name}": value for name, value in values.items()}


@pytest.fixture
def organiser_client(client, village_organiser):
    client.force_login(village_organiser)
    return client


@pytest.fixture
def reader(django_user_model):
    """An organiser who may read the requests but not answer them."""
    user = django_user_model.objects.create_user("lecteur", "lecteur@example.org", "secret-pass-5")
    group = Group.objects.create(name="Lecteurs des demandes")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(content_type__app_label="events", codename="view_visitrequest"),
    )
    user.groups.add(group)
    return user


@pytest.fixture
def submit(village_now, django_capture_on_commit_callbacks):
    def make(commune, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return service.submit_visit_request(**visit_request_values(commune, **overrides))

    return make


def emails(kind, to="vie-associative@mairie.example.fr"):
    return OutgoingEmail.objects.filter(kind=kind, to=to)


# The list ---------------------------------------------------------------------------------------


def test_the_list_shows_commune_dates_occasion_status_and_last_visit(
    organiser_client, submit, commune, other_commune, make_event, market
):
    make_event(EventKind.ITINERANT_VILLAGE, start=dt.datetime(2026, 6, 6, 8, 0, tzinfo=PARIS), hours=5, venue=market)
    submit(
        commune,
        occasion="town_festival",
        preferred_dates=[dt.date(2026, 12, 12), dt.date(2026, 12, 19)],
    )
    submit(
        other_commune,
        preferred_dates=[],
        flexible_from=dt.date(2027, 1, 4),
        flexible_until=dt.date(2027, 1, 29),
    )

    text = visible_text(organiser_client.get(INDEX))

    assert "Demandes des communes" in text
    assert (
        "Valenciennes Ouvrir la demande 23 nov. 2026 12 déc. 2026 · 19 déc. 2026 Fête communale, ducasse "
        "Reçue, en cours d'examen 6 juin 2026"
    ) in text
    assert (
        "Anzin Ouvrir la demande 23 nov. 2026 du 4 jan. 2027 au 29 jan. 2027 Marché hebdomadaire "
        "Reçue, en cours d'examen jamais"
    ) in text


def test_the_list_is_constant_query(organiser_client, submit, commune, other_commune, django_assert_num_queries):
    for _ in range(3):
        submit(commune)
    with CaptureQueriesContext(connection) as few:
        organiser_client.get(INDEX)
    for n in range(12):
        submit(other_commune if n % 2 else commune)

    with django_assert_num_queries(len(few)):
        response = organiser_client.get(INDEX)

    assert visible_text(response).count("Marché hebdomadaire") == 15


def test_filter_by_status_commune_and_month(organiser_client, submit, commune, other_commune, time_machine):
    time_machine.move_to(dt.datetime(2026, 10, 31, 23, 30, tzinfo=PARIS), tick=False)
    october = submit(commune, contact_name="Octave Octobre")
    time_machine.move_to(dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS), tick=False)
    november = submit(other_commune, contact_name="Noémie Novembre")
    declined = submit(commune, contact_name="Denis Décliné")
    service.decline_visit_request(declined, by=None, reason="Le village est complet cette saison.")

    def rows(**filters):
        html = organiser_client.get(INDEX, filters).content.decode()
        return {r.pk for r in (october, november, declined) if detail(r) in html}

    assert rows(status=VisitRequestStatus.DECLINED) == {declined.pk}
    assert rows(commune=other_commune.pk) == {november.pk}
    # 31 October 23:30 in Paris is 22:30 UTC: still October.
    assert rows(month="2026-10") == {october.pk}
    assert rows(month="2026-11") == {november.pk, declined.pk}
    assert "Octobre 2026" in visible_text(organiser_client.get(INDEX))


def test_search_by_commune_or_contact_ignoring_accents(organiser_client, submit, commune, other_commune):
    helene = submit(commune, contact_name="Hélène Lefèvre")
    anzin = submit(other_commune, contact_name="Marc Durand")

    def found(query):
        html = organiser_client.get(INDEX, {"q": query}).content.decode()
        return {r.pk for r in (helene, anzin) if detail(r) in html}

    assert found("helene") == {helene.pk}
    assert found("anzin") == {anzin.pk}


# Who may see and answer -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login(client, visit_request):
    for url in (INDEX, detail(visit_request)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_outsider_sees_nothing(client, outsider, visit_request):
    client.force_login(outsider)
    for url in (INDEX, detail(visit_request)):
        response = client.get(url, follow=True)
        assert "Léa Dubois" not in response.content.decode()
        assert "vie-associative@mairie.example.fr" not in response.content.decode()
    response = client.post(action("decline", visit_request), {"decline-reason": "Non."})
    assert response.status_code in (302, 403)
    visit_request.refresh_from_db()
    assert visit_request.status == VisitRequestStatus.RECEIVED


def test_organiser_without_the_village_permissions_is_refused(client, organiser, visit_request):
    client.force_login(organiser)

    for url in (INDEX, detail(visit_request)):
        response = client.get(url, follow=True)
        text = visible_text(response)
        assert response.redirect_chain == [("/admin/", 302)]
        assert "Désolé, vous n'avez pas les autorisations pour accéder à cette zone." in text
        assert "Léa Dubois" not in text
        assert "Demandes des communes" not in text


def test_reader_sees_the_request_but_cannot_answer(client, reader, visit_request, agenda_page):
    client.force_login(reader)

    text = visible_text(client.get(detail(visit_request)))
    responses = [
        client.post(action("accept", visit_request), dates("accept")),
        client.post(action("propose", visit_request), dates("propose")),
        client.post(action("decline", visit_request), {"decline-reason": "Complet."}),
    ]

    assert "Léa Dubois" in text
    assert "Répondre à la commune" not in text
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, "/admin/")] * 3
    visit_request.refresh_from_db()
    assert visit_request.status == VisitRequestStatus.RECEIVED
    assert not VillageStopPage.objects.exists()


def test_the_request_cannot_be_edited_or_deleted_from_the_admin(organiser_client, visit_request):
    assert organiser_client.get(f"{INDEX}edit/{visit_request.pk}/").status_code == 404
    assert organiser_client.get(f"{INDEX}delete/{visit_request.pk}/").status_code == 404
    assert organiser_client.get(f"{INDEX}new/").status_code == 404


# The request's page -----------------------------------------------------------------------------


def test_the_page_shows_what_the_commune_wrote(organiser_client, submit, commune):
    request = submit(
        commune,
        occasion="forum",
        occasion_detail="Forum des associations de rentrée",
        venue_text="Parvis de l'hôtel de ville",
        preferred_dates=[dt.date(2026, 12, 12), dt.date(2027, 1, 9)],
        expected_audience=400,
        has_power=True,
        space="20 m sur 10 m, sol pavé",
        message="Nous pouvons prêter des barrières.",
    )

    text = visible_text(organiser_client.get(detail(request)))

    for expected in (
        "Statut : Reçue, en cours d'examen",
        "Léa Dubois",
        "Chargée de la vie associative",
        "vie-associative@mairie.example.fr",
        "03 27 00 00 00",
        "Forum des associations, forum de l'emploi",
        "Forum des associations de rentrée",
        "Parvis de l'hôtel de ville",
        "samedi 12 décembre 2026, samedi 9 janvier 2027",
        "400",
        "20 m sur 10 m, sol pavé",
        "Nous pouvons prêter des barrières.",
    ):
        assert expected in text


def test_the_page_shows_the_communes_history(organiser_client, submit, commune, other_commune, make_event, market):
    make_event(
        EventKind.ITINERANT_VILLAGE,
        title="Village de juin",
        start=dt.datetime(2026, 6, 6, 8, 0, tzinfo=PARIS),
        hours=5,
        venue=market,
    )
    make_event(
        EventKind.ITINERANT_VILLAGE,
        title="Village de janvier",
        start=dt.datetime(2027, 1, 16, 8, 0, tzinfo=PARIS),
        hours=5,
        venue=market,
    )
    earlier = submit(commune, preferred_dates=[dt.date(2026, 12, 19)])
    service.decline_visit_request(earlier, by=None, reason="Déjà venu cette année.")
    request = submit(commune)

    text = visible_text(organiser_client.get(detail(request)))

    assert "Le village à Valenciennes" in text
    assert "Dernier passage : samedi 6 juin 2026." in text
    assert "1 commune visitée sur 2 dans le territoire." in text
    assert "Étapes passées samedi 6 juin 2026 — Village de juin, Marché de la place d'Armes" in text
    assert "Étapes à venir samedi 16 janvier 2027 — Village de janvier" in text
    assert "Demandes précédentes de la commune reçue le 23 novembre 2026 — Déclinée" in text


def test_the_page_shows_the_requests_history(organiser_client, visit_request, village_organiser):
    service.propose_visit_date(
        visit_request,
        start=dt.datetime(2026, 12, 19, 9, 0, tzinfo=PARIS),
        end=dt.datetime(2026, 12, 19, 13, 0, tzinfo=PARIS),
        by=village_organiser,
        note="Le 12, le village est à Anzin.",
    )

    text = visible_text(organiser_client.get(detail(visit_request)))

    assert "Statut : Autre date proposée — date proposée : samedi 19 décembre 2026, 9 h 00 – 13 h 00" in text
    assert "Demande envoyée 23 novembre 2026, 12 h 00 la commune" in text
    assert "Autre date proposée 23 novembre 2026, 12 h 00 organisatrice Le 12, le village est à Anzin." in text


def test_a_market_request_offers_the_markets_next_dates(organiser_client, submit, commune, market):
    request = submit(commune, venue=market)

    response = organiser_client.get(detail(request))
    text = visible_text(response)

    assert "Une date du marché" in text
    assert "samedi 28 novembre 2026, 8 h 00 – 13 h 00" in text
    assert "samedi 16 janvier 2027, 8 h 00 – 13 h 00" in text  # the eighth
    assert 'id="id_accept-occurrence"' in response.content.decode()


# Accepting ----------------------------------------------------------------------------------------


def test_accepting_creates_a_draft_stop_and_emails_the_commune(
    organiser_client, visit_request, agenda_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            action("accept", visit_request), dates("accept", village_format="mini_village")
        )

    visit_request.refresh_from_db()
    stop = visit_request.stop
    assert visit_request.status == VisitRequestStatus.ACCEPTED
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{stop.pk}/edit/"
    assert isinstance(stop, VillageStopPage) and not stop.live
    assert stop.start == dt.datetime(2026, 12, 12, 9, 0, tzinfo=PARIS)
    assert (stop.commune, stop.village_format) == (visit_request.commune, "mini_village")
    assert emails("visit_accepted").count() == 1
    assert list(visit_request.history.values_list("action", flat=True)) == [
        VisitRequestAction.SUBMITTED,
        VisitRequestAction.ACCEPTED,
    ]
    message = visible_text(organiser_client.get(response["Location"]))
    assert "Demande acceptée : l'étape du samedi 12 décembre 2026 est créée en brouillon." in message


def test_accepting_on_a_market_date_takes_its_hours(organiser_client, submit, commune, market, agenda_page):
    request = submit(commune, venue=market)

    organiser_client.post(
        action("accept", request),
        dates("accept", start="", end="", venue=str(market.pk), occurrence="2026-12-12 08:00"),
    )

    request.refresh_from_db()
    assert request.stop.start == dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS)
    assert request.stop.end == dt.datetime(2026, 12, 12, 13, 0, tzinfo=PARIS)
    assert request.stop.venue == market


def test_a_market_date_with_another_venue_is_refused(organiser_client, submit, commune, market, venue, agenda_page):
    request = submit(commune, venue=market)

    response = organiser_client.post(
        action("accept", request), dates("accept", start="", end="", venue=str(venue.pk), occurrence="2026-12-12 08:00")
    )

    assert "Ces dates sont celles de « Marché de la place d'Armes »" in visible_text(response)
    assert not VillageStopPage.objects.exists()


def test_accepting_on_a_day_without_a_free_kit_names_the_other_stop(
    organiser_client, visit_request, stop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            action("accept", visit_request), dates("accept", start="05/12/2026 14:00", end="05/12/2026 18:00")
        )

    text = visible_text(response)
    assert response.status_code == 200
    assert "Rien n'a été enregistré" in text
    assert "Le village est déjà programmé le samedi 5 décembre 2026 : « Village au marché »" in text
    assert 'aria-describedby="id_accept-start_error"' in response.content.decode()
    visit_request.refresh_from_db()
    assert visit_request.status == VisitRequestStatus.RECEIVED
    assert list(VillageStopPage.objects.all()) == [stop]
    assert not emails("visit_accepted").exists()


def test_accepting_without_dates_or_in_the_past_is_refused(organiser_client, visit_request, agenda_page):
    missing = organiser_client.post(action("accept", visit_request), dates("accept", start="", end=""))
    past = organiser_client.post(
        action("accept", visit_request), dates("accept", start="20/11/2026 09:00", end="20/11/2026 12:00")
    )

    assert "Indiquez le début et la fin." in visible_text(missing)
    assert "Choisissez une date à venir." in visible_text(past)
    assert not VillageStopPage.objects.exists()


def test_a_request_already_answered_cannot_be_accepted(organiser_client, visit_request, agenda_page):
    service.decline_visit_request(visit_request, by=None, reason="Complet.")

    response = organiser_client.post(action("accept", visit_request), dates("accept"), follow=True)

    assert "Cette demande est « Déclinée » : elle a déjà reçu une réponse." in visible_text(response)
    assert not VillageStopPage.objects.exists()


# Proposing and declining ------------------------------------------------------------------------------


def test_proposing_another_date_emails_the_commune(
    organiser_client, visit_request, market, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            action("propose", visit_request),
            dates(
                "propose",
                start="19/12/2026 08:00",
                end="19/12/2026 13:00",
                venue=str(market.pk),
                note="Le 12, le village est à Anzin.",
            ),
        )

    visit_request.refresh_from_db()
    assert response["Location"] == detail(visit_request)
    assert visit_request.status == VisitRequestStatus.DATE_PROPOSED
    assert visit_request.proposed_start == dt.datetime(2026, 12, 19, 8, 0, tzinfo=PARIS)
    assert visit_request.proposed_venue == market
    assert emails("visit_date_proposed").count() == 1
    assert not VillageStopPage.objects.exists()


def test_proposing_a_day_without_a_free_kit_is_refused(organiser_client, visit_request, stop):
    response = organiser_client.post(
        action("propose", visit_request), dates("propose", start="05/12/2026 14:00", end="05/12/2026 17:00")
    )

    assert "« Village au marché »" in visible_text(response)
    visit_request.refresh_from_db()
    assert visit_request.status == VisitRequestStatus.RECEIVED
    assert not emails("visit_date_proposed").exists()


def test_declining_without_a_reason_is_refused(organiser_client, visit_request):
    response = organiser_client.post(action("decline", visit_request), {"decline-reason": "  "})

    assert "Indiquez le motif : il est envoyé à la commune." in visible_text(response)
    assert 'aria-describedby="id_decline-reason_error"' in response.content.decode()
    visit_request.refresh_from_db()
    assert visit_request.status == VisitRequestStatus.RECEIVED
    assert not emails("visit_declined").exists()


def test_declining_with_a_reason_emails_the_commune(
    organiser_client, visit_request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            action("decline", visit_request), {"decline-reason": "Le village ne tourne pas en janvier."}
        )

    visit_request.refresh_from_db()
    assert visit_request.status == VisitRequestStatus.DECLINED
    assert visit_request.decline_reason == "Le village ne tourne pas en janvier."
    assert emails("visit_declined").count() == 1
    text = visible_text(organiser_client.get(response["Location"]))
    assert "Demande déclinée : la commune reçoit le motif par courriel." in text
    assert "Répondre à la commune" not in text
    assert "Motif du refus : Le village ne tourne pas en janvier." in text


def test_the_stops_editor_links_to_its_request(organiser_client, visit_request, agenda_page):
    organiser_client.post(action("accept", visit_request), dates("accept"))
    visit_request.refresh_from_db()

    text = visible_text(organiser_client.get(f"/admin/pages/{visit_request.stop.pk}/edit/"))

    assert "Demande de la commune : Acceptée" in text
    assert VisitRequest.objects.get().stop_id == visit_request.stop.pk
