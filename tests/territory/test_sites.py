"""territory/sites.py: a second territory gets its site, its agenda and its organisers' group."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import CommandError, call_command
from wagtail.models import GroupPagePermission, Page, Site

from cms.models import HomePage, SiteContact, StandardPage
from events.models import AgendaPage, ThematicBreakfastPage
from territory.models import PARIS, Territory
from territory.sites import TerritorySiteError, set_up_territory_site
from tests.cms.test_load_demo import database_snapshot
from tests.html import visible_text

pytestmark = pytest.mark.django_db

HOST = "sambre-avesnois.localhost"


@pytest.fixture(autouse=True)
def _second_hostname_allowed(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    # Wagtail caches the sites' root paths; a site of another test must not linger there.
    cache.clear()


@pytest.fixture
def sambre_site(home_page, territory, second_territory):
    return set_up_territory_site(second_territory, hostname=HOST)


@pytest.fixture
def sambre_organiser(sambre_site, second_territory, django_user_model):
    user = django_user_model.objects.create_user("organisateur-sambre", "sambre@example.org", "secret-pass-5")
    user.groups.add(Group.objects.get(name="Organisateurs — Sambre-Avesnois"))
    second_territory.team.add(user)
    return user


def organisers_page_permissions(group_name):
    return set(
        GroupPagePermission.objects.filter(group__name=group_name).values_list("page_id", "permission__codename")
    )


def test_the_site_has_its_home_page_and_agenda(sambre_site, second_territory, home_page):
    home = sambre_site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.live and home.get_parent().depth == 1
    assert home.pk != home_page.pk
    assert AgendaPage.objects.child_of(home).live().count() == 1
    assert (sambre_site.hostname, sambre_site.port, sambre_site.is_default_site) == (HOST, 80, False)
    second_territory.refresh_from_db()
    assert second_territory.site == sambre_site


def test_the_site_footer_names_its_territory(sambre_site):
    assert SiteContact.for_site(sambre_site).organisation_name == "Sambre-Avesnois"


def test_the_group_has_the_organisers_model_permissions_and_pages_only_under_the_new_home(sambre_site):
    group = Group.objects.get(name="Organisateurs — Sambre-Avesnois")
    organisers = Group.objects.get(name="Organisateurs")
    assert set(group.permissions.all()) == set(organisers.permissions.all())
    assert organisers_page_permissions(group.name) == {
        (sambre_site.root_page_id, codename)
        for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
    }


def test_the_first_organisers_group_keeps_its_pages_on_the_default_site_only(sambre_site, home_page):
    assert {page for page, _codename in organisers_page_permissions("Organisateurs")} == {home_page.pk}


def test_a_second_run_changes_nothing(sambre_site, second_territory):
    before = database_snapshot()
    assert set_up_territory_site(second_territory, hostname=HOST) == sambre_site
    assert database_snapshot() == before


def test_a_hostname_of_another_site_is_refused(home_page, second_territory):
    with pytest.raises(TerritorySiteError) as error:
        set_up_territory_site(second_territory, hostname="testserver")
    assert error.value.code == "hostname_taken"
    assert not HomePage.objects.filter(slug="sambre-avesnois").exists()


def test_its_organiser_edits_its_pages_and_not_the_first_sites(sambre_site, sambre_organiser, home_page):
    own = sambre_site.root_page.add_child(instance=StandardPage(title="Nous contacter", slug="contact"))
    other = home_page.add_child(instance=StandardPage(title="Mentions légales", slug="mentions-legales"))
    assert own.permissions_for_user(sambre_organiser).can_edit()
    assert not other.permissions_for_user(sambre_organiser).can_edit()


def test_the_first_sites_organiser_no_longer_edits_the_new_site(sambre_site, home_page, django_user_model):
    user = django_user_model.objects.create_user("valenciennes", "v@example.org", "secret-pass-6")
    user.groups.add(Group.objects.get(name="Organisateurs"))
    page = sambre_site.root_page.add_child(instance=StandardPage(title="Nous contacter", slug="contact"))
    assert home_page.permissions_for_user(user).can_edit()
    assert not page.permissions_for_user(user).can_edit()


def test_a_request_to_the_new_hostname_is_of_its_territory(sambre_site, second_territory, territory, rf):
    assert Territory.for_request(rf.get("/", HTTP_HOST=HOST)) == second_territory
    assert Territory.for_request(rf.get("/", HTTP_HOST="testserver")) == territory


def test_the_agenda_of_the_new_hostname_lists_its_events_only(
    client, sambre_site, second_commune, make_event, time_machine
):
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS))
    make_event(title="Petit-déjeuner à Valenciennes")
    agenda = AgendaPage.objects.child_of(sambre_site.root_page).get()
    start = dt.datetime(2026, 12, 8, 8, 30, tzinfo=PARIS)
    breakfast = ThematicBreakfastPage(
        title="Petit-déjeuner à Maubeuge",
        slug="petit-dejeuner-maubeuge",
        theme="Réemploi",
        commune=second_commune,
        start=start,
        end=start + dt.timedelta(hours=1.5),
        summary="Rencontre autour du réemploi.",
    )
    agenda.add_child(instance=breakfast)
    response = client.get("/agenda/", HTTP_HOST=HOST)
    text = visible_text(response)
    assert "Petit-déjeuner à Maubeuge" in text
    assert "Petit-déjeuner à Valenciennes" not in text


def test_the_volunteer_signup_on_the_new_hostname_offers_its_communes(client, sambre_site, second_commune, commune):
    response = client.get("/benevolat/inscription/", HTTP_HOST=HOST)
    choices = list(response.context["form"].fields["home_commune"].queryset)
    assert choices == [second_commune]
    assert "Maubeuge" in visible_text(response)


def test_the_command_says_what_it_did_in_french(home_page, territory, second_territory):
    stdout = io.StringIO()
    call_command("set_up_territory_site", "sambre-avesnois", "--hostname", HOST, "--port", "8000", stdout=stdout)
    output = stdout.getvalue()
    assert "page d'accueil créée" in output
    assert "groupe créé : Organisateurs — Sambre-Avesnois" in output
    assert "http://sambre-avesnois.localhost:8000/" in output
    assert Site.objects.filter(hostname=HOST, port=8000).exists()

    again = io.StringIO()
    call_command("set_up_territory_site", "sambre-avesnois", "--hostname", HOST, "--port", "8000", stdout=again)
    assert "rien n'a changé" in again.getvalue()


def test_the_command_refuses_an_unknown_territory(home_page, territory):
    with pytest.raises(CommandError, match="Territoire inconnu : lille"):
        call_command("set_up_territory_site", "lille", "--hostname", HOST)
    assert Page.objects.filter(depth=2).count() == 1
