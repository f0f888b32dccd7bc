"""The demonstration content that `python manage.py load_demo` loads.

Everything here is idempotent: rows are looked up by a stable key (INSEE code, slug,
name) and created only when missing, so a second run changes nothing and an organiser's
edits to demo content survive a re-run. The fictional parts (organisations, venues,
events) are flagged as examples where the models allow it, and say so in their text.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from indicators.services import PlanImportResult, import_action_plan
from territory.services import CommuneImportResult, import_communes, shipped_communes

from .account import DemoAccountStatus, ensure_demo_account
from .agenda import load_events
from .directory import load_organisations, load_sectors, load_venues
from .site import load_site

TERRITORY_FILE = "valenciennes_metropole"
PLAN_FILE = "valenciennes_pldess_2021_2026"


@dataclass
class DemoReport:
    communes: CommuneImportResult
    plan: PlanImportResult
    # {"pages": {"created": 3, "existing": 4}, ...}
    rows: dict[str, Counter] = field(default_factory=dict)
    account: DemoAccountStatus = DemoAccountStatus.SKIPPED

    def tally(self, label: str, created: bool):
        self.rows.setdefault(label, Counter())["created" if created else "existing"] += 1

    @property
    def created_anything(self) -> bool:
        return (
            self.communes.changed_anything
            or self.plan.changed_anything
            or any(counter["created"] for counter in self.rows.values())
            or self.account == DemoAccountStatus.CREATED
        )


def load_demo(*, with_demo_account: bool = False, today: dt.date | None = None) -> DemoReport:
    """Load (or complete) the demo: territory, plan, site pages, directory, venues, events, account.

    Event dates are computed from `today` (default: today in Paris), from a few months ago
    to a few months ahead, so the agenda always shows both past and coming events.
    """
    today = today or timezone.localdate()
    shipped = shipped_communes(TERRITORY_FILE)
    with transaction.atomic():
        report = DemoReport(
            communes=import_communes(shipped.path, shipped.territory_name, siren=shipped.siren, slug=shipped.slug),
            plan=import_action_plan(PLAN_FILE),
        )
        territory, plan = report.communes.territory, report.plan.plan
        agenda = load_site(report, today)
        sectors = load_sectors(report)
        organisations = load_organisations(report, territory, sectors)
        venues = load_venues(report, territory)
        load_events(report, agenda, plan, territory, venues, organisations, today)
        report.account = ensure_demo_account() if with_demo_account else DemoAccountStatus.SKIPPED
    return report
