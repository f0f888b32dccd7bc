"""An organiser reads the plan's dashboard in the admin: the figures, another year, the export."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from tests.indicators import test_rollups

pytestmark = pytest.mark.browser

dataset = test_rollups.dataset


def test_an_organiser_reads_the_dashboard_and_exports_it(live_server, desktop, dataset, plan, organiser, shot):
    organiser.user_permissions.add(Permission.objects.get(codename="view_actionplan"))
    page = desktop
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Nom d’utilisateur").fill("organisatrice")
    page.get_by_label("Mot de passe").fill("secret-pass-1")
    page.get_by_role("button", name="S'identifier").click()
    # The home page's panel, then the dashboard from the menu's address.
    expect(page.get_by_text("Le plan en chiffres")).to_be_visible()
    page.goto(live_server.url + "/admin/indicateurs/")

    plan_row = page.get_by_role("row").filter(has_text="PLDESS 2021-2026").first
    expect(plan_row).to_contain_text("30")  # participants checked in, 2026
    expect(plan_row).to_contain_text("26,8 %")
    shot(page, "desktop-70-dashboard-2026")

    page.get_by_label("Année").select_option("2025")
    page.get_by_role("button", name="Afficher", exact=True).click()
    expect(page).to_have_url(re.compile(r"year=2025"))
    events_row = page.get_by_role("row").filter(has_text="PLDESS 2021-2026").first
    # 2025: the village stop of 31 December at 23:30 only; nobody registered.
    values = events_row.locator(".indicators-cell__value")
    expect(values.nth(0)).to_have_text("1")  # events held
    expect(values.nth(1)).to_have_text("0")  # registrations
    expect(values.nth(2)).to_have_text("0")  # participants

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en CSV").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any("PLDESS 2021-2026" in cell for cell in rows[1])
