"""Background work of the events app, run by django-q2 (inline in the tests).

Tasks receive ids and fetch their rows again: a task never sees a row that was rolled
back, because the services queue them with transaction.on_commit.
"""

import logging

from django.db import transaction
from django.utils import timezone

from events.emails import EmailNotSendable, build_message
from events.models import EmailStatus, OutgoingEmail
from events.services import registrations, visits

logger = logging.getLogger(__name__)


def send_outgoing_email(email_id: int) -> str:
    """Send one outbox email, once.

    The row is locked while the email is sent, so two workers given the same id (a
    retry racing a slow first attempt, the hourly sweep) send it once: the second finds
    it sent. A failure is recorded on the row (attempts, last_error) and raised again, so
    django-q2 counts a failed attempt and presents the task again (`ack_failure=False`,
    Q_CLUSTER max_attempts); the hourly sweep picks up what is still pending after that.
    On SQLite the lock is the database's write lock: an SMTP server slow to answer holds
    up other writers for that long (set EMAIL_TIMEOUT in production).
    """
    error = None
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            return "missing"
        if email.status == EmailStatus.SENT:
            return "already sent"
        email.attempts += 1
        try:
            build_message(email).send()
        except EmailNotSendable:
            email.status = EmailStatus.FAILED
            email.last_error = "inscription, stand, demande ou événement supprimé ou anonymisé"
            email.context = {}
            email.save(update_fields=["status", "attempts", "last_error", "context"])
            return "not sendable"
        except Exception as exc:  # noqa: BLE001 - recorded on the row, then raised again
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= registrations.MAX_SEND_ATTEMPTS:
                email.status = EmailStatus.FAILED
                email.context = {}
            email.save(update_fields=["status", "attempts", "last_error", "context"])
            error = exc
        else:
            email.status = EmailStatus.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            # The ticket's link has been delivered: the database keeps no usable copy of it.
            email.context = {}
            email.save(update_fields=["status", "attempts", "last_error", "context", "sent_at"])
    if error is not None:
        logger.warning("email %s not sent (attempt %s): %s", email_id, email.attempts, error)
        raise error
    return "sent"


def send_reminders() -> int:
    """Hourly: queue the reminders of events starting within two days, the communes' reminders
    (a week and a day before their stop) and summaries (once the stop has ended), and send
    again the emails left pending by a lost task or a mail server outage. Returns how many
    were queued.

    The visit emails are keyed once each (services/visits.py), so running this twice sends
    nothing more; an id handed to the queue twice is sent once (send_outgoing_email).
    """
    queued = registrations.queue_reminders()
    village = visits.queue_visit_reminders() + visits.queue_visit_summaries()
    already = set(village)
    stale = [email_id for email_id in registrations.stale_emails() if email_id not in already]
    for email_id in [*village, *stale]:
        registrations.enqueue_email_safely(email_id)
    return len(queued) + len(village) + len(stale)


def apply_retention() -> dict:
    """Daily: erase the personal data whose retention period is over (RGPD); the figures stay.
    The periods are those the privacy page announces (services/registrations.py, visits.py, village.py)."""
    from events.services import registrations, village, visits

    return {
        "registrations": registrations.anonymise_past_registrations(),
        "visit_requests": visits.anonymise_settled_requests(),
        "stand_contacts": village.anonymise_past_stand_contacts(),
    }
