"""The outbox for emails that are not about one registration: stands, commune requests, notices.

Like registration emails (services/registrations.py), each is a row recorded in the
transaction that causes it, named once by its `key` so it is sent once, and handed to
django-q2 after commit. `context` holds the ids the email is built from
(events/village_emails.py); it is emptied once the email is sent.
"""

from django.db import transaction

from events.models import OutgoingEmail

from .registrations import enqueue_email


class VillageEmail:
    STAND_RECEIVED = "stand_received"
    STAND_CONFIRMED = "stand_confirmed"
    STAND_REFUSED = "stand_refused"
    STAND_MOVED = "stand_moved"
    VISIT_RECEIVED = "visit_received"
    VISIT_ACCEPTED = "visit_accepted"
    VISIT_DATE_PROPOSED = "visit_date_proposed"
    VISIT_PROPOSAL_DECLINED = "visit_proposal_declined"
    VISIT_DECLINED = "visit_declined"
    VISIT_REMINDER = "visit_reminder"
    VISIT_SUMMARY = "visit_summary"
    # To everyone concerned by an event: context["audience"] says in what capacity.
    EVENT_CANCELLED = "event_cancelled"
    EVENT_MOVED = "event_moved"


VILLAGE_EMAIL_KINDS = {value for name, value in vars(VillageEmail).items() if name.isupper()}


def queue_email(kind: str, *, to: str, key: str, registration=None, **context) -> OutgoingEmail | None:
    """Record an email once and send it after commit. Returns the new row; None when
    nothing was queued (no address, or an email with this key was already recorded)."""
    if not to:
        return None
    email, created = OutgoingEmail.objects.get_or_create(
        key=key[:160], defaults={"kind": kind, "to": to, "registration": registration, "context": context}
    )
    if not created:
        return None
    # robust: see registrations._queue_email; the hourly sweep sends what could not be queued.
    transaction.on_commit(lambda: enqueue_email(email.pk), robust=True)
    return email
