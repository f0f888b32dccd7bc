"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live_server.

Without /usr/bin/chromium the browser tests are skipped, unless REQUIRE_BROWSER=1 (CI)
makes that a failure. No browser is ever downloaded.

The live server answers on localhost:<port>, while the `home_page` fixture gives the
default Site the hostname "testserver". Wagtail falls back to the default site when no
site matches the request's hostname (wagtail.models.sites.get_site_for_hostname), so page
routing works without touching the Site.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from wagtail.models import Site

from cms.models import SiteContact
from events.models import EventKind, EventStatus
from territory.models import PARIS, LegalForm, Organisation, Venue, VenueKind

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from
# a thread with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path("/tmp/shots")  # noqa: S108 - screenshots for a person to look at, nothing secret
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    from django.db import connections

    originals = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # Playwright's sync API leaves an asyncio loop marked as running in this thread, and
        # Django's connection registry (an asgiref Local) then hands out fresh connection
        # objects. Those lack the serialized copy of the migrated data that restores Wagtail's
        # root page between live_server tests: keep using the original ones.
        for alias, connection in originals.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _restore_wagtail_tree(django_db_serialized_rollback):
    """live_server tests run in transactions that end with a flush of every table, Wagtail's
    root page and default Site included: restore what the migrations created before each test."""


def _new_page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris", **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    yield from _new_page(browser, DESKTOP)


@pytest.fixture
def phone(browser):
    yield from _new_page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


@pytest.fixture
def shot():
    """shot(page, "name"): a full-page screenshot in /tmp/shots/name.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


def _days_ahead(days: int, hour: int, minute: int = 0) -> dt.datetime:
    today = timezone.localtime(timezone.now(), PARIS).date()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def season(make_event, commune, other_commune, plan, organisation):
    """A realistic few weeks of the agenda, in the future whatever today is."""
    SiteContact.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={
            "organisation_name": "Valenciennes Métropole",
            "team_name": "Service Économie sociale et solidaire",
            "email": "ess@valenciennes-metropole.example",
            "phone": "03 27 09 62 00",
            "address": "2 place de l'Hôpital Général, 59300 Valenciennes",
        },
    )
    organisation.is_example = True
    organisation.description = (
        "<p>La ressourcerie collecte les objets dont vous ne voulez plus, les répare et les revend à petit prix. "
        "Elle emploie des salarié·es en parcours d'insertion.</p>"
    )
    organisation.website = "https://ressourcerie.example"
    organisation.contact_email = "contact@ressourcerie.example"
    organisation.save()
    Organisation.objects.create(
        name="Épicerie solidaire du Faubourg",
        legal_form=LegalForm.ASSOCIATION,
        commune=other_commune,
        summary="Des produits frais et locaux à petit prix pour les familles du quartier.",
        is_example=True,
    )
    market = Venue.objects.create(
        commune=other_commune,
        name="Marché de la place Roger Salengro",
        kind=VenueKind.MARKET,
        address="Place Roger Salengro",
        is_example=True,
    )
    hall = Venue.objects.create(
        commune=commune,
        name="Maison des associations",
        kind=VenueKind.HALL,
        address="84 rue du Faubourg de Paris",
        accessibility="Salle de plain-pied, boucle magnétique à l'accueil.",
    )
    return {
        "breakfast": make_event(
            title="Manger local : les circuits courts près de chez vous",
            start=_days_ahead(3, 8, 30),
            venue=hall,
            theme="Alimentation durable",
            summary="Producteurs, épiceries solidaires et AMAP racontent comment mieux manger sans se ruiner.",
            capacity=30,
            audience="Tout public",
            contact_email="petitdej@valenciennes-metropole.example",
            host_organisations=[organisation],
        ),
        "village": make_event(
            kind=EventKind.ITINERANT_VILLAGE,
            title="Le village de l'ESS au marché d'Anzin",
            start=_days_ahead(5, 8),
            hours=5,
            venue=market,
            summary="Une dizaine de stands pour découvrir les structures de l'ESS de votre commune.",
        ),
        "elected": make_event(
            kind=EventKind.ELECTED_AWARENESS,
            title="L'ESS, une chance pour nos communes",
            start=_days_ahead(9, 18),
            hours=2,
            commune=other_commune,
            summary="Une soirée pour les élu·es : ce que l'ESS apporte à une commune, exemples à l'appui.",
            target_communes=[commune, other_commune],
            contact_email="elus@valenciennes-metropole.example",
        ),
        "youth": make_event(
            kind=EventKind.YOUTH_OUTREACH,
            title="Entreprendre autrement : atelier au lycée",
            start=_days_ahead(12, 10),
            hours=2,
            commune=commune,
            structure_name="Lycée Henri Wallon",
            summary="Deux heures avec une coopérative pour découvrir d'autres façons d'entreprendre.",
            contact_email="jeunes@valenciennes-metropole.example",
        ),
        "cancelled": make_event(
            title="Petit-déjeuner : la finance solidaire",
            start=_days_ahead(15, 8, 30),
            commune=other_commune,
            theme="Finance solidaire",
            summary="Épargner utile : comment fonctionne la finance solidaire.",
            status=EventStatus.CANCELLED,
            status_note="Annulé faute d'intervenant ; une nouvelle date sera proposée au printemps.",
        ),
    }
