"""load_demo's second territory: Maubeuge Val de Sambre and the Sambre-Avesnois plan, on their own site.

As in test_load_demo, the demo is loaded once for the module, inside a transaction rolled back at the end.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from wagtail.models import Site

from cms.demo import load_demo
from cms.demo.second_territory import HOSTNAME, ORGANISER_USERNAME
from events.models import AgendaPage, CheckIn, EventKind, EventPage
from indicators.models import ActionPlan
from indicators.rollups import Scope, compute
from territory.access import territories_for
from territory.models import PARIS, Commune, Territory
from tests.cms.test_load_demo import database_snapshot
from tests.html import visible_text

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(with_demo_account=True, today=TODAY)
        yield
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def sambre(demo_loaded, db):
    return Territory.objects.get(slug="maubeuge-val-de-sambre")


def test_the_second_territory_has_its_communes_and_plan(sambre):
    assert Commune.objects.in_territory(sambre).count() == 43
    plan = ActionPlan.objects.get(short_title="Plan d'actions ESS Sambre-Avesnois")
    assert plan.territory == sambre


def test_the_second_territory_has_its_site_and_agenda(sambre):
    assert sambre.site.hostname == HOSTNAME
    assert not sambre.site.is_default_site
    assert sambre.site.root_page.title == "Le Village de l'ESS en Sambre-Avesnois"
    assert AgendaPage.objects.child_of(sambre.site.root_page).live().exists()
    assert Territory.default().slug == "valenciennes-metropole"


def test_its_three_events_serve_its_plan(sambre):
    events = EventPage.objects.filter(commune__territory=sambre).order_by("start")
    assert [event.kind for event in events] == [
        EventKind.THEMATIC_BREAKFAST,
        EventKind.ITINERANT_VILLAGE,
        EventKind.ELECTED_AWARENESS,
    ]
    assert all(event.get_parent().get_parent().pk == sambre.site.root_page_id for event in events)
    plan = ActionPlan.objects.get(territory=sambre)
    assert {action.objective.orientation.plan_id for event in events for action in event.plan_actions.all()} == {
        plan.pk
    }


def test_its_past_breakfast_was_counted_at_the_door_and_fills_the_dashboard(sambre):
    breakfast = EventPage.objects.get(commune__territory=sambre, kind=EventKind.THEMATIC_BREAKFAST)
    checked_in = CheckIn.objects.filter(event=breakfast).count()
    assert checked_in > 0
    rollup = compute(Scope(ActionPlan.objects.get(territory=sambre), now=dt.datetime(2026, 11, 23, tzinfo=PARIS)))
    assert rollup.plan.values["events_held"] == 1


def test_its_demo_organiser_acts_for_it_only(sambre):
    user = get_user_model().objects.get(username=ORGANISER_USERNAME)
    assert user.check_password("village-demo")
    assert list(territories_for(user)) == [sambre]
    assert user.groups.filter(name="Organisateurs — Maubeuge Val de Sambre").exists()
    assert sambre.site.root_page.permissions_for_user(user).can_edit()
    first_home = Site.objects.get(is_default_site=True).root_page
    assert not first_home.permissions_for_user(user).can_edit()


def test_the_first_demo_organiser_keeps_acting_for_her_territory(sambre):
    user = get_user_model().objects.get(username="organisatrice")
    assert list(territories_for(user)) == [Territory.default()]


def test_its_public_agenda_shows_its_coming_events(sambre, client, settings, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS))
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOSTNAME]
    text = visible_text(client.get("/agenda/", HTTP_HOST=HOSTNAME))
    assert "Le Village de l'ESS au marché de Maubeuge" in text
    assert "Soirée des élus : l'ESS, un levier pour le Val de Sambre" in text


def test_a_second_run_changes_nothing(sambre):
    before = database_snapshot()
    report = load_demo(with_demo_account=True, today=TODAY)
    assert not report.created_anything
    assert database_snapshot() == before
