"""load_demo: what the demo contains, and that a second run changes nothing.

The command runs once for the whole module (it takes a second or two): the fixture opens
a transaction around the module, each test's own transaction is a savepoint inside it,
and the module's transaction is rolled back at the end, so no other test sees the demo.
"""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import HomePage, SiteContact, StandardPage
from events.models import AgendaPage, EventKind, EventPage, EventStatus, ThematicBreakfastPage
from indicators.models import ActionPlan
from territory.models import Commune, Organisation, Sector, Territory, Venue, VenueKind

# The demo loads a second territory (cms/demo/second_territory.py); these tests look at the first.
FIRST_TERRITORY = "valenciennes-metropole"


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        stdout = io.StringIO()
        call_command("load_demo", stdout=stdout)
        yield stdout.getvalue()
        transaction.set_rollback(True)
    # Wagtail caches the site's root paths; the rolled-back demo site must not linger there.
    cache.clear()


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def database_snapshot() -> dict:
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    tree = list(Page.objects.order_by("path").values_list("path", "slug", "content_type__model", "live", "title"))
    return {"counts": counts, "tree": tree}


def test_demo_imports_the_35_communes_and_the_pldess(demo):
    territory = Territory.objects.get(slug="valenciennes-metropole")
    assert territory.siren == "245901160"
    assert Commune.objects.in_territory(territory).count() == 35
    assert ActionPlan.objects.get(short_title="PLDESS 2021-2026").territory == territory


def test_demo_home_page_is_the_root_of_the_default_site(demo):
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.title == "Le Village de l'ESS"
    assert home.tagline
    assert "village itinérant" in home.intro
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()


def test_demo_pages_under_the_home_page(demo):
    home = Site.objects.get(is_default_site=True).root_page.specific
    children = {page.slug: page.specific for page in home.get_children().live()}
    assert set(children) == {
        "agenda",
        "benevolat",
        "mentions-legales",
        "donnees-personnelles",
        "accessibilite",
    }
    assert isinstance(children["agenda"], AgendaPage)
    assert all(isinstance(page, StandardPage) for slug, page in children.items() if slug != "agenda")
    assert "ess@example.org" in children["benevolat"].body
    assert "CNIL" in children["donnees-personnelles"].body
    assert "non conforme" in children["accessibilite"].body


def test_demo_site_contact_uses_an_example_address(demo):
    contact = SiteContact.for_site(Site.objects.get(is_default_site=True))
    assert contact.organisation_name == "Valenciennes Métropole"
    assert contact.team_name == "Service ESS"
    assert contact.email == "ess@example.org"
    assert contact.phone == ""


def test_demo_has_15_example_organisations_over_several_communes_and_legal_forms(demo):
    organisations = Organisation.objects.all()
    assert organisations.count() == 15
    assert all(org.is_example and org.is_published and org.summary and org.description for org in organisations)
    assert all(org.website.startswith("https://example.org/") for org in organisations)
    assert all(org.contact_email.endswith("@example.org") for org in organisations)
    assert len({org.commune_id for org in organisations}) >= 8
    assert len({org.legal_form for org in organisations}) == 5
    assert Sector.objects.count() >= 10


def test_demo_markets_recur_and_are_flagged_as_examples(demo):
    markets = Venue.objects.filter(kind=VenueKind.MARKET)
    assert markets.count() >= 4
    assert all(market.is_example and "exemple" in market.name for market in markets)
    assert all(market.next_occurrences(count=1) for market in markets)
    assert Venue.objects.filter(is_example=False).count() == 0


def test_demo_events_cover_the_four_kinds_past_and_upcoming(demo):
    events = EventPage.objects.live().filter(commune__territory__slug=FIRST_TERRITORY)
    now = timezone.now()
    assert events.count() >= 12
    assert set(events.values_list("kind", flat=True)) == set(EventKind.values)
    assert events.past(now).exists()
    assert events.upcoming(now).exists()
    assert events.filter(status=EventStatus.CANCELLED).count() == 1
    assert events.filter(status=EventStatus.POSTPONED).count() == 1


def test_demo_events_fall_between_four_months_ago_and_six_months_ahead(demo):
    today = timezone.localdate()
    dates = list(
        EventPage.objects.filter(commune__territory__slug=FIRST_TERRITORY).values_list("start_date", flat=True)
    )
    assert min(dates) >= today - dt.timedelta(weeks=18)
    assert max(dates) <= today + dt.timedelta(weeks=26)


def test_each_demo_event_serves_its_kinds_default_action(demo):
    plan = ActionPlan.objects.get(short_title="PLDESS 2021-2026")
    for event in EventPage.objects.filter(commune__territory__slug=FIRST_TERRITORY).prefetch_related("plan_actions"):
        assert list(event.plan_actions.all()) == [plan.default_action_for_kind(event.kind)], event.slug


def test_demo_breakfasts_have_a_theme_hosts_and_seats(demo):
    for breakfast in ThematicBreakfastPage.objects.filter(commune__territory__slug=FIRST_TERRITORY):
        local_start = timezone.localtime(breakfast.start)
        assert (local_start.hour, local_start.minute) == (8, 30)
        assert 20 <= breakfast.capacity <= 40
        assert breakfast.theme
        assert breakfast.host_organisations.exists()


def test_demo_without_debug_skips_the_organiser_account(demo, django_user_model):
    assert "non créé" in demo
    assert not django_user_model.objects.filter(username="organisatrice").exists()


def test_second_run_changes_nothing(demo):
    before = database_snapshot()
    stdout = io.StringIO()
    call_command("load_demo", stdout=stdout)
    assert database_snapshot() == before
    assert "rien n'a changé" in stdout.getvalue()
