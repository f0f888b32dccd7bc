"""Check-in at the door: the one place where a scan becomes a check-in, or does not.

The check-in page, the API (online scans and the offline queue) and the benchmarks all
call these functions, so there is one set of rules. pretix's `perform_checkin` is the
model: every scan is judged inside a transaction that holds a row lock on the ticket,
answers a stable result code, and is logged in the append-only `Scan` table.

Why it cannot check a ticket in twice, however many phones scan it at once:

- the ticket row is locked (`SELECT ... FOR UPDATE`) before the "already checked in?" read, so
  two scans of one ticket queue up on PostgreSQL; SQLite has no row locks, but every
  transaction starts IMMEDIATE (village/settings/base.py), which serialises writers;
- `CheckIn.ticket` is one-to-one: if a backend ever ignored the lock, the database would
  still refuse the second row, and that scan is answered "duplicate";
- `Scan.nonce` is unique: a phone that re-sends a scan (lost answer, offline queue synced
  twice) gets the first answer back and adds no row.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import uuid
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
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
    now = timezone.now()
    when = _effective_time(scanned_at, offline, now)
    try:
        ensure_open_for_checkin(event, when)
    except CheckinError:
        # A scan re-sent after the door closed (or from another event) still gets its
        # first answer, or "nonce reused": the nonce is judged before the door.
        replay = _replay(nonce, event)
        if replay is not None:
            return replay
        raise
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _record_scan(event, lookup, nonce, device, by, when, now, offline)
        except IntegrityError:
            # No nonce is read before the scan: the unique Scan.nonce refuses a resend (or
            # the same scan sent twice at once, the other request having committed first),
            # the whole transaction is rolled back, and the first outcome is answered.
            replay = _replay(nonce, event)
            if replay is not None:
                return replay
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# The hot path in a few hand-written statements -----------------------------------------------
#
# Why raw SQL: a scan must stay within 10x of a single-row UPDATE (docs/benchmarks.md), and
# the ORM's compiling and model building cost more than the database work itself. So one
# accepted scan is: one locking SELECT of the ticket and its registration (only the needed
# columns; on SQLite it joins the check-in and who made it, on PostgreSQL a second SELECT
# reads them, see below), one INSERT of the check-in, one INSERT of the Scan row; a duplicate
# skips the check-in insert. Names come from the models' _meta; the SQL runs on SQLite and
# PostgreSQL alike. The rare paths (a resent nonce, another event's ticket) stay in the ORM.
#
# The row lock: `FOR UPDATE OF t` on PostgreSQL, so two scans of one ticket queue up; there
# the check-in is then read in a statement of its own, because a statement sees the rows
# committed before it started: a join in the locking statement would miss the check-in made
# (or undone) by the scan it waited for. SQLite has no row locks, but IMMEDIATE transactions
# serialise writers and a transaction sees everything committed before it began, so the
# check-in is joined in the one statement. The last guarantee is the one-to-one on
# CheckIn.ticket: the check-in INSERT is `ON CONFLICT (ticket) DO NOTHING`, so a scan that
# ever judged a checked-in ticket free inserts nothing, reads the check-in that exists, and
# is a duplicate; no error is raised, so the transaction stays usable on PostgreSQL and no
# savepoint is needed.


class _Row(NamedTuple):
    """The locked ticket, as the verdict and the answer need it."""

    ticket_id: int
    revoked_at: object
    registration_id: int
    event_id: int
    status: str
    name: str
    category: str
    seats: int
    organisation: str
    checkin_id: int | None
    checked_in_at: object
    checkin_device: str | None
    username: str | None
    first_name: str | None
    last_name: str | None


_NO_CHECKIN = (None,) * 6  # the check-in's columns of _Row, when the ticket has none


class _Seen(NamedTuple):
    """A check-in met by a duplicate scan."""

    id: int
    checked_in_at: dt.datetime
    by: str
    device: str


@functools.cache
def _statements(vendor: str, lock: bool, returning: bool) -> dict[str, str]:
    """The hot path's SQL for one kind of backend, built once from the models' _meta."""
    qn = connection.ops.quote_name

    def table(model):
        return qn(model._meta.db_table)

    def col(alias, model, name):
        return f"{alias}.{qn(model._meta.get_field(name).column)}"

    def columns(model, names):
        return ", ".join(qn(model._meta.get_field(name).column) for name in names)

    def returning_id(model):
        return f" RETURNING {qn(model._meta.pk.column)}" if returning else ""

    user = get_user_model()
    selected = [
        col("t", Ticket, "id"),
        col("t", Ticket, "revoked_at"),
        col("r", Registration, "id"),
        col("r", Registration, "event"),
        col("r", Registration, "status"),
        col("r", Registration, "name"),
        col("r", Registration, "category"),
        col("r", Registration, "seats"),
        col("r", Registration, "organisation_name"),
        col("c", CheckIn, "id"),
        col("c", CheckIn, "checked_in_at"),
        col("c", CheckIn, "device"),
        col("u", user, user.USERNAME_FIELD),
        col("u", user, "first_name"),
        col("u", user, "last_name"),
    ]
    joins = (
        f"FROM {table(Ticket)} t "
        f"JOIN {table(Registration)} r ON {col('r', Registration, 'id')} = {col('t', Ticket, 'registration')} "
        f"LEFT JOIN {table(CheckIn)} c ON {col('c', CheckIn, 'ticket')} = {col('t', Ticket, 'id')} "
        f"LEFT JOIN {table(user)} u ON {col('u', user, 'id')} = {col('c', CheckIn, 'checked_in_by')} "
    )
    if lock:
        # PostgreSQL: the ticket and its registration only; the check-in is read after the lock.
        locking, joins = selected[:9], joins.split(" LEFT JOIN ", 1)[0] + " "
    else:
        locking = selected
    suffix = " FOR UPDATE OF t" if lock else ""
    checkin_columns = ["ticket", "event", "checked_in_at", "checked_in_by", "device"]
    scan_columns = [
        "event",
        "ticket",
        "nonce",
        "result",
        "device",
        "scanned_by",
        "scanned_at",
        "received_at",
        "offline",
    ]
    return {
        "code_hash": f"SELECT {', '.join(locking)} {joins}WHERE {col('t', Ticket, 'code_hash')} = %s{suffix}",
        "registration_id": f"SELECT {', '.join(locking)} {joins}WHERE {col('t', Ticket, 'registration')} = %s{suffix}",
        # noqa below: table and column names come from _meta, every value is a bound parameter.
        "seen": f"SELECT {', '.join(selected[9:])} FROM {table(CheckIn)} c "  # noqa: S608
        f"LEFT JOIN {table(user)} u ON {col('u', user, 'id')} = {col('c', CheckIn, 'checked_in_by')} "
        f"WHERE {col('c', CheckIn, 'ticket')} = %s",
        "checkin": f"INSERT INTO {table(CheckIn)} ({columns(CheckIn, checkin_columns)}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT ({columns(CheckIn, ['ticket'])}) DO NOTHING{returning_id(CheckIn)}",
        "scan": f"INSERT INTO {table(Scan)} ({columns(Scan, scan_columns)}) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s){returning_id(Scan)}",
    }


def _inserted_id(cursor, returning: bool) -> int | None:
    """The id of the row an INSERT made, None if it made none (ON CONFLICT DO NOTHING)."""
    if returning:
        row = cursor.fetchone()
        return row[0] if row else None
    return cursor.lastrowid if cursor.rowcount == 1 else None


def _record_scan(event, lookup, nonce, device, by, when, now, offline) -> ScanOutcome:
    features = connection.features
    lock, returning = features.has_select_for_update_of, features.can_return_columns_from_insert
    sql = _statements(connection.vendor, lock, returning)
    adapt = connection.ops.adapt_datetimefield_value
    by_id = by.pk if by is not None else None
    with connection.cursor() as cursor:
        row = None
        if lookup is not None:
            ((key, value),) = lookup.items()
            cursor.execute(sql[key], [value])
            found = cursor.fetchone()
            if found is not None and lock:
                # PostgreSQL: the check-in in its own statement, after the lock (see above).
                cursor.execute(sql["seen"], [found[0]])
                found = (*found, *(cursor.fetchone() or _NO_CHECKIN))
            row = _Row(*found) if found is not None else None
        result, seen = _verdict(event, row)
        if result == ScanResult.ACCEPTED:
            cursor.execute(sql["checkin"], [row.ticket_id, event.pk, adapt(when), by_id, device])
            checkin_id = _inserted_id(cursor, returning)
            if checkin_id is not None:
                seen = _Seen(checkin_id, when, user_label(by), device)
            else:
                # The one-to-one refused a second check-in that the verdict could not see
                # (see above): read it in a new statement, the scan is a duplicate.
                cursor.execute(sql["seen"], [row.ticket_id])
                found = cursor.fetchone()
                if found is None:  # pragma: no cover - undone meanwhile: judge the scan again
                    raise IntegrityError("check-in conflict on a ticket without check-in")
                result, seen = ScanResult.DUPLICATE, _seen(*found)
        ticket_id = row.ticket_id if row is not None else None
        cursor.execute(
            sql["scan"],
            [event.pk, ticket_id, nonce, result.value, device, by_id, adapt(when), adapt(now), offline],
        )
        scan_id = _inserted_id(cursor, returning)
    attendee = None
    if row is not None:
        attendee = Attendee(
            registration_id=row.registration_id,
            name=row.name,
            category=row.category,
            category_label=_category_label(row.category),
            seats=row.seats,
            organisation=row.organisation,
        )
    return ScanOutcome(
        result=result,
        nonce=nonce,
        scan_id=scan_id,
        offline=offline,
        attendee=attendee,
        checkin_id=seen.id if seen is not None else None,
        checked_in_at=seen.checked_in_at if seen is not None else None,
        checked_in_by=seen.by if seen is not None else "",
        checked_in_device=seen.device if seen is not None else "",
        other_event=_other_event(row.event_id) if result == ScanResult.WRONG_EVENT else "",
    )


def _verdict(event: EventPage, row: _Row | None) -> tuple[ScanResult, _Seen | None]:
    if row is None:
        return ScanResult.UNKNOWN, None
    # Another event's ticket first: its status there is none of this door's business.
    if row.event_id != event.pk:
        return ScanResult.WRONG_EVENT, None
    if row.revoked_at is not None:
        return ScanResult.REVOKED, None
    if row.status == RegistrationStatus.CANCELLED:
        return ScanResult.CANCELLED, None
    if row.status != RegistrationStatus.CONFIRMED:
        return ScanResult.NOT_CONFIRMED, None
    if row.checkin_id is not None:
        return ScanResult.DUPLICATE, _seen(*row[9:])
    return ScanResult.ACCEPTED, None


def _seen(checkin_id, checked_in_at, device, username, first_name, last_name) -> _Seen:
    by = ""
    if username is not None:
        by = user_label(get_user_model()(username=username, first_name=first_name, last_name=last_name))
    return _Seen(checkin_id, _from_db(CheckIn._meta.get_field("checked_in_at"), checked_in_at), by, device)


def _from_db(field, value):
    """A value read by a raw cursor, converted as the ORM would (SQLite returns naive UTC)."""
    column = field.get_col(field.model._meta.db_table)
    for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
        value = converter(value, column, connection)
    return value


def _other_event(event_id: int) -> str:
    other = EventPage.objects.filter(pk=event_id).only("title", "start").first()
    if other is None:
        return ""
    return _("« %(title)s », le %(day)s") % {"title": other.title, "day": _short_day(other.start)}


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
        other_event = _other_event(registration.event_id)
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
