"""The commune's request for a visit of the village: the form, and the request's private tracking page.

/accueillir-le-village/                             what the village is, and the form
/accueillir-le-village/suivi/<id>/<token>/          the request: status, history, the stop, its summary
/accueillir-le-village/suivi/<id>/<token>/reponse/  the commune accepts or declines a proposed date

The tracking address holds its token (events/tokens.py, private_link_token), the only key
to the page: it is private like a ticket page (no cache, no index, no referrer to other
sites), and a wrong token answers 404. The rules all live in services/visits.py.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events import dates
from events.forms_visits import ProposalAnswerForm, VisitRequestForm
from events.models import EventStatus, VillageFormat, VisitRequestAction, VisitRequestStatus
from events.services import visits as service
from events.services.visits import VisitRequestError
from territory.models import Territory

from .registrations import _over_rate_limit, private

# What each status means for the commune, under the status itself.
STATUS_EXPLANATIONS = {
    VisitRequestStatus.RECEIVED: gettext_lazy(
        "L'équipe ESS étudie votre demande avec le calendrier du village. Vous recevrez sa réponse par courriel."
    ),
    VisitRequestStatus.DATE_PROPOSED: gettext_lazy(
        "Le village ne peut pas venir aux dates demandées : l'équipe vous propose une autre date, ci-dessous."
    ),
    VisitRequestStatus.ACCEPTED: gettext_lazy("Le village viendra dans votre commune."),
    VisitRequestStatus.DECLINED: gettext_lazy("L'équipe ne peut pas donner suite à cette demande."),
}


# The badge's colour per status (classes of the ticket page).
STATUS_BADGES = {
    VisitRequestStatus.DATE_PROPOSED: "waitlisted",
    VisitRequestStatus.ACCEPTED: "confirmed",
    VisitRequestStatus.DECLINED: "cancelled",
}


# The form -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_visit(request):
    territory = Territory.for_request(request)
    if territory is None:
        return render(request, "404.html", status=404)
    form = VisitRequestForm(request.POST if request.method == "POST" else None, territory=territory)
    status = 200
    if request.method == "POST":
        if _over_rate_limit(request, "visit_request"):
            form.is_valid()
            form.add_error(None, _("Trop de demandes depuis votre connexion : réessayez dans quelques minutes."))
            status = 429
        elif form.is_valid():
            try:
                visit_request = service.submit_visit_request(**form.service_arguments())
            except VisitRequestError as error:
                # validate_request already ran in the form: only a change in between lands here.
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Votre demande est bien envoyée. Un courriel de confirmation part à %(email)s avec le lien "
                        "de cette page : gardez-le pour suivre la demande."
                    )
                    % {"email": visit_request.email},
                )
                return redirect(service.tracking_path(visit_request))
    return render(request, "events/visits/form.html", {"form": form, "territory": territory}, status=status)


# The tracking page --------------------------------------------------------------------------------


def _format_label(value: str) -> str:
    return str(VillageFormat(value).label) if value in VillageFormat.values else ""


def _not_found(request):
    return render(request, "events/visits/not_found.html", status=404)


def _period(visit_request) -> str:
    if visit_request.flexible_from and visit_request.flexible_until:
        return _("du %(start)s au %(end)s") % {
            "start": dates.format_day(visit_request.flexible_from),
            "end": dates.format_day(visit_request.flexible_until),
        }
    return ""


def _tracking_context(request, visit_request) -> dict:
    now = timezone.now()
    history = list(visit_request.history.select_related("by"))
    context = {
        "visit_request": visit_request,
        "status_badge": STATUS_BADGES.get(visit_request.status, ""),
        "status_explanation": STATUS_EXPLANATIONS.get(visit_request.status, ""),
        "submitted_on": dates.format_day(dates.local(visit_request.created_at).date()),
        "preferred_days": [dates.format_day(day) for day in visit_request.preferred_dates],
        "period": _period(visit_request),
        "history": [(line, dates.format_datetime(line.at)) for line in history],
        "tracking_path": service.tracking_path(visit_request),
        "form_url": reverse("visit_request_form"),
    }
    if visit_request.status == VisitRequestStatus.DATE_PROPOSED and visit_request.proposed_start:
        context["proposal"] = {
            "when": dates.format_range(visit_request.proposed_start, visit_request.proposed_end),
            "venue": visit_request.proposed_venue,
            "format": _format_label(visit_request.proposed_format),
            "note": next(
                (line.note for line in reversed(history) if line.action == VisitRequestAction.DATE_PROPOSED), ""
            ),
        }
        context["answer_form"] = ProposalAnswerForm()
        context["answer_url"] = reverse(
            "visit_request_answer", args=[visit_request.pk, service.tracking_token(visit_request)]
        )
    stop = visit_request.stop if visit_request.status == VisitRequestStatus.ACCEPTED else None
    if stop is not None:
        context.update(
            stop=stop,
            stop_url=stop.get_url(request) if stop.live else "",
            stop_cancelled=stop.status == EventStatus.CANCELLED,
            stop_postponed=stop.status == EventStatus.POSTPONED,
            stop_moved=any(line.action == VisitRequestAction.STOP_MOVED for line in history),
            stop_format=stop.get_village_format_display(),
        )
        if stop.end <= now and stop.status != EventStatus.CANCELLED:
            context["summary"] = service.stop_summary(stop)
    return context


@private
@require_GET
def tracking(request, pk: int, token: str):
    visit_request = service.find_request(pk, token)
    if visit_request is None:
        return _not_found(request)
    return render(request, "events/visits/tracking.html", _tracking_context(request, visit_request))


@private
@require_POST
def answer(request, pk: int, token: str):
    """The commune's answer to a proposed date: accepted (the stop is scheduled) or declined."""
    visit_request = service.find_request(pk, token)
    if visit_request is None:
        return _not_found(request)
    form = ProposalAnswerForm(request.POST)
    if not form.is_valid():
        return redirect(service.tracking_path(visit_request))
    try:
        service.answer_proposal(visit_request, accept=form.accepts, note=form.cleaned_data["note"])
    except VisitRequestError as error:
        visit_request.refresh_from_db()
        context = _tracking_context(request, visit_request)
        context["answer_error"] = str(error)
        if "answer_form" in context:
            context["answer_form"] = form
        return render(request, "events/visits/tracking.html", context, status=409)
    if form.accepts:
        messages.success(request, _("C'est noté : le village viendra à cette date. Merci !"))
    else:
        messages.info(
            request, _("C'est noté : cette date ne convient pas. L'équipe vous propose une autre date rapidement.")
        )
    return redirect(service.tracking_path(visit_request))


urlpatterns = [
    path("accueillir-le-village/", request_visit, name="visit_request_form"),
    path("accueillir-le-village/suivi/<int:pk>/<str:token>/", tracking, name="visit_request_tracking"),
    path("accueillir-le-village/suivi/<int:pk>/<str:token>/reponse/", answer, name="visit_request_answer"),
]
