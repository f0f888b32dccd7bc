"""load_demo's itinerant village: tours of the seasons, stands, volunteers, communes' requests, accounts.

As in test_load_demo.py, the command runs once for the module (here with the demo
accounts) inside a transaction that is rolled back at the end.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import resolve
from django.utils import timezone
from icalendar import Calendar
from wagtail.models import Page, Site

from cms.demo.account import CONTACT_USERNAME, DEMO_PASSWORD, DEMO_USERNAME
from cms.models import StandardPage
from events.models import (
    AgendaPage,
    EventStatus,
    Stand,
    StandStatus,
    TourPage,
    VillageStopPage,
    VisitRequest,
    VisitRequestAction,
    VisitRequestStatus,
)
from territory.models import Organisation
from tests.cms.test_load_demo import database_snapshot
from tests.html import visible_text
from volunteers.models import Shift, ShiftSignup

DEMO_STOPS = {
    "village-marche-valenciennes",
    "mini-village-marche-anzin",
    "stand-marche-saint-saulve",
    "village-marche-conde-sur-l-escaut",
    "village-marche-producteurs-marly",
}


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        stdout = io.StringIO()
        call_command("load_demo", "--with-demo-account", stdout=stdout)
        yield stdout.getvalue()
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def demo_stops():
    return VillageStopPage.objects.filter(slug__in=DEMO_STOPS).order_by("start")


def test_every_demo_stop_is_in_the_tour_of_its_year(demo):
    agenda = AgendaPage.objects.child_of(Site.objects.get(is_default_site=True).root_page).get()
    tours = {tour.season: tour for tour in TourPage.objects.child_of(agenda).live()}
    stops = list(demo_stops())

    assert len(stops) == len(DEMO_STOPS)
    for stop in stops:
        tour = TourPage.objects.parent_of(stop).get()
        assert tour.season == stop.start_date.year, stop.slug
        assert tour.title == f"Tournée {tour.season}"
    assert set(tours) == {stop.start_date.year for stop in stops} | {
        stop.start_date.year for stop in VillageStopPage.objects.not_live()
    }
    assert not VillageStopPage.objects.child_of(agenda).exists()


def test_the_tour_pages_show_their_stops_and_their_feeds_list_them(demo, client):
    # With two territories' sites, page URLs are absolute: read the first site's with relative ones.
    site = Site.objects.get(is_default_site=True)
    for tour in TourPage.objects.live().descendant_of(site.root_page):
        stops = list(tour.stops())
        response = client.get(tour.relative_url(site))
        text = visible_text(response)
        assert response.status_code == 200
        assert all(stop.relative_url(site) in response.content.decode() for stop in stops)
        if stops:
            assert f"{len(stops)} étape" in text

        feed = client.get(tour.relative_url(site) + "calendrier.ics")
        uids = {str(event["UID"]) for event in Calendar.from_ical(feed.content).walk("VEVENT")}
        assert uids == {f"event-{stop.pk}@testserver" for stop in stops}


def test_the_cancelled_stop_stays_on_its_tour_marked_cancelled(demo, client):
    cancelled = demo_stops().get(status=EventStatus.CANCELLED)
    tour = TourPage.objects.parent_of(cancelled).get()

    text = visible_text(client.get(tour.url))

    assert "Condé-sur-l'Escaut" in text and "Annulée" in text
    assert "La place du marché est en travaux" in text


def test_demo_stops_have_themed_pitches_and_confirmed_stands(demo):
    for stop in demo_stops():
        pitches = list(stop.pitches.all())
        expected = (2,) if stop.slug == "stand-marche-saint-saulve" else range(5, 9)
        assert len(pitches) in expected, stop.slug
        assert all(pitch.theme for pitch in pitches)
        assert any(pitch.has_power for pitch in pitches)
        confirmed = Stand.objects.confirmed().filter(stop=stop).select_related("organisation", "pitch")
        if stop.status == EventStatus.CANCELLED:
            assert not confirmed.exists()
            continue
        assert confirmed.count() >= 2, stop.slug
        assert all(stand.organisation.is_example and stand.pitch.stop_id == stop.pk for stand in confirmed)
        assert all(stand.contact_email.endswith("@example.org") for stand in confirmed)


def test_one_application_waits_for_a_decision_from_the_demo_contact(demo):
    pending = Stand.objects.get(status=StandStatus.APPLIED)

    assert pending.pitch is None
    assert pending.stop.slug == "village-marche-producteurs-marly"
    assert pending.stop.end > timezone.now()
    assert pending.applied_by.username == CONTACT_USERNAME
    assert pending.organisation.contacts.filter(username=CONTACT_USERNAME).exists()


def test_the_stops_have_volunteers_on_their_shifts(demo):
    for stop in demo_stops().exclude(status=EventStatus.CANCELLED):
        shifts = list(Shift.objects.filter(event=stop).prefetch_related("signups"))
        assert [shift.role for shift in shifts] == ["setup", "welcome", "activity", "teardown"], stop.slug
        for shift in shifts:
            signups = list(shift.signups.all())
            assert 1 <= len(signups) <= shift.capacity
            assert all(signup.email.endswith("@example.org") for signup in signups)
    assert not Shift.objects.filter(event__status=EventStatus.CANCELLED).exists()
    assert ShiftSignup.objects.values("email").distinct().count() >= 6


def test_communes_requests_in_three_statuses_with_their_history(demo):
    requests = {request.status: request for request in VisitRequest.objects.select_related("commune", "stop")}

    assert set(requests) == {
        VisitRequestStatus.RECEIVED,
        VisitRequestStatus.DATE_PROPOSED,
        VisitRequestStatus.ACCEPTED,
    }
    for request in requests.values():
        assert request.email.endswith("@example.org")
        assert request.history.filter(action=VisitRequestAction.SUBMITTED, by_commune=True).exists()
    proposed = requests[VisitRequestStatus.DATE_PROPOSED]
    assert proposed.history.filter(action=VisitRequestAction.DATE_PROPOSED, by__username=DEMO_USERNAME).exists()
    assert proposed.proposed_start is not None
    accepted = requests[VisitRequestStatus.ACCEPTED]
    assert accepted.history.filter(action=VisitRequestAction.ACCEPTED, by__username=DEMO_USERNAME).exists()
    # The accepted request's stop is a draft in the tour of its year, for organisers to publish.
    assert not accepted.stop.live
    assert TourPage.objects.parent_of(accepted.stop).get().season == accepted.stop.start_date.year
    assert list(accepted.stop.plan_actions.values_list("code", flat=True)) == ["O3.1.b"]


def test_the_demo_contact_account_opens_its_organisations_space(demo, client):
    user = get_user_model().objects.get(username=CONTACT_USERNAME)

    assert f"Compte structure créé : {CONTACT_USERNAME} / {DEMO_PASSWORD}" in demo
    assert "contact de Ressourcerie des Deux Rives" in demo
    assert f"Compte organisateur créé : {DEMO_USERNAME} / {DEMO_PASSWORD}" in demo
    assert user.check_password(DEMO_PASSWORD)
    assert user.email.endswith("@example.org")
    assert not user.is_staff and not user.has_perm("wagtailadmin.access_admin")
    assert list(Organisation.objects.filter(contacts=user).values_list("slug", flat=True)) == [
        "ressourcerie-des-deux-rives"
    ]


def test_accueillir_le_village_is_no_longer_a_wagtail_page(demo):
    assert not Page.objects.filter(slug="accueillir-le-village").exists()
    assert resolve("/accueillir-le-village/").url_name == "visit_request_form"
    assert StandardPage.objects.filter(slug="benevolat").live().exists()


def test_second_run_changes_nothing(demo):
    before = database_snapshot()
    stdout = io.StringIO()
    call_command("load_demo", "--with-demo-account", stdout=stdout)

    assert database_snapshot() == before
    assert "rien n'a changé" in stdout.getvalue()


def test_an_older_demo_is_brought_up_to_date(demo):
    """A database loaded before the tours: stops under the agenda and the hosting page."""
    agenda = AgendaPage.objects.child_of(Site.objects.get(is_default_site=True).root_page).get()
    for stop in demo_stops():
        stop.move(agenda, pos="last-child")
    home = Site.objects.get(is_default_site=True).root_page.specific
    hosting = StandardPage(title="Accueillir le village", slug="accueillir-le-village", intro="Ancienne page.")
    home.add_child(instance=hosting)

    stdout = io.StringIO()
    call_command("load_demo", "--with-demo-account", stdout=stdout)

    assert not VillageStopPage.objects.child_of(agenda).exists()
    assert all(TourPage.objects.parent_of(stop).exists() for stop in demo_stops())
    assert not Page.objects.filter(slug="accueillir-le-village").exists()
    output = stdout.getvalue()
    assert f"Étapes du village : 0 créé(s), 0 déjà présent(s), {len(DEMO_STOPS)} déplacé(s)" in output
    assert "1 supprimé(s)" in output
    assert "Démonstration chargée." in output

    before = database_snapshot()
    call_command("load_demo", "--with-demo-account", stdout=io.StringIO())
    assert database_snapshot() == before
