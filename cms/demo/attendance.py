"""Demo attendance: what the past demo events counted at the door and at the stand, so the plan's
dashboard, the public figures and the steering-committee report have something to show.

For each held demo event without registrations: fictitious people (example.org addresses) who
registered, most of them checked in; elected officials at the awareness evenings, with the
commune of their mandate; a class or two at the youth outreach; passers-by counted at the
village's stands. Some people come back to a second event, so unique participants differ from
participants. Plus the governance bodies' meetings of past years and a few targets.
Everything is drawn from a fixed seed and created once.
"""

import datetime as dt
import random

from django.utils import timezone

from events.models import (
    AttendeeCategory,
    CheckIn,
    EventKind,
    EventPage,
    Registration,
    RegistrationStatus,
    TallyMark,
    Ticket,
    VisitorCheckIn,
)
from events.tokens import hash_code, new_code
from indicators.models import CommitteeMeeting, IndicatorTarget
from territory.models import Commune

FIRST = ["Claire", "Karim", "Sophie", "Laurent", "Aïcha", "Marc", "Julie", "Yves", "Samia", "Paul", "Nadia", "Eric"]
LAST = ["Morel", "Caron", "Leroy", "Benoît", "Haddad", "Gosselin", "Lemoine", "Vasseur", "Duhamel", "Mahieu"]


def _people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names = []
    for n in range(count):
        first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
        names.append((f"{first} {last}", f"{first.lower()}.{last.lower()}.{n}@example.org"))
    rng.shuffle(names)
    return names


def load_attendance(report, territory, plan, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    rng = random.Random(2021)  # noqa: S311 - the same fictitious figures on every run, nothing secret
    communes = list(Commune.objects.filter(territory=territory).order_by("name"))
    crowd = _people(rng, 120)  # the pool some people come back from
    held = (
        EventPage.objects.filter(live=True, end__lt=now, commune__territory=territory)
        .not_cancelled()
        .order_by("start", "pk")
    )
    for event in held:
        if Registration.objects.filter(event=event).exists() or VisitorCheckIn.objects.filter(event=event).exists():
            report.tally("présences de démonstration", created=False)
            continue
        if event.kind == EventKind.ITINERANT_VILLAGE:
            _count_passers_by(event, rng)
        else:
            _register_and_check_in(event, rng, crowd, communes)
        report.tally("présences de démonstration", created=True)
    _meetings(report, plan, now)
    _targets(report, plan)


def _register_and_check_in(event, rng: random.Random, crowd, communes) -> None:
    if event.kind == EventKind.YOUTH_OUTREACH:
        for n in range(rng.randint(1, 2)):
            registration = Registration.objects.create(
                event=event,
                status=RegistrationStatus.CONFIRMED,
                name=f"Classe de {rng.choice(['4e', '3e', '2de'])} {chr(65 + n)}",
                email=f"classe-{event.pk}-{n}@example.org",
                category=AttendeeCategory.TEACHER,
                is_group=True,
                seats=rng.randint(18, 28),
                consent_at=event.start,
            )
            _ticket(registration, checked_in=rng.random() < 0.9)
        return
    elected = event.kind == EventKind.ELECTED_AWARENESS
    for name, email in rng.sample(crowd, rng.randint(8, 22)):
        registration = Registration.objects.create(
            event=event,
            status=RegistrationStatus.CONFIRMED,
            name=name,
            email=email,
            category=AttendeeCategory.ELECTED if elected else AttendeeCategory.RESIDENT,
            mandate="Conseiller·e municipal·e" if elected else "",
            mandate_commune=rng.choice(communes) if elected else None,
            home_commune=rng.choice(communes),
            consent_at=event.start,
        )
        _ticket(registration, checked_in=rng.random() < 0.82)


def _ticket(registration, *, checked_in: bool) -> None:
    ticket = Ticket.objects.create(registration=registration, code_hash=hash_code(new_code()))
    if checked_in:
        CheckIn.objects.create(ticket=ticket, event=registration.event, checked_in_at=registration.event.start)


def _count_passers_by(event, rng: random.Random) -> None:
    VisitorCheckIn.objects.bulk_create(
        VisitorCheckIn(event=event, device_key=f"demo-{event.pk}-{n}") for n in range(rng.randint(15, 45))
    )
    TallyMark.objects.bulk_create(
        TallyMark(event=event, delta=1, nonce=f"demo-tally-{event.pk}-{n}", counted_at=event.start)
        for n in range(rng.randint(20, 80))
    )


def _meetings(report, plan, now: dt.datetime) -> None:
    """Past years' meetings: the steering committee once a year, the others twice; this year
    one technical committee is still to be held, which the dashboard shows as not yet met."""
    this_year = timezone.localdate(now).year
    for committee in plan.committees.all():
        if committee.meetings.exists():
            report.tally("réunions des instances", created=False)
            continue
        per_year = committee.min_meetings_per_year or 1
        for year in range(max(plan.start_year, this_year - 2), this_year + 1):
            held = per_year - 1 if year == this_year and per_year > 1 else per_year
            for n in range(held):
                CommitteeMeeting.objects.create(
                    committee=committee,
                    date=dt.date(year, 3 + 6 * n, 15),
                    title=f"{committee.name} {year}",
                    attendee_count=12 + n,
                )
                report.tally("réunions des instances", created=True)


def _targets(report, plan) -> None:
    targets = [("events_held", 24), ("participants", 350), ("communes_visited", 12), ("volunteers", 20)]
    year = min(max(timezone.localdate().year, plan.start_year), plan.end_year)
    for indicator, value in targets:
        _target, created = IndicatorTarget.objects.get_or_create(
            plan=plan, indicator=indicator, action=None, objective=None, year=year, defaults={"value": value}
        )
        report.tally("cibles", created=created)
