"""An organiser answers a commune's request in the admin; the commune sees the answer on its tracking page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import EventKind, VisitRequest, VisitRequestStatus
from events.services import visits as service
from territory.admin_views import occurrence_label
from territory.models import PARIS
from tests.events.conftest import village_organiser, visit_request_values  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def _saturdays_ahead(weeks: int) -> dt.date:
    today = timezone.localtime(timezone.now(), PARIS).date()
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 + 7 * weeks)


@pytest.fixture
def market_request(commune, other_commune, market, make_event):
    """A request for the Saturday market, from a commune the village visited some months ago."""
    visited = _saturdays_ahead(-10)
    make_event(
        EventKind.ITINERANT_VILLAGE,
        title="Le village au marché de printemps",
        start=dt.datetime.combine(visited, dt.time(8, 0), tzinfo=PARIS),
        hours=5,
        venue=market,
    )
    return service.submit_visit_request(
        **visit_request_values(
            commune,
            venue=market,
            preferred_dates=[_saturdays_ahead(3)],
            message="Le marché attire beaucoup de familles le samedi matin.",
        )
    )


def test_an_organiser_accepts_a_request_on_a_market_date(live_server, desktop, market_request, village_organiser, shot):  # noqa: F811
    page = desktop
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Nom d’utilisateur").fill("organisatrice")
    page.get_by_label("Mot de passe").fill("secret-pass-1")
    page.get_by_role("button", name="S'identifier").click()

    page.get_by_role("link", name="Demandes des communes").click()
    expect(page.get_by_role("table")).to_contain_text("Reçue, en cours d'examen")
    shot(page, "admin-visit-requests-list")
    page.get_by_role("link", name="Valenciennes").click()

    history = page.get_by_role("region", name="Le village à Valenciennes")
    expect(history).to_contain_text("Le village au marché de printemps")
    expect(history).to_contain_text("Dernier passage :")
    expect(page.get_by_role("region", name="Ce que la commune a écrit")).to_contain_text(
        "Le marché attire beaucoup de familles le samedi matin."
    )
    shot(page, "admin-visit-request")

    accept = page.get_by_role("region", name="Accepter sur une date")
    wanted = market_request.preferred_date_1
    start = dt.datetime.combine(wanted, dt.time(8, 0), tzinfo=PARIS)
    accept.get_by_label("Une date du marché").select_option(label=occurrence_label(start, start.replace(hour=13)))
    accept.get_by_role("button", name="Accepter et créer l'étape").click()

    expect(page.locator(".messages")).to_contain_text("Demande acceptée")
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    shot(page, "admin-visit-request-accepted")

    market_request.refresh_from_db()
    assert market_request.status == VisitRequestStatus.ACCEPTED
    assert market_request.stop.start == start

    # In the stop's editor, the market's next dates fill the start and the end (admin-stop-occurrences.js).
    week_later = start + dt.timedelta(days=7)
    page.get_by_label("Prochaines dates du marché").select_option(
        label=occurrence_label(week_later, week_later.replace(hour=13))
    )
    expect(page.get_by_label(re.compile(r"^\s*Début"))).to_have_value(f"{week_later:%d/%m/%Y} 08:00")
    expect(page.get_by_label(re.compile(r"^\s*Fin\b"))).to_have_value(f"{week_later:%d/%m/%Y} 13:00")

    commune = page.context.new_page()
    commune.goto(live_server.url + service.tracking_path(VisitRequest.objects.get(pk=market_request.pk)))
    expect(commune.locator("body")).to_contain_text("Acceptée")
    shot(commune, "admin-visit-request-tracking")
