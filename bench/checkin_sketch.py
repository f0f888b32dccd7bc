"""A sketch of perform_checkin with fewer, cheaper statements: measured by the bench, shipped nowhere.

It keeps the shipped service's rules and result codes for a first scan and a duplicate,
and shows what three changes are worth (docs/benchmarks.md):

1. no read of the nonce before the transaction: the unique `Scan.nonce` already refuses
   a replayed nonce, and only then is the first answer looked up (the shipped service's
   `_replay`), so the usual scan pays nothing for the rare resend;
2. the ticket, its registration and its check-in in one locked query
   (`select_related("registration", "checkin__checked_in_by")` with `of=("self",)`) and
   only the columns the verdict and the answer need, instead of two queries that each
   load every column;
3. no savepoint around the CheckIn insert: the ticket's row lock already makes a second
   check-in impossible, and if a backend ignored the lock the one-to-one would make the
   whole scan fail and fall back to the shipped path.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import CheckIn, RegistrationStatus, Scan, ScanResult, Ticket
from events.services.checkin import Attendee, ensure_open_for_checkin, perform_checkin
from events.tokens import code_from_scan, hash_code

# What the verdict and the phone's answer need (name, category, who checked in when).
_COLUMNS = (
    "revoked_at",
    "registration__event",
    "registration__status",
    "registration__name",
    "registration__category",
    "registration__seats",
    "registration__organisation_name",
    "checkin__checked_in_at",
    "checkin__device",
    "checkin__checked_in_by__username",
    "checkin__checked_in_by__first_name",
    "checkin__checked_in_by__last_name",
)


def sketch_checkin(*, event, code_or_link: str, nonce: str, device: str = "", by=None) -> ScanResult:
    now = timezone.now()
    ensure_open_for_checkin(event, now)
    code = code_from_scan(code_or_link)
    try:
        with transaction.atomic():
            ticket = None
            if code:
                ticket = (
                    Ticket.objects.select_for_update(of=("self",))
                    .select_related("registration", "checkin__checked_in_by")
                    .only(*_COLUMNS)
                    .filter(code_hash=hash_code(code))
                    .first()
                )
            result = _verdict(event, ticket)
            if result == ScanResult.ACCEPTED:
                CheckIn.objects.create(ticket=ticket, event=event, checked_in_at=now, checked_in_by=by, device=device)
            Scan.objects.create(
                event=event, ticket=ticket, nonce=nonce, result=result, device=device, scanned_by=by, scanned_at=now
            )
        # What the phone shows, built from the rows already loaded.
        if ticket is not None:
            Attendee.of(ticket.registration)
        return result
    except IntegrityError:
        # A resent nonce (or a lost race): the shipped service answers with the first outcome.
        return perform_checkin(event=event, code_or_link=code_or_link, nonce=nonce, device=device, by=by).result


def _verdict(event, ticket) -> ScanResult:
    if ticket is None:
        return ScanResult.UNKNOWN
    registration = ticket.registration
    if registration.event_id != event.pk:
        return ScanResult.WRONG_EVENT
    if ticket.revoked_at is not None:
        return ScanResult.REVOKED
    if registration.status == RegistrationStatus.CANCELLED:
        return ScanResult.CANCELLED
    if registration.status != RegistrationStatus.CONFIRMED:
        return ScanResult.NOT_CONFIRMED
    try:
        ticket.checkin  # noqa: B018 - loaded by select_related; absent raises
    except CheckIn.DoesNotExist:
        return ScanResult.ACCEPTED
    return ScanResult.DUPLICATE


def sketch_checkin_raw(*, event, code_or_link: str, nonce: str, device: str = "", by=None) -> ScanResult:
    """The same rules in three SQL statements written by hand: the floor the ORM sits above."""
    from django.db import connection

    now = timezone.now()
    ensure_open_for_checkin(event, now)
    code = code_from_scan(code_or_link)
    stamp = connection.ops.adapt_datetimefield_value(now)
    lock = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else ""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            row = None
            if code:
                cursor.execute(
                    "SELECT t.id, t.revoked_at, r.event_id, r.status, r.name, r.category, r.seats, "  # noqa: S608 - constants only
                    "r.organisation_name, c.id FROM events_ticket t "
                    "JOIN events_registration r ON r.id = t.registration_id "
                    "LEFT JOIN events_checkin c ON c.ticket_id = t.id "
                    "WHERE t.code_hash = %s" + lock,
                    [hash_code(code)],
                )
                row = cursor.fetchone()
            if row is None:
                result = ScanResult.UNKNOWN
            elif row[2] != event.pk:
                result = ScanResult.WRONG_EVENT
            elif row[1] is not None:
                result = ScanResult.REVOKED
            elif row[3] == RegistrationStatus.CANCELLED:
                result = ScanResult.CANCELLED
            elif row[3] != RegistrationStatus.CONFIRMED:
                result = ScanResult.NOT_CONFIRMED
            else:
                result = ScanResult.DUPLICATE if row[8] is not None else ScanResult.ACCEPTED
            ticket_id = row[0] if row else None
            by_id = by.pk if by is not None else None
            if result == ScanResult.ACCEPTED:
                cursor.execute(
                    "INSERT INTO events_checkin (ticket_id, event_id, checked_in_at, checked_in_by_id, device) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [ticket_id, event.pk, stamp, by_id, device],
                )
            cursor.execute(
                "INSERT INTO events_scan (event_id, ticket_id, nonce, result, device, scanned_by_id, scanned_at, "
                "received_at, offline) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [event.pk, ticket_id, nonce, result.value, device, by_id, stamp, stamp, False],
            )
        return result
    except IntegrityError:
        return perform_checkin(event=event, code_or_link=code_or_link, nonce=nonce, device=device, by=by).result
