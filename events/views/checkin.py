"""/pointage/: the check-in app for staff at the door and at the stands.

The pages are thin: the event page ships a JSON configuration and static/js/checkin.js
does the work through the check-in API (events/api_checkin.py), online or from its
offline queue. Everything here requires the `events.perform_checkin` permission:
anonymous people go to the admin login, logged-in people without it get a French 403.
"""

import datetime as dt
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from events import dates
from events.models import EventKind, EventPage, RegistrationStatus
from events.pdf.attendance import attendance_sheet_pdf
from events.services import checkin as service
from territory.access import territories_for
from territory.models import PARIS

SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "checkin-sw.js"
# The list shows what a volunteer may be about to check in: today and what comes, then
# the last days (a sheet to print afterwards, a late sync).
RECENT_DAYS = 7
UPCOMING_LIMIT = 30


def events_for(user):
    """The events of the territories the staff member acts for: another territory's event is
    neither listed nor opened (404)."""
    return EventPage.objects.filter(commune__territory__in=territories_for(user))


def checkin_staff_required(view):
    """Anonymous -> the admin login, back here afterwards; no permission -> a French 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("wagtailadmin_login"))
        if not service.can_check_in(request.user):
            return render(request, "events/checkin/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@never_cache
@checkin_staff_required
def checkin_home(request):
    today = dates.local(timezone.now()).date()
    start_of_today = dt.datetime.combine(today, dt.time.min, tzinfo=PARIS)
    events = (
        events_for(request.user)
        .live()
        .select_related("venue", "commune")
        .annotate(
            registered=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        )
    )
    current = list(events.filter(end__gte=start_of_today).order_by("start", "pk")[:UPCOMING_LIMIT])
    recent = list(
        events.filter(end__lt=start_of_today, end__gte=start_of_today - dt.timedelta(days=RECENT_DAYS)).order_by(
            "-start", "-pk"
        )
    )
    today_events = [event for event in current if event.start_date <= today]
    upcoming = [event for event in current if event.start_date > today]
    return render(
        request,
        "events/checkin/home.html",
        {"today_events": today_events, "upcoming": upcoming, "recent": recent, "sw_url": reverse("checkin_sw")},
    )


@require_GET
@never_cache
@checkin_staff_required
def checkin_event(request, event_id: int):
    event = get_object_or_404(events_for(request.user).select_related("venue", "commune"), pk=event_id)
    counts = service.event_counts(event)
    opens, closes = service.checkin_window(event)
    try:
        service.ensure_open_for_checkin(event, timezone.now())
        closed_reason = ""
    except service.CheckinError as error:
        closed_reason = error.message
    config = {
        "event": event.pk,
        "title": event.title,
        "api": "/api/v1",
        "user": service.user_label(request.user),
        # The script prefers the csrftoken cookie (fresh after a new login); this is the fallback.
        "csrfToken": get_token(request),
        "generatedAt": timezone.now().isoformat(),
        "loginUrl": f"{reverse('wagtailadmin_login')}?next={request.path}",
        "serviceWorker": reverse("checkin_sw"),
        "decoder": static("js/vendor/jsQR.js"),
        # What the service worker keeps so the page reloads without network.
        "precache": [
            request.path,
            reverse("checkin_home"),
            static("css/checkin.css"),
            static("js/checkin.js"),
            static("js/vendor/jsQR.js"),
        ],
        "opensAt": opens.isoformat(),
        "closesAt": closes.isoformat(),
        "counts": {
            "present": counts.present,
            "registered": counts.registered,
            "present_seats": counts.present_seats,
            "registered_seats": counts.registered_seats,
            "tally": counts.tally,
        },
        "messages": _script_messages(),
    }
    return render(
        request,
        "events/checkin/event.html",
        {
            "event": event,
            "config": config,
            "counts": counts,
            "tally_first": event.kind == EventKind.ITINERANT_VILLAGE,
            "closed_reason": closed_reason,
        },
    )


@require_GET
@checkin_staff_required
def attendance_sheet(request, event_id: int):
    event = get_object_or_404(events_for(request.user).select_related("venue", "commune"), pk=event_id)
    registrations = (
        event.registrations.confirmed().select_related("mandate_commune", "home_commune").order_by("name", "pk")
    )
    pdf = attendance_sheet_pdf(event, registrations)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="emargement-{event.pk}.pdf"'
    return response


@require_GET
def service_worker(request):
    """The check-in app's service worker, served under /pointage/ so its scope covers the app.

    Not behind the login: it is the same file for everyone and holds no data; the pages
    and the API it caches or lets through keep their own checks."""
    response = FileResponse(SERVICE_WORKER.open("rb"), content_type="text/javascript")
    # A service worker must be re-checked often, or a fix would wait for the browser's cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/pointage/"
    return response


def _script_messages() -> dict[str, str]:
    """The words checkin.js shows, translated here so the script holds no French of its own."""
    return {
        "accepted": _("Présent·e"),
        "duplicate": _("Déjà pointé·e"),
        "duplicateAt": _("Déjà pointé·e à %(time)s"),
        "duplicateAtBy": _("Déjà pointé·e à %(time)s par %(by)s"),
        "unknown": _("Billet inconnu"),
        "unknownOffline": _("Billet absent de la liste hors ligne : il sera vérifié à la synchronisation."),
        "unreadable": _("Ce QR code n'est pas un billet du Village."),
        "online": _("En ligne"),
        "offline": _("Hors ligne"),
        "pending": _("%(count)s en attente"),
        "syncing": _("Synchronisation…"),
        "synced": _("Synchronisé : %(count)s scan(s) envoyés."),
        "syncFailed": _("Synchronisation impossible pour l'instant ; nouvel essai automatique."),
        "sessionExpired": _("Session expirée : reconnectez-vous. Les scans en attente sont gardés sur ce téléphone."),
        "offlineNote": _("Hors ligne : enregistré sur ce téléphone, envoyé au retour du réseau."),
        "serverSays": _("Après synchronisation"),
        "undone": _("Pointage annulé"),
        "undoOffline": _("Annulation impossible hors ligne ; réessayez au retour du réseau."),
        "undoLast": _("Annuler le pointage de %(name)s"),
        "cameraUnavailable": _("Caméra indisponible : saisissez le code ou cherchez le nom."),
        "cameraStart": _("Activer la caméra"),
        "cameraStop": _("Arrêter la caméra"),
        "noMatch": _("Personne ne correspond à « %(query)s »."),
        "checkIn": _("Pointer"),
        "alreadyIn": _("Présent·e depuis %(time)s"),
        "listLoaded": _("Liste hors ligne : %(count)s billet(s)"),
        "listMissing": _("Liste hors ligne pas encore chargée : ouvrez cette page avec du réseau."),
        "error": _("Erreur"),
        "seats": _("%(count)s places"),
        "seatsOf": _("%(present)s / %(registered)s places"),
        "statusWaitlisted": _("Sur liste d'attente"),
        "statusCancelled": _("Inscription annulée"),
    }


urlpatterns = [
    path("pointage/", checkin_home, name="checkin_home"),
    path("pointage/sw.js", service_worker, name="checkin_sw"),
    path("pointage/<int:event_id>/", checkin_event, name="checkin_event"),
    path("pointage/<int:event_id>/emargement.pdf", attendance_sheet, name="checkin_attendance_sheet"),
]
