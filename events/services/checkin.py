"""Check-in at the door: the one place where a scan becomes a check-in, or does not.

The check-in page, the API (online scans and the offline queue) and the benchmarks all
call these functions, so there is one set of rules. pretix's `perform_checkin` is the
model: every scan is judged inside a transaction that holds a row lock on the ticket,
answers a stable result code, and is logged in the append-only `Scan` table.

Why it cannot check a ticket in twice, however many phones scan it at once:

- the ticket row is locked (`select_for_update`) before the "already checked in?" read, so
  two scans of one ticket queue up on PostgreSQL; SQLite has no row locks, but every
  transaction starts IMMEDIATE (village/settings/base.py), which serialises writers;
- `CheckIn.ticket` is one-to-one: if a backend ever ignored the lock, the database would
  still refuse the second row, and that scan is answered "duplicate";
- `Scan.nonce` is unique: a phone that re-sends a scan (lost answer, offline queue synced
  twice) gets the first answer back and adds no row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.search import Folded, matching_words
from events import dates
from events.models import (
    AttendeeCategory,
    CheckIn,
    EventPage,
    EventStatus,
    Registration,
    RegistrationStatus,
    Scan,
    ScanResult,
    TallyMark,
    Ticket,
)
from events.tokens import code_from_scan, hash_code
from territory.models import PARIS

CHECKIN_PERMISSION = "events.perform_checkin"
# Doors open before the start: people arrive early for a breakfast at 8:30.
OPENS_BEFORE_START = dt.timedelta(hours=2)
MAX_NONCE_LENGTH = 64  # Scan.nonce's column
SEARCH_LIMIT = 20


class CheckinError(Exception):
    """A check-in request that cannot be judged at all (closed event, reused nonce...).

    A ticket that is refused (unknown, cancelled...) is not an error: it is a ScanOutcome
    with its result code, logged like any scan.
    """

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Attendee:
    registration_id: int
    name: str
    category: str
    category_label: str
    seats: int
    organisation: str

    @classmethod
    def of(cls, registration: Registration) -> Attendee:
        return cls(
            registration_id=registration.pk,
            name=registration.name,
            category=registration.category,
            category_label=_category_label(registration.category),
            seats=registration.seats,
            organisation=registration.organisation_name,
        )


@dataclass(frozen=True)
class ScanOutcome:
    """The answer to a scan: what the phone shows, and what a script tests."""

    result: ScanResult
    nonce: str
    scan_id: int
    offline: bool = False
    attendee: Attendee | None = None
    # The check-in this scan made (accepted) or met (duplicate), while it exists.
    checkin_id: int | None = None
    checked_in_at: dt.datetime | None = None
    checked_in_by: str = ""
    checked_in_device: str = ""
    # For a ticket of another event: which one, so staff can send the person there.
    other_event: str = ""
    # True when the nonce had been seen: this is the first answer again, nothing was recorded.
    replayed: bool = False

    @property
    def message(self) -> str:
        return outcome_message(self)


@dataclass(frozen=True)
class CheckinCounts:
    present: int
    present_seats: int
    registered: int
    registered_seats: int
    tally: int


@dataclass(frozen=True)
class TallyOutcome:
    nonce: str
    delta: int
    total: int
    replayed: bool = False


# Rules ---------------------------------------------------------------------------------------


def can_check_in(user) -> bool:
    return bool(user and user.is_active and user.has_perm(CHECKIN_PERMISSION))


def checkin_window(event: EventPage) -> tuple[dt.datetime, dt.datetime]:
    """[opens, closes): from two hours before the start to the end of the event's last day (Paris)."""
    last_day = dates.local(event.end).date() + dt.timedelta(days=1)
    closes = dt.datetime.combine(last_day, dt.time.min, tzinfo=PARIS)
    return event.start - OPENS_BEFORE_START, closes


def ensure_open_for_checkin(event: EventPage, when: dt.datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise CheckinError(_("Cet événement est annulé : le pointage est fermé."), code="event_cancelled")
    opens, closes = checkin_window(event)
    if when < opens:
        raise CheckinError(
            _("Le pointage ouvre le %(day)s à %(time)s, deux heures avant le début.")
            % {"day": _short_day(opens), "time": dates.format_time(dates.local(opens).time())},
            code="checkin_not_open",
        )
    if when >= closes:
        raise CheckinError(
            _("Le pointage de cet événement est clos depuis la fin du %(day)s.")
            % {"day": _short_day(dates.local(event.end))},
            code="checkin_closed",
        )


# Scans ---------------------------------------------------------------------------------------


def perform_checkin(
    *,
    event: EventPage,
    code_or_link: str,
    nonce: str,
    device: str = "",
    by=None,
    scanned_at: dt.datetime | None = None,
    offline: bool = False,
) -> ScanOutcome:
    """Judge one scan of a ticket (its code, or the whole link its QR holds) at `event`.

    Idempotent per nonce; raises CheckinError when the scan cannot be judged (event
    cancelled or closed, nonce already used at another event).
    """
    code = code_from_scan(code_or_link)
    lookup = {"code_hash": hash_code(code)} if code else None
    return _judge_scan(
        event=event, lookup=lookup, nonce=nonce, device=device, by=by, scanned_at=scanned_at, offline=offline
    )


def checkin_registration(
    registration: Registration,
    *,
    by,
    nonce: str,
    event: EventPage | None = None,
    device: str = "",
    scanned_at: dt.datetime | None = None,
    offline: bool = False,
) -> ScanOutcome:
    """Check in a person found by name: the same rules as a scan of their ticket."""
    if not Ticket.objects.filter(registration=registration).exists():
        raise CheckinError(_("Cette inscription n'a pas de billet."), code="no_ticket")
    return _judge_scan(
        event=event or registration.event,
        lookup={"registration_id": registration.pk},
        nonce=nonce,
        device=device,
        by=by,
        scanned_at=scanned_at,
        offline=offline,
    )


def _judge_scan(*, event, lookup, nonce, device, by, scanned_at, offline) -> ScanOutcome:
    nonce = _clean_nonce(nonce)
    device = (device or "")[:80]
    replay = _replay(nonce, event)
    if replay is not None:
        return replay
    now = timezone.now()
    when = _effective_time(scanned_at, offline, now)
    ensure_open_for_checkin(event, when)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _record_scan(event, lookup, nonce, device, by, when, offline)
        except IntegrityError:
            # Another request committed first, on one of the two unique rows a scan writes:
            # - Scan.nonce: the same phone re-sent the scan while its first request was still
            #   running; answer with that first outcome;
            # - CheckIn.ticket: only if a backend ever ignored the row lock; judged again, the
            #   scan now meets that check-in and is a duplicate.
            replay = _replay(nonce, event)
            if replay is not None:
                return replay
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _record_scan(event, lookup, nonce, device, by, when, offline) -> ScanOutcome:
    ticket = None
    if lookup is not None:
        # of=("self",): lock the ticket row only, not the registration joined for reading.
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("registration").filter(**lookup).first()
    result, checkin = _verdict(event, ticket)
    if result == ScanResult.ACCEPTED:
        checkin = CheckIn.objects.create(
            ticket=ticket, event=event, checked_in_at=when, checked_in_by=by, device=device
        )
    scan = Scan.objects.create(
        event=event,
        ticket=ticket,
        nonce=nonce,
        result=result,
        device=device,
        scanned_by=by,
        scanned_at=when,
        offline=offline,
    )
    return _outcome(scan, ticket, checkin, event)


def _verdict(event: EventPage, ticket: Ticket | None) -> tuple[ScanResult, CheckIn | None]:
    if ticket is None:
        return ScanResult.UNKNOWN, None
    registration = ticket.registration
    # Another event's ticket first: its status there is none of this door's business.
    if registration.event_id != event.pk:
        return ScanResult.WRONG_EVENT, None
    if ticket.revoked_at is not None:
        return ScanResult.REVOKED, None
    if registration.status == RegistrationStatus.CANCELLED:
        return ScanResult.CANCELLED, None
    if registration.status != RegistrationStatus.CONFIRMED:
        return ScanResult.NOT_CONFIRMED, None
    # Read in its own statement, after the lock is granted: on PostgreSQL a statement sees
    # the rows committed before it started, so a check-in committed by the scan we waited
    # for would be invisible to a join in the locking query itself.
    existing = CheckIn.objects.select_related("checked_in_by").filter(ticket=ticket).first()
    if existing is not None:
        return ScanResult.DUPLICATE, existing
    return ScanResult.ACCEPTED, None


def _replay(nonce: str, event: EventPage) -> ScanOutcome | None:
    """The first outcome of a nonce already recorded, rebuilt from the log; None if it is new."""
    scan = Scan.objects.select_related("ticket__registration").filter(nonce=nonce).first()
    if scan is None:
        return None
    if scan.event_id != event.pk:
        raise CheckinError(
            _("Ce numéro de scan a déjà servi pour un autre événement."),
            code="nonce_reused",
        )
    checkin = None
    if scan.ticket is not None and scan.result in (ScanResult.ACCEPTED, ScanResult.DUPLICATE):
        checkin = CheckIn.objects.select_related("checked_in_by").filter(ticket=scan.ticket).first()
    outcome = _outcome(scan, scan.ticket, checkin, event)
    return replace(outcome, replayed=True)


def _outcome(scan: Scan, ticket: Ticket | None, checkin: CheckIn | None, event: EventPage) -> ScanOutcome:
    registration = ticket.registration if ticket is not None else None
    other_event = ""
    if scan.result == ScanResult.WRONG_EVENT and registration is not None:
        other = EventPage.objects.filter(pk=registration.event_id).only("title", "start").first()
        if other is not None:
            other_event = _("« %(title)s », le %(day)s") % {"title": other.title, "day": _short_day(other.start)}
    return ScanOutcome(
        result=ScanResult(scan.result),
        nonce=scan.nonce,
        scan_id=scan.pk,
        offline=scan.offline,
        attendee=Attendee.of(registration) if registration is not None else None,
        checkin_id=checkin.pk if checkin is not None else None,
        checked_in_at=checkin.checked_in_at if checkin is not None else None,
        checked_in_by=user_label(checkin.checked_in_by) if checkin is not None else "",
        checked_in_device=checkin.device if checkin is not None else "",
        other_event=other_event,
    )


def undo_checkin(checkin: CheckIn, *, by, device: str = "", nonce: str | None = None) -> ScanOutcome:
    """Delete a mistaken check-in; the log keeps both the check-in and its undoing."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("registration").get(pk=checkin.ticket_id)
        deleted, _rows = CheckIn.objects.filter(pk=checkin.pk).delete()
        if not deleted:
            raise CheckinError(_("Ce pointage a déjà été annulé."), code="already_undone")
        scan = Scan.objects.create(
            event_id=checkin.event_id,
            ticket=ticket,
            nonce=_clean_nonce(nonce or uuid.uuid4().hex),
            result=ScanResult.UNDONE,
            device=(device or "")[:80],
            scanned_by=by,
            scanned_at=timezone.now(),
        )
    return ScanOutcome(
        result=ScanResult.UNDONE,
        nonce=scan.nonce,
        scan_id=scan.pk,
        attendee=Attendee.of(ticket.registration),
    )


# Finding people, counting them ---------------------------------------------------------------


@dataclass(frozen=True)
class AttendeeMatch:
    attendee: Attendee
    status: RegistrationStatus
    has_ticket: bool
    checkin_id: int | None
    checked_in_at: dt.datetime | None


def search_attendees(event: EventPage, query: str, limit: int = SEARCH_LIMIT) -> list[AttendeeMatch]:
    """Registrations of `event` whose name or structure holds every word of `query`,
    ignoring case and accents ("helene" finds "Hélène"). Cancelled ones are listed too,
    so staff can tell the person why they are refused."""
    if len((query or "").strip()) < 2:
        return []
    registrations = matching_words(
        event.registrations.select_related("ticket__checkin"), query, ["name", "organisation_name"]
    ).order_by(Folded("name"), "pk")[:limit]
    matches = []
    for registration in registrations:
        ticket = getattr(registration, "ticket", None)
        checkin = getattr(ticket, "checkin", None) if ticket is not None else None
        matches.append(
            AttendeeMatch(
                attendee=Attendee.of(registration),
                status=RegistrationStatus(registration.status),
                has_ticket=ticket is not None,
                checkin_id=checkin.pk if checkin else None,
                checked_in_at=checkin.checked_in_at if checkin else None,
            )
        )
    return matches


def event_counts(event: EventPage) -> CheckinCounts:
    """Present / registered, in people and in seats, and the tally: two queries, whatever the size."""
    checked_in = Q(ticket__checkin__isnull=False)
    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    totals = Registration.objects.filter(event=event).aggregate(
        registered=Count("pk", filter=confirmed),
        registered_seats=Sum("seats", filter=confirmed),
        present=Count("pk", filter=checked_in),
        present_seats=Sum("seats", filter=checked_in),
    )
    tally = TallyMark.objects.filter(event=event).aggregate(total=Sum("delta"))["total"] or 0
    return CheckinCounts(
        present=totals["present"],
        present_seats=totals["present_seats"] or 0,
        registered=totals["registered"],
        registered_seats=totals["registered_seats"] or 0,
        # A -1 corrects a +1; synced out of order, marks may dip below zero for a while.
        tally=max(tally, 0),
    )


def offline_manifest(event: EventPage) -> dict:
    """What a phone needs to check people in without network: every valid ticket of a
    confirmed registration, by code hash (the codes themselves are never stored), with a
    version that changes whenever the list or a check-in changes."""
    rows = (
        Ticket.objects.valid()
        .filter(registration__event=event, registration__status=RegistrationStatus.CONFIRMED)
        .order_by("registration__name", "registration_id")
        .values_list(
            "code_hash",
            "registration_id",
            "registration__name",
            "registration__category",
            "registration__seats",
            "registration__organisation_name",
            "checkin__checked_in_at",
        )
    )
    tickets = [
        {
            "code_hash": code_hash,
            "registration": registration_id,
            "name": name,
            "category": category,
            "category_label": _category_label(category),
            "seats": seats,
            "organisation": organisation,
            "checked_in": checked_in_at is not None,
            "checked_in_at": checked_in_at.isoformat() if checked_in_at else None,
        }
        for code_hash, registration_id, name, category, seats, organisation, checked_in_at in rows
    ]
    digest = hashlib.sha256(json.dumps([event.pk, tickets], sort_keys=True).encode()).hexdigest()
    return {"event": event.pk, "version": digest[:32], "generated_at": timezone.now(), "tickets": tickets}


# Passers-by ----------------------------------------------------------------------------------


def record_tally(
    *,
    event: EventPage,
    delta: int,
    nonce: str,
    device: str = "",
    by=None,
    counted_at: dt.datetime | None = None,
) -> TallyOutcome:
    """+1 or -1 on the stand's counter; idempotent per nonce like scans, so a synced queue counts once."""
    if delta not in (1, -1):
        raise CheckinError(_("Le compteur avance de +1 ou recule de -1."), code="invalid_delta")
    nonce = _clean_nonce(nonce)
    existing = TallyMark.objects.filter(nonce=nonce).first()
    if existing is None:
        now = timezone.now()
        when = _effective_time(counted_at, counted_at is not None, now)
        ensure_open_for_checkin(event, when)
        try:
            with transaction.atomic():
                TallyMark.objects.create(
                    event=event, delta=delta, nonce=nonce, device=(device or "")[:80], counted_by=by, counted_at=when
                )
        except IntegrityError:
            # The same mark sent twice at once: the unique nonce let the other one in.
            existing = TallyMark.objects.filter(nonce=nonce).first()
            if existing is None:
                raise
    if existing is not None and existing.event_id != event.pk:
        raise CheckinError(_("Ce numéro de comptage a déjà servi pour un autre événement."), code="nonce_reused")
    total = TallyMark.objects.filter(event=event).aggregate(total=Sum("delta"))["total"] or 0
    return TallyOutcome(
        nonce=nonce,
        delta=existing.delta if existing else delta,
        total=max(total, 0),
        replayed=existing is not None,
    )


# Wording ---------------------------------------------------------------------------------------


def outcome_message(outcome: ScanOutcome) -> str:
    """The sentence the phone shows, in French, ready to display."""
    result = outcome.result
    if result == ScanResult.DUPLICATE and outcome.checked_in_at is not None:
        when = dates.local(outcome.checked_in_at)
        time = dates.format_time(when.time())
        same_day = when.date() == dates.local(timezone.now()).date()
        values = {"time": time, "day": _short_day(when), "by": outcome.checked_in_by}
        if outcome.checked_in_by:
            if same_day:
                return _("Déjà pointé·e à %(time)s par %(by)s") % values
            return _("Déjà pointé·e le %(day)s à %(time)s par %(by)s") % values
        if same_day:
            return _("Déjà pointé·e à %(time)s") % values
        return _("Déjà pointé·e le %(day)s à %(time)s") % values
    if result == ScanResult.WRONG_EVENT and outcome.other_event:
        return _("Billet d'un autre événement : %(event)s") % {"event": outcome.other_event}
    if result == ScanResult.NOT_CONFIRMED:
        return _("Sur liste d'attente : inscription non confirmée")
    return str(result.label)


def user_label(user) -> str:
    """How a colleague is named on screen: first name, else full name, else login."""
    if user is None:
        return ""
    return (user.first_name or user.get_full_name() or user.get_username()).strip()


def _category_label(category: str) -> str:
    try:
        return str(AttendeeCategory(category).label)
    except ValueError:
        return category


def _short_day(value: dt.datetime) -> str:
    local = dates.local(value)
    return _("%(day)s/%(month)s") % {"day": f"{local.day:02d}", "month": f"{local.month:02d}"}


def _clean_nonce(nonce: str) -> str:
    nonce = (nonce or "").strip()
    if not nonce or len(nonce) > MAX_NONCE_LENGTH:
        raise CheckinError(
            _("Identifiant de scan manquant ou trop long (%(limit)s caractères au plus).")
            % {"limit": MAX_NONCE_LENGTH},
            code="invalid_nonce",
        )
    return nonce


def _effective_time(client_time: dt.datetime | None, offline: bool, now: dt.datetime) -> dt.datetime:
    """When the scan happened: the phone's clock for a queued offline scan, else the server's.

    A phone whose clock runs ahead must not stamp a check-in in the future."""
    if not offline or client_time is None:
        return now
    if timezone.is_naive(client_time):
        client_time = timezone.make_aware(client_time, PARIS)
    return min(client_time, now)
