"""Self check-in at the stands (/bienvenue/<event id>/) and the poster that leads there.

The poster's QR holds /bienvenue/<id>/: short, stable (a page id never changes when an
organiser renames the event), and readable by a phone camera from a metre away.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from events import dates
from events.forms_visitors import VisitorAnswersForm
from events.models import EventPage
from events.pdf.poster import poster_pdf
from events.services import visitors
from events.services.visitors import SelfCheckinState, VisitError
from territory.access import territories_for

COOKIE_PATH = "/bienvenue/"
# Submissions per client address and event in a window. One address may hide many phones
# (a mobile carrier's NAT, the market's Wi-Fi): the limit stops scripted floods, not a
# busy market, where a stand sees a few scans a minute at most.
RATE_LIMIT = 30
RATE_WINDOW_SECONDS = 10 * 60
TEMPLATE = "events/visitors/self_checkin.html"
THANKS_TAGS = ("counted", "updated")


def device_cookie_name(event: EventPage) -> str:
    # One cookie per event: the tokens of two events cannot be linked to one device,
    # and each cookie dies with its event's day.
    return f"bienvenue_{event.pk}"


def _client_address(request) -> str:
    # Behind the production reverse proxy (SECURE_PROXY_SSL_HEADER is set only then),
    # REMOTE_ADDR is the proxy's; the proxy appends the client's address as the last
    # X-Forwarded-For entry, the only one a client cannot forge.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _over_rate_limit(request, event: EventPage) -> bool:
    """Count this submission against the client's budget; True once the budget is spent.

    The cache key holds a hash of the address, never the address: nothing stores it.
    """
    address = hashlib.sha256(_client_address(request).encode()).hexdigest()[:32]
    key = f"visitors:rate:{event.pk}:{address}"
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count > RATE_LIMIT


def _set_device_cookie(response, request, event: EventPage, token: str) -> None:
    _opens, closes = visitors.self_checkin_window(event)
    response.set_cookie(
        device_cookie_name(event),
        token,
        max_age=max(int((closes - timezone.now()).total_seconds()), 0),
        path=COOKIE_PATH,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _closed(request, event: EventPage, state: str, status: int = 200):
    """Outside the window: a friendly word and a way on, instead of the form."""
    opens, _closes = visitors.self_checkin_window(event)
    context = {"event": event, "closed": state, "opens_at": dates.format_datetime(opens)}
    return render(request, TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
def self_checkin(request, event_id: int):
    """The page the poster's QR opens: counted when the person presses the button."""
    event = get_object_or_404(EventPage.objects.live().select_related("venue", "commune"), pk=event_id)
    state = visitors.self_checkin_state(event)
    if state != SelfCheckinState.OPEN:
        return _closed(request, event, state.value, status=200 if request.method == "GET" else 403)

    token = request.COOKIES.get(device_cookie_name(event))
    visit = visitors.visit_for_device(event, token)
    communes = visitors.territory_communes(event)

    if request.method == "POST":
        if _over_rate_limit(request, event):
            response = render(request, TEMPLATE, {"event": event, "rate_limited": True}, status=429)
            response["Retry-After"] = str(RATE_WINDOW_SECONDS)
            return response
        form = VisitorAnswersForm(request.POST, communes=communes)
        if form.is_valid():
            if form.is_spam:
                # Answer a bot as if it had succeeded, so it learns nothing; count nothing.
                return redirect(request.path)
            token = token or visitors.new_device_token()
            try:
                _visit, created = visitors.record_visit(event, token, form.answers())
            except VisitError as error:
                # The window closed between the page and the button: say so, count nothing.
                return _closed(request, event, error.code, status=403)
            if created:
                messages.success(request, _("Merci ! Votre passage est compté."), extra_tags="counted")
            else:
                messages.success(
                    request,
                    _("Votre passage était déjà compté, merci ! Vos réponses sont à jour."),
                    extra_tags="updated",
                )
            response = redirect(request.path)
            _set_device_cookie(response, request, event, token)
            return response
    else:
        form = VisitorAnswersForm(initial=VisitorAnswersForm.initial_for(visit), communes=communes)

    # The thanks arrive as a one-time message after the redirect, so a reload of the page
    # says "déjà compté" rather than thanking again.
    # The latest one wins when several submissions came before this page was shown.
    thanks = ([None] + [m for m in messages.get_messages(request) if m.extra_tags in THANKS_TAGS])[-1]
    response = render(request, TEMPLATE, {"event": event, "form": form, "visit": visit, "thanks": thanks})
    if not token:
        # Handed out with the form, so that a double tap sends the same token twice and the
        # database's unique constraint counts it once.
        _set_device_cookie(response, request, event, visitors.new_device_token())
    return response


def _may_print_poster(user, event: EventPage) -> bool:
    """Check-in staff, and organisers who may edit the event in the admin."""
    return user.has_perm("events.perform_checkin") or event.permissions_for_user(user).can_edit()


def _site_contact(request):
    # Looked up by name: cms reads events, events does not import cms.
    return apps.get_model("cms", "SiteContact").for_request(request)


@require_GET
@login_required(login_url="wagtailadmin_login")
def poster(request, event_id: int):
    """The A4 poster of the event's stand, with the QR of its self check-in page."""
    # Only the events of the territories the person acts for: another territory's poster is a 404.
    events = EventPage.objects.filter(commune__territory__in=territories_for(request.user))
    event = get_object_or_404(events.select_related("venue", "commune"), pk=event_id)
    if not _may_print_poster(request.user, event):
        raise Http404
    url = settings.SITE_URL.rstrip("/") + reverse("visitor_checkin", args=[event.pk])
    contact = _site_contact(request)
    pdf = poster_pdf(event, url, organisation=contact.organisation_name, team=contact.team_name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="affiche-village-{event.pk}.pdf"'
    return response


urlpatterns = [
    path("bienvenue/<int:event_id>/", self_checkin, name="visitor_checkin"),
    path("bienvenue/<int:event_id>/affiche.pdf", poster, name="visitor_poster"),
]
