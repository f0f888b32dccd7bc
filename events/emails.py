"""Every email of the site, built from its outbox row (OutgoingEmail).

The emails about registrations are built here: each kind has a subject here and two
templates, templates/emails/<kind>.txt and .html. The ticket's link comes from the row's
`context` (codes are stored hashed, so it exists nowhere else); emails that carry the
ticket attach it as a PDF, with the event as .ics. The village's emails (stands, the
communes' requests, cancelled and moved events) are built by events/village_emails.py.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import dates
from events.ical import event_calendar
from events.models import OutgoingEmail
from events.pdf.tickets import tickets_pdf
from events.services.outbox import VILLAGE_EMAIL_KINDS
from events.services.registrations import EmailKind, waitlist_position
from events.tokens import code_from_scan

SUBJECTS = {
    EmailKind.CONFIRMATION: gettext_lazy("Votre inscription est confirmée : %(event)s"),
    EmailKind.WAITLISTED: gettext_lazy("Vous êtes sur la liste d'attente : %(event)s"),
    EmailKind.PROMOTED: gettext_lazy("Une place s'est libérée, votre inscription est confirmée : %(event)s"),
    EmailKind.CANCELLED: gettext_lazy("Votre inscription est annulée : %(event)s"),
    EmailKind.REMINDER: gettext_lazy("Rappel, c'est bientôt : %(event)s"),
    EmailKind.TICKET_LINK: gettext_lazy("Le nouveau lien de votre billet : %(event)s"),
}
# Kinds whose email carries the ticket (PDF attached) and the event (.ics attached).
WITH_TICKET = {EmailKind.CONFIRMATION, EmailKind.PROMOTED, EmailKind.TICKET_LINK}
WITH_CALENDAR = WITH_TICKET | {EmailKind.WAITLISTED, EmailKind.REMINDER}


class EmailNotSendable(Exception):
    """The row cannot become an email (its registration, stand, request or event was deleted or anonymised)."""


def build_message(outgoing: OutgoingEmail) -> EmailMultiAlternatives:
    # Imported here: village_emails imports EmailNotSendable from this module.
    from events.village_emails import BUILDERS, build_village_message

    # The village's kinds, and those other apps register with village_emails.builds
    # (the volunteers' missions and shifts: volunteers/emails.py).
    if outgoing.kind in VILLAGE_EMAIL_KINDS or outgoing.kind in BUILDERS:
        return build_village_message(outgoing)
    return registration_message(outgoing)


def registration_message(outgoing: OutgoingEmail) -> EmailMultiAlternatives:
    registration = outgoing.registration
    if registration is None or registration.anonymised_at is not None:
        raise EmailNotSendable(outgoing.key)
    event = registration.event
    ticket_url = outgoing.context.get("ticket_url", "")
    site_url = settings.SITE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        event_url = event.get_full_url() or site_url
        context = {
            "registration": registration,
            "event": event,
            "when": dates.format_range(event.start, event.end),
            "place": event.place_label,
            "venue_address": event.venue.address if event.venue_id else "",
            "ticket_url": ticket_url,
            "event_url": event_url,
            "lost_ticket_url": f"{site_url}/inscription/{event.pk}/billet-perdu/",
            "site_url": site_url,
            "position": waitlist_position(registration),
            "cancelled_by_team": registration.cancelled_by_id is not None,
            "contact_email": event.contact_email,
        }
        subject = SUBJECTS[outgoing.kind] % {"event": event.title}
        text = render_to_string(f"emails/{outgoing.kind}.txt", context)
        html = render_to_string(f"emails/{outgoing.kind}.html", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            to=[outgoing.to],
            reply_to=[event.contact_email] if event.contact_email else None,
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(html, "text/html")
        code = code_from_scan(ticket_url) if ticket_url else None
        if outgoing.kind in WITH_TICKET and code:
            message.attach(_("billet.pdf"), tickets_pdf([(registration.ticket, code)]), "application/pdf")
        if outgoing.kind in WITH_CALENDAR:
            calendar = event_calendar([event], method="PUBLISH", urls={event.pk: event_url})
            message.attach(_("evenement.ics"), calendar, "text/calendar")
    return message
