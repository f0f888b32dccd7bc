"""The demonstration content that `python manage.py load_demo` loads.

Everything here is idempotent: rows are looked up by a stable key (INSEE code, slug,
name) and created only when missing, so a second run changes nothing and an organiser's
edits to demo content survive a re-run. The fictional parts (organisations, venues,
events) are flagged as examples where the models allow it, and say so in their text.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from indicators.services import PlanImportResult, import_action_plan
from territory.services import CommuneImportResult, import_communes, shipped_communes

from .account import (
    CONTACT_ORGANISATION,
    CONTACT_USERNAME,
    DEMO_USERNAME,
    DemoAccountStatus,
    ensure_contact_account,
    ensure_demo_account,
)
from .agenda import load_events
from .attendance import load_attendance
from .directory import load_organisations, load_sectors, load_venues
from .second_territory import load_second_territory
from .site import load_site
from .village import Tours, load_stop_details, load_visit_requests, place_stops_in_tours
from .volunteers import ensure_volunteer_account, load_missions, load_volunteers

TERRITORY_FILE = "valenciennes_metropole"
PLAN_FILE = "valenciennes_pldess_2021_2026"


@dataclass
class DemoReport:
    communes: CommuneImportResult
    plan: PlanImportResult
    # {"pages": {"created": 3, "existing": 4, "removed": 1}, "étapes": {"moved": 5}, ...}
    rows: dict[str, Counter] = field(default_factory=dict)
    account: DemoAccountStatus = DemoAccountStatus.SKIPPED
    contact_account: DemoAccountStatus = DemoAccountStatus.SKIPPED
    volunteer_account: DemoAccountStatus = DemoAccountStatus.SKIPPED
    warnings: list[str] = field(default_factory=list)

    def tally(self, label: str, created: bool, count: int = 1):
        self.rows.setdefault(label, Counter())["created" if created else "existing"] += count

    def moved(self, label: str):
        self.rows.setdefault(label, Counter())["moved"] += 1

    def removed(self, label: str):
        self.rows.setdefault(label, Counter())["removed"] += 1

    @property
    def created_anything(self) -> bool:
        """Whether this run changed the database: created, moved or removed anything."""
        return (
            self.communes.changed_anything
            or self.plan.changed_anything
            or any(counter["created"] or counter["moved"] or counter["removed"] for counter in self.rows.values())
            or DemoAccountStatus.CREATED in (self.account, self.contact_account, self.volunteer_account)
        )


def load_demo(*, with_demo_account: bool = False, today: dt.date | None = None) -> DemoReport:
    """Load (or complete) the demo: territory, plan, site pages, directory, venues, events and the
    village's tours, stands, shifts and visit requests, volunteers and missions, what the past
    events counted (for the plan's indicators), and the three demo accounts when asked.

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
        venues = load_venues(report, territory, today)
        tours = Tours(report, agenda)
        place_stops_in_tours(report, agenda, tours)
        load_events(report, agenda, plan, territory, venues, organisations, today, tours)
        organiser = contact = None
        if with_demo_account:
            report.account = ensure_demo_account()
            report.contact_account = ensure_contact_account(organisations[CONTACT_ORGANISATION])
            user_model = get_user_model()
            organiser = user_model.objects.filter(username=DEMO_USERNAME).first()
            contact = user_model.objects.filter(username=CONTACT_USERNAME).first()
        load_stop_details(report, agenda, organisations, contact)
        load_visit_requests(report, territory, tours, plan, venues, today, organiser)
        people = load_volunteers(report, territory)
        if with_demo_account:
            report.volunteer_account = ensure_volunteer_account(territory)
        load_missions(report, territory, organisations, organiser, today, people)
        load_attendance(report, territory, plan)
        load_second_territory(report, today=today, with_demo_account=with_demo_account)
    return report
