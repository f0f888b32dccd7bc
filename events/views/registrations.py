"""Public registration and ticket pages.

/inscription/<event id>/               the form (a person, or a group for youth outreach)
/inscription/<event id>/billet-perdu/  "send me a new link to my ticket"
/billet/<code>/                        the ticket: status, QR, PDF, .ics, cancel
/billet/<code>/billet.pdf, /evenement.ics, /annuler/

A ticket's address holds its code, the only key to it: no database id, nothing to
guess. Ticket pages are private (no cache, no index, no referrer to other sites, since
the address is the secret) and an unknown or revoked code answers 404.
"""

import functools
import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from events import dates
from events.forms_registration import LostTicketForm, registration_form_class
from events.ical import calendar_response, event_calendar
from events.models import EventPage, Registration, RegistrationSource, RegistrationStatus
from events.pdf.tickets import tickets_pdf
from events.qr import qr_svg
from events.services import registrations as service
from events.services.registrations import RegistrationError
from events.tokens import CODE_PATTERN

# Registration attempts per client address in a window: enough for a family or an
# office behind one address, not for a script.
RATE_LIMIT = 20
RATE_WINDOW_SECONDS = 10 * 60

# Service refusals that belong to one field of the form.
FIELD_OF_ERROR = {
    "name_required": "name",
    "email_required": "email",
    "invalid_category": "category",
    "mandate_required": "mandate",
    "invalid_headcount": "headcount",
    "consent_required": "consent",
    "already_registered": "email",
}


def _client_address(request) -> str:
    # Behind the production proxy the client is the last X-Forwarded-For entry, the
    # only one a client cannot forge (see events/views/visitors.py).
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _over_rate_limit(request, scope: str) -> bool:
    """Count this attempt; True once the client's budget is spent. Only a hash of the address is kept."""
    address = hashlib.sha256(_client_address(request).encode()).hexdigest()[:32]
    key = f"registration-rate:{scope}:{address}"
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count > RATE_LIMIT


def _public_event(event_id: int) -> EventPage | None:
    return EventPage.objects.live().public().select_related("venue", "commune__territory").filter(pk=event_id).first()


def private(view):
    """Headers of a page whose address is a secret: not cached, not indexed, not sent as referrer
    to other sites. ("no-referrer" would also make the browser send `Origin: null` with the
    cancel form, which Django's CSRF check rightly refuses.)"""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def _not_found(request, template="events/registration/ticket_not_found.html", context=None):
    return render(request, template, context or {}, status=404)


def _event_not_found(request):
    return render(request, "404.html", status=404)


# Registration -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request, event_id: int):
    event = _public_event(event_id)
    if event is None:
        return _event_not_found(request)
    window = service.registration_window(event)
    context = {"event": event, "event_url": event.get_url(request), "when": dates.format_range(event.start, event.end)}
    if not window.is_open:
        context.update(
            window=window,
            window_message=service.WINDOW_MESSAGES[window.code],
            opens_at=dates.format_datetime(window.opens_at) if window.opens_at else "",
        )
        return render(request, "events/registration/closed.html", context)

    form_class = registration_form_class(event)
    form = form_class(request.POST or None, event=event)
    status = 200
    if request.method == "POST":
        if _over_rate_limit(request, "register"):
            form.is_valid()
            form.add_error(None, _("Trop d'inscriptions depuis votre connexion : réessayez dans quelques minutes."))
            status = 429
        elif form.is_valid():
            try:
                registration, code = service.register(
                    event, **form.service_arguments(), source=RegistrationSource.ONLINE
                )
            except RegistrationError as error:
                if error.code == "already_registered":
                    context["already_registered"] = True
                    form.add_error("email", _("Vous êtes déjà inscrit·e à cet événement avec cette adresse."))
                elif error.code in FIELD_OF_ERROR and FIELD_OF_ERROR[error.code] in form.fields:
                    form.add_error(FIELD_OF_ERROR[error.code], str(error))
                else:
                    form.add_error(None, str(error))
            else:
                if registration.status == RegistrationStatus.CONFIRMED:
                    messages.success(request, _("C'est noté : votre inscription est confirmée."))
                else:
                    messages.info(request, _("L'événement est complet : vous êtes sur la liste d'attente."))
                return redirect(reverse("ticket", args=[code]), permanent=False)
    context.update(
        form=form,
        seats_left=event.seats_left,
        lost_ticket_url=reverse("lost_ticket", args=[event.pk]),
    )
    return render(request, "events/registration/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def lost_ticket(request, event_id: int):
    """Email a new link to the ticket of whoever registered with this address.

    The answer is the same whether or not the address is registered, so the page tells
    nobody who registered for what.
    """
    event = _public_event(event_id)
    if event is None or not event.takes_registrations:
        return _event_not_found(request)
    if request.method == "POST":
        form = LostTicketForm(request.POST)
    else:
        # A prefilled address (from the "already registered" message) is shown, not judged.
        form = LostTicketForm(initial={"email": request.GET.get("email", "")})
    context = {"event": event, "event_url": event.get_url(request), "form": form}
    status = 200
    if request.method == "POST":
        if _over_rate_limit(request, "lost_ticket"):
            form.is_valid()
            form.add_error(None, _("Trop de demandes depuis votre connexion : réessayez dans quelques minutes."))
            status = 429
        elif form.is_valid():
            registration = (
                Registration.objects.active().filter(event=event, email_key=form.cleaned_data["email"].lower()).first()
            )
            if registration is not None:
                try:
                    service.resend_ticket_link(registration)
                except RegistrationError:
                    # Too soon after the previous one, or a revoked ticket: the page says
                    # the same thing, the person checks their mailbox or asks the team.
                    pass
            context["sent_to"] = form.cleaned_data["email"]
            return render(request, "events/registration/lost_ticket_sent.html", context)
    return render(request, "events/registration/lost_ticket.html", context, status=status)


# Tickets ------------------------------------------------------------------------------------------


def _ticket_or_none(code: str):
    if not CODE_PATTERN.match(code):
        return None
    return service.find_ticket(code)


def _ticket_context(request, ticket, code):
    registration = ticket.registration
    event = registration.event
    link = service.ticket_url(code)
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    return {
        "ticket": ticket,
        "registration": registration,
        "event": event,
        "event_url": event.get_url(request),
        "when": dates.format_range(event.start, event.end),
        "code": code,
        "ticket_link": link,
        "qr": qr_svg(link, title=_("QR code du billet de %(name)s") % {"name": registration.name}) if confirmed else "",
        "position": service.waitlist_position(registration),
        "can_cancel": registration.status != RegistrationStatus.CANCELLED and event.start > timezone.now(),
        "event_cancelled": event.is_cancelled,
    }


@private
@require_GET
def ticket(request, code: str):
    found = _ticket_or_none(code)
    if found is None:
        return _not_found(request)
    return render(request, "events/registration/ticket.html", _ticket_context(request, found, code))


@private
@require_GET
def ticket_pdf(request, code: str):
    found = _ticket_or_none(code)
    if found is None:
        return _not_found(request)
    if found.registration.status != RegistrationStatus.CONFIRMED:
        # A waiting or cancelled registration has no ticket to show at the door.
        return redirect(reverse("ticket", args=[code]))
    response = HttpResponse(tickets_pdf([(found, code)]), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="billet.pdf"'
    return response


@private
@require_GET
def ticket_ics(request, code: str):
    found = _ticket_or_none(code)
    if found is None:
        return _not_found(request)
    event = found.registration.event
    calendar = event_calendar([event], method="PUBLISH", urls={event.pk: event.get_full_url(request)})
    return calendar_response(request, calendar, filename="evenement.ics", private=True, attachment=True)


@private
@require_http_methods(["GET", "POST"])
def cancel(request, code: str):
    """GET asks for confirmation; POST cancels and goes back to the ticket page."""
    found = _ticket_or_none(code)
    if found is None:
        return _not_found(request)
    context = _ticket_context(request, found, code)
    if request.method == "POST":
        try:
            service.cancel_registration(found.registration)
        except RegistrationError as error:
            if error.code != "already_cancelled":
                context["error"] = str(error)
                return render(request, "events/registration/cancel.html", context, status=409)
        messages.success(request, _("Votre inscription est annulée. Merci d'avoir libéré votre place."))
        return redirect(reverse("ticket", args=[code]))
    if not context["can_cancel"]:
        return redirect(reverse("ticket", args=[code]))
    return render(request, "events/registration/cancel.html", context)


urlpatterns = [
    path("inscription/<int:event_id>/", register, name="registration_form"),
    path("inscription/<int:event_id>/billet-perdu/", lost_ticket, name="lost_ticket"),
    path("billet/<str:code>/", ticket, name="ticket"),
    path("billet/<str:code>/billet.pdf", ticket_pdf, name="ticket_pdf"),
    path("billet/<str:code>/evenement.ics", ticket_ics, name="ticket_ics"),
    path("billet/<str:code>/annuler/", cancel, name="ticket_cancel"),
]
