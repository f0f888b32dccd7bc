"""Registrations and tickets: who gets a seat, who waits, who is promoted.

Capacity is counted in seats (a group takes its headcount). Never more than
`capacity` seats are confirmed by online registration, however many people register at
the same moment: every operation that counts seats runs in one transaction that first
locks the event row (`select_for_update`), so a second request waits for the first to
commit and then counts the seat the first one took. On SQLite, which has no row locks,
the same guarantee comes from the IMMEDIATE transaction mode (village/settings/base.py):
a transaction takes the database's write lock when it begins, so writers run one after
the other.

Two rules that a reader would otherwise have to guess:

- The waiting list is served "first that fits", in order of registration: when seats
  free up, the earliest waiting registration that fits in them is confirmed, then the
  next one that fits, and so on. A class of 25 that does not fit in 3 free seats keeps
  its place while a person behind it takes one of the 3; seats are not left empty at a
  breakfast because a large group is waiting. A new registration is therefore confirmed
  whenever it fits in the free seats: after every operation, no waiting registration
  fits in them.
- Walk-ins (people registered at the door by an organiser) are confirmed even beyond
  the capacity: they are already in the room, and the organiser at the door is the one
  who decides whether it holds them. They count as confirmed seats, so the waiting list
  is not promoted while the event is over capacity.

Ticket codes are stored hashed only (events/tokens.py). Whenever a person must be sent
a link to their ticket again (promotion, "resend my ticket"), a new code is drawn and
the ticket's hash replaced: the previous link and printed QR stop working, and the email
carries the new ones.
"""

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from events.models import (
    AttendeeCategory,
    EmailStatus,
    EventKind,
    EventPage,
    EventStatus,
    OutgoingEmail,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Ticket,
)
from events.tokens import hash_code, new_code
from territory.models import PARIS

logger = logging.getLogger(__name__)

# One "send me my ticket again" per registration within this delay: each one replaces the
# code, so a stranger who knows an address cannot keep invalidating someone's ticket.
RESEND_INTERVAL = dt.timedelta(minutes=5)
# The reminder goes out this long before the event starts.
REMINDER_BEFORE = dt.timedelta(days=2)
# An email still pending this long after it was recorded is queued again by the hourly
# sweep, until it has been tried MAX_SEND_ATTEMPTS times; then it is marked failed.
STALE_AFTER = dt.timedelta(minutes=15)
MAX_SEND_ATTEMPTS = 8


class RegistrationError(Exception):
    """A registration refused for a reason the person can be told; `code` is stable."""

    def __init__(self, message, code: str, registration: Registration | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.registration = registration

    def __str__(self):
        return str(self.message)


class EmailKind:
    CONFIRMATION = "confirmation"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"
    REMINDER = "reminder"
    TICKET_LINK = "ticket_link"


@dataclass(frozen=True)
class RegistrationWindow:
    """Whether an event takes online registrations now, and if not, why (an error code)."""

    is_open: bool
    code: str = ""
    opens_at: dt.datetime | None = None


def ticket_url(code: str) -> str:
    """The absolute link of a ticket: what the QR holds and the emails carry."""
    return f"{settings.SITE_URL.rstrip('/')}/billet/{code}/"


def registration_window(event: EventPage, now: dt.datetime | None = None) -> RegistrationWindow:
    """Open or not for online registration, judged on the event as given (no query)."""
    now = now or timezone.now()
    if not event.takes_registrations:
        return RegistrationWindow(False, "no_registration")
    if event.status == EventStatus.CANCELLED:
        return RegistrationWindow(False, "event_cancelled")
    if event.status == EventStatus.POSTPONED:
        return RegistrationWindow(False, "event_postponed")
    if event.start <= now:
        return RegistrationWindow(False, "event_started")
    if event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationWindow(False, "registration_not_open", event.registration_opens_at)
    if event.registration_closes_at and now >= event.registration_closes_at:
        return RegistrationWindow(False, "registration_closed")
    return RegistrationWindow(True)


WINDOW_MESSAGES = {
    "no_registration": _("Cet événement est en accès libre : il ne prend pas d'inscription."),
    "event_cancelled": _("Cet événement est annulé : il ne prend plus d'inscription."),
    "event_postponed": _("Cet événement est reporté : les inscriptions rouvriront avec la nouvelle date."),
    "event_started": _("Cet événement a déjà commencé : les inscriptions sont closes."),
    "registration_not_open": _("Les inscriptions ne sont pas encore ouvertes."),
    "registration_closed": _("Les inscriptions sont closes."),
    "event_not_published": _("Cet événement n'est pas publié."),
}


def _check_event(event: EventPage, source: str, now: dt.datetime) -> None:
    if source == RegistrationSource.ONLINE:
        if not event.live:
            raise RegistrationError(WINDOW_MESSAGES["event_not_published"], code="event_not_published")
        window = registration_window(event, now)
        if not window.is_open:
            raise RegistrationError(WINDOW_MESSAGES[window.code], code=window.code)
        return
    # Organisers may add people at the door, during and after the event (to record who
    # came), but not to an event that takes no registration or was cancelled.
    if not event.takes_registrations:
        raise RegistrationError(WINDOW_MESSAGES["no_registration"], code="no_registration")
    if event.status == EventStatus.CANCELLED:
        raise RegistrationError(WINDOW_MESSAGES["event_cancelled"], code="event_cancelled")


def _check_person(event, *, name, email, category, mandate, mandate_commune, is_group, headcount, consent, source):
    if not name.strip():
        raise RegistrationError(_("Indiquez un nom."), code="name_required")
    if not email.strip():
        raise RegistrationError(_("Indiquez une adresse électronique."), code="email_required")
    if category not in AttendeeCategory.values:
        raise RegistrationError(_("Catégorie inconnue."), code="invalid_category")
    if category == AttendeeCategory.ELECTED and not (mandate.strip() and mandate_commune):
        raise RegistrationError(
            _("Un·e élu·e indique son mandat et la commune où il s'exerce."), code="mandate_required"
        )
    if headcount < 1:
        raise RegistrationError(_("Un groupe compte au moins une personne."), code="invalid_headcount")
    if not is_group and headcount != 1:
        raise RegistrationError(_("Une inscription individuelle prend une seule place."), code="invalid_headcount")
    if is_group and event.kind != EventKind.YOUTH_OUTREACH:
        raise RegistrationError(
            _("Les inscriptions de groupe sont réservées aux sensibilisations des jeunes."), code="group_not_allowed"
        )
    if source == RegistrationSource.ONLINE and not consent:
        raise RegistrationError(
            _("Votre accord est nécessaire pour enregistrer votre inscription."), code="consent_required"
        )


def confirmed_seats(event: EventPage) -> int:
    return event.registrations.confirmed().aggregate(total=Sum("seats"))["total"] or 0


def _lock_event(event: EventPage) -> EventPage:
    """The event's row, locked until the transaction ends: the capacity checks serialise on it.

    `of=("self",)` locks the events_eventpage row only, not Wagtail's page row, so an
    organiser editing the page is not held up by a rush of registrations.
    """
    return EventPage.objects.select_for_update(of=("self",)).get(pk=event.pk)


def _queue_email(kind: str, registration: Registration, key: str, **context) -> OutgoingEmail:
    """Record an email in the current transaction and send it once the transaction commits."""
    email = OutgoingEmail.objects.create(
        key=key, kind=kind, registration=registration, to=registration.email, context=context
    )
    # robust: the registration is committed whatever happens to its email; a broker that
    # is down (or a failed send, when tasks run inline) must not turn it into an error
    # page. The email stays pending and the hourly sweep sends it (tasks.send_reminders).
    transaction.on_commit(lambda: enqueue_email(email.pk), robust=True)
    return email


def enqueue_email(email_id: int) -> None:
    """Hand an outbox email to the task queue (django-q2; inline when Q_CLUSTER["sync"])."""
    # ack_failure=False: a failed send stays in the broker and is presented again after
    # Q_CLUSTER["retry"] seconds, up to Q_CLUSTER["max_attempts"] times.
    async_task("events.tasks.send_outgoing_email", email_id, task_name=f"courriel {email_id}", ack_failure=False)


def enqueue_email_safely(email_id: int) -> None:
    """enqueue_email for batch jobs: one email that cannot be queued does not stop the others."""
    try:
        enqueue_email(email_id)
    except Exception:  # noqa: BLE001 - logged; the email stays pending for the next sweep
        logger.exception("email %s could not be queued", email_id)


def _issue_code(ticket: Ticket) -> str:
    code = new_code()
    ticket.code_hash = hash_code(code)
    ticket.save(update_fields=["code_hash"])
    return code


def register(
    event: EventPage,
    *,
    name: str,
    email: str,
    phone: str = "",
    home_commune=None,
    outside_territory: bool = False,
    category: str = AttendeeCategory.RESIDENT,
    mandate: str = "",
    mandate_commune=None,
    organisation_name: str = "",
    is_group: bool = False,
    structure_kind: str = "",
    teacher_name: str = "",
    level: str = "",
    headcount: int = 1,
    consent: bool = False,
    source: str = RegistrationSource.ONLINE,
    by=None,
) -> tuple[Registration, str]:
    """Register a person (or a group) and issue their ticket.

    Returns the registration, confirmed or waitlisted, and the ticket's code: the only
    time it exists in clear, to redirect to the ticket page and to put in the email.
    Raises RegistrationError with codes: the event's window (see WINDOW_MESSAGES),
    name_required, email_required, invalid_category, mandate_required, invalid_headcount,
    group_not_allowed, consent_required, already_registered (with `.registration`).
    `by`, the organiser adding someone, is not stored on the row (the admin writes it to
    Wagtail's action log); it is in the signature so every caller says who acts.
    """
    now = timezone.now()
    email = email.strip()
    _check_person(
        event,
        name=name,
        email=email,
        category=category,
        mandate=mandate,
        mandate_commune=mandate_commune,
        is_group=is_group,
        headcount=headcount,
        consent=consent,
        source=source,
    )
    email_key = email.lower()
    try:
        with transaction.atomic():
            locked = _lock_event(event)
            _check_event(locked, source, now)
            existing = _active_registration(locked, email_key)
            if existing is not None:
                raise _already_registered(existing)
            # Seats freed since the last operation (the capacity was raised in the page
            # editor) go to the people already waiting before this newcomer.
            _promote_locked(locked, now)
            taken = confirmed_seats(locked)
            fits = locked.capacity is None or taken + headcount <= locked.capacity
            confirmed = fits or source == RegistrationSource.WALK_IN
            registration = Registration.objects.create(
                event=locked,
                status=RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED,
                source=source,
                name=name.strip(),
                email=email,
                phone=phone.strip(),
                home_commune=None if outside_territory else home_commune,
                outside_territory=outside_territory,
                category=category,
                mandate=mandate.strip() if category == AttendeeCategory.ELECTED else "",
                mandate_commune=mandate_commune if category == AttendeeCategory.ELECTED else None,
                organisation_name=organisation_name.strip(),
                is_group=is_group,
                structure_kind=structure_kind if is_group else "",
                teacher_name=teacher_name.strip() if is_group else "",
                level=level if is_group else "",
                seats=headcount,
                consent_at=now if consent else None,
                confirmed_at=now if confirmed else None,
            )
            code = new_code()
            Ticket.objects.create(registration=registration, code_hash=hash_code(code))
            kind = EmailKind.CONFIRMATION if confirmed else EmailKind.WAITLISTED
            _queue_email(kind, registration, f"{kind}:{registration.pk}", ticket_url=ticket_url(code))
    except IntegrityError:
        # The constraint registration_one_active_per_email, last line of defence should
        # a writer ever bypass the lock above.
        existing = _active_registration(event, email_key)
        if existing is None:
            raise
        raise _already_registered(existing) from None
    return registration, code


def _active_registration(event: EventPage, email_key: str) -> Registration | None:
    return Registration.objects.active().filter(event_id=event.pk, email_key=email_key).first()


def _already_registered(existing: Registration) -> RegistrationError:
    return RegistrationError(
        _("Une inscription à cet événement existe déjà avec cette adresse électronique."),
        code="already_registered",
        registration=existing,
    )


def _promote_locked(event: EventPage, now: dt.datetime) -> list[Registration]:
    """Confirm waiting registrations, first that fits first. The event row must be locked."""
    waiting = list(event.registrations.waitlisted().select_related("ticket").order_by("created_at", "pk"))
    if not waiting:
        return []
    free = None if event.capacity is None else event.capacity - confirmed_seats(event)
    promoted = []
    for registration in waiting:
        if free is not None and registration.seats > free:
            continue
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = registration.promoted_at = now
        registration.save(update_fields=["status", "confirmed_at", "promoted_at", "updated_at"])
        # A new code: the promoted email carries the ticket, and the code of the first
        # email exists nowhere in clear any more.
        code = _issue_code(registration.ticket)
        _queue_email(
            EmailKind.PROMOTED, registration, f"{EmailKind.PROMOTED}:{registration.pk}", ticket_url=ticket_url(code)
        )
        promoted.append(registration)
        if free is not None:
            free -= registration.seats
            if free <= 0:
                break
    return promoted


def promote_waitlist(event: EventPage) -> list[Registration]:
    """Confirm as many waiting registrations as now fit (first that fits, in order); email each one."""
    with transaction.atomic():
        locked = _lock_event(event)
        if locked.status == EventStatus.CANCELLED:
            return []
        return _promote_locked(locked, timezone.now())


def cancel_registration(registration: Registration, by=None) -> list[Registration]:
    """Cancel a registration, free its seats and promote from the waiting list.

    `by` is the organiser who cancels from the admin; None when the person cancels from
    their ticket page, which they may do until the event starts. Returns the
    registrations promoted into the freed seats.
    Raises RegistrationError: already_cancelled, too_late_to_cancel.
    """
    now = timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == RegistrationStatus.CANCELLED:
            raise RegistrationError(_("Cette inscription est déjà annulée."), code="already_cancelled")
        if by is None and event.start <= now:
            raise RegistrationError(
                _("L'événement a commencé : l'inscription ne peut plus être annulée en ligne."),
                code="too_late_to_cancel",
            )
        current.status = RegistrationStatus.CANCELLED
        current.cancelled_at = now
        current.cancelled_by = by
        current.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
        _queue_email(EmailKind.CANCELLED, current, f"{EmailKind.CANCELLED}:{current.pk}")
        promoted = [] if event.status == EventStatus.CANCELLED else _promote_locked(event, now)
    registration.refresh_from_db()
    return promoted


def resend_ticket_link(registration: Registration) -> str:
    """Email a new link to the ticket of an active registration; the previous link stops working.

    Returns the new code. Raises RegistrationError: not_active, ticket_revoked,
    resend_too_soon (one resend per RESEND_INTERVAL).
    """
    now = timezone.now()
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == RegistrationStatus.CANCELLED:
            raise RegistrationError(_("Cette inscription est annulée."), code="not_active")
        ticket = Ticket.objects.get(registration=current)
        if ticket.revoked_at is not None:
            raise RegistrationError(_("Ce billet a été révoqué par l'équipe."), code="ticket_revoked")
        if current.emails.filter(kind=EmailKind.TICKET_LINK, created_at__gt=now - RESEND_INTERVAL).exists():
            raise RegistrationError(
                _("Un nouveau lien vient déjà d'être envoyé : consultez votre messagerie."), code="resend_too_soon"
            )
        code = _issue_code(ticket)
        _queue_email(
            EmailKind.TICKET_LINK,
            current,
            f"{EmailKind.TICKET_LINK}:{current.pk}:{ticket.code_hash[:16]}",
            ticket_url=ticket_url(code),
        )
    return code


def revoke_ticket(ticket: Ticket, by=None) -> None:
    """Make a ticket unusable (a leaked link): its page answers 404 and a scan is refused.

    `by` is recorded by the caller (the admin's action log), as for `register`."""
    with transaction.atomic():
        current = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if current.revoked_at is None:
            current.revoked_at = timezone.now()
            current.save(update_fields=["revoked_at"])
    ticket.revoked_at = current.revoked_at


def find_ticket(code: str) -> Ticket | None:
    """The valid ticket with this code, with its registration and event; None when unknown or revoked."""
    return (
        Ticket.objects.valid()
        .select_related(
            "registration__event__venue",
            "registration__event__commune",
            "registration__home_commune",
            "registration__mandate_commune",
        )
        .filter(code_hash=hash_code(code))
        .first()
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first registration waiting; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = registration.event.registrations.waitlisted().filter(
        Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def queue_reminders(now: dt.datetime | None = None) -> list[int]:
    """Record the reminder of every confirmed registration whose event starts within two days.

    Run hourly (the "Rappels J-2" schedule, events/migrations/0004). Each reminder has the
    key "reminder:<registration id>", so a registration is reminded once, however often
    this runs. People who registered or were promoted less than two days ahead just got
    their ticket and get no reminder. Returns the ids of the emails queued.
    """
    now = now or timezone.now()
    registrations = (
        Registration.objects.confirmed()
        .filter(
            event__start__gt=now,
            event__start__lte=now + REMINDER_BEFORE,
            event__live=True,
            event__status=EventStatus.SCHEDULED,
        )
        .exclude(emails__kind=EmailKind.REMINDER)
        .select_related("event")
    )
    queued = []
    for registration in registrations:
        if registration.confirmed_at and registration.confirmed_at > registration.event.start - REMINDER_BEFORE:
            continue
        with transaction.atomic():
            email, created = OutgoingEmail.objects.get_or_create(
                key=f"{EmailKind.REMINDER}:{registration.pk}",
                defaults={"kind": EmailKind.REMINDER, "registration": registration, "to": registration.email},
            )
        if created:
            queued.append(email.pk)
    for email_id in queued:
        enqueue_email_safely(email_id)
    return queued


def stale_emails(now: dt.datetime | None = None) -> list[int]:
    """Ids of emails still unsent a while after they were recorded: their task was lost (the
    worker stopped before running it) or gave up while the mail server was down."""
    now = now or timezone.now()
    return list(
        OutgoingEmail.objects.filter(
            status=EmailStatus.PENDING, created_at__lt=now - STALE_AFTER, attempts__lt=MAX_SEND_ATTEMPTS
        ).values_list("pk", flat=True)
    )


# Retention (RGPD) ------------------------------------------------------------------------


def registration_retention_year(today: dt.date) -> int:
    """The last year whose events' registrations are anonymised on `today`.

    Registrations are anonymised a whole year at a time, on 1 January of the second year
    after the events (between one and two years after each event, as the privacy page
    says): within a year, one person is then still one pseudonym across all of that year's
    events, so the plan's yearly "unique participants" survive the erasure unchanged.
    """
    return today.year - 2


def anonymise_past_registrations(now: dt.datetime | None = None) -> int:
    """Erase who registered to the events of the years past retention; the figures stay.

    Kept: the event, status, category, seats, home and mandate communes, the group's
    structure and level, the dates, the tickets and check-ins (they hold no person).
    Erased: name, email, phone, mandate, teacher; the email becomes a random pseudonym,
    the same for one person's registrations of one year (see registration_retention_year),
    and the emails sent to them leave the outbox. Returns how many registrations.
    """
    now = now or timezone.now()
    last_year = registration_retention_year(timezone.localtime(now, PARIS).date())
    pending = Registration.objects.filter(anonymised_at__isnull=True, event__start_date__year__lte=last_year)
    count = 0
    with transaction.atomic():
        rows = list(pending.select_for_update().only("pk", "email_key", "event__start_date").select_related("event"))
        pseudonyms: dict[tuple[int, str], str] = {}
        for registration in rows:
            key = (registration.event.start_date.year, registration.email_key)
            pseudonym = pseudonyms.setdefault(key, f"anonyme-{secrets.token_hex(8)}@anonyme.invalid")
            registration.name = ""
            registration.email = registration.email_key = pseudonym
            registration.phone = registration.mandate = registration.teacher_name = ""
            registration.anonymised_at = now
        # bulk_update writes email_key as given: save() would recompute it from the email, to the same value.
        Registration.objects.bulk_update(
            rows, ["name", "email", "email_key", "phone", "mandate", "teacher_name", "anonymised_at"], batch_size=500
        )
        OutgoingEmail.objects.filter(
            registration__anonymised_at__isnull=False, registration__event__start_date__year__lte=last_year
        ).delete()
        count = len(rows)
    return count
