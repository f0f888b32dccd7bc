"""The ESS organisations' space: their stands at the village's stops and their private calendar feed.

/espace-structure/                                          the organisations the person is a contact of
/espace-structure/<org>/etape/<stop>/candidater/            apply for a stand at a stop
/espace-structure/<org>/stands/<stand>/retirer/             withdraw an application or a stand
/espace-structure/<org>/calendrier/renouveler/              a new feed address (the old one stops working)
/espace-structure/<org>/<token>/stands.ics                  the organisation's stands, for calendar apps

The person logs in with an account organisers invited (events/admin_stands.py). Every
page under an organisation looks it up among the person's own organisations, so an id
typed in by hand answers 404. The rules (overlapping stands, pitches left, one
application per stop) are events/services/village.py's: its refusals are shown on the
form as they are.

The feed's address holds an HMAC of the organisation's id and its random `feed_key`
(events/tokens.py): calendar applications cannot log in, and a new key revokes an
address that was shared too widely.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events import dates
from events.forms_stands import StandApplicationForm
from events.ical import calendar_response, event_calendar, last_modified
from events.models import ACTIVE_STAND_STATUSES, Stand, StandStatus, VillageStopPage
from events.services import village as service
from events.services.village import VillageError
from events.tokens import check_private_link_token, ensure_feed_key, private_link_token, renew_feed_key
from territory.models import Organisation

FEED_PURPOSE = "organisation-feed"


def _organisation_of(user, organisation_id: int) -> Organisation:
    """One of the person's organisations, or 404: nobody acts for an organisation they do not belong to."""
    return get_object_or_404(user.organisations.select_related("commune"), pk=organisation_id)


def feed_path(organisation: Organisation) -> str:
    token = private_link_token(FEED_PURPOSE, organisation.pk, organisation.feed_key)
    return reverse("organisation_feed", args=[organisation.pk, token])


def upcoming_stops():
    """The live stops still to come, with their pitches counted: what an organisation may apply for."""
    return (
        VillageStopPage.objects.live()
        .public()
        .upcoming()
        .not_cancelled()
        .select_related("venue", "commune")
        .annotate(
            pitch_count=Count("pitches", distinct=True),
            taken_count=Count("stands", filter=Q(stands__status=StandStatus.CONFIRMED), distinct=True),
        )
        .order_by("start", "pk")
    )


# The space -------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def space(request):
    organisations = list(request.user.organisations.select_related("commune").order_by("name"))
    if not organisations:
        return render(request, "events/organisations/no_organisation.html", status=403)
    stops = list(upcoming_stops())
    for stop in stops:
        stop.free_count = max(stop.pitch_count - stop.taken_count, 0)
        stop.when = dates.format_range(stop.start, stop.end)
    stands = (
        Stand.objects.filter(organisation__in=organisations)
        .select_related("stop__venue", "stop__commune", "pitch")
        .order_by("stop__start", "created_at")
    )
    stands_of: dict[int, list[Stand]] = {organisation.pk: [] for organisation in organisations}
    past_of: dict[int, list[Stand]] = {organisation.pk: [] for organisation in organisations}
    for stand in stands:
        stand.when = dates.format_range(stand.stop.start, stand.stop.end)
        stand.can_withdraw = stand.status in ACTIVE_STAND_STATUSES and not stand.stop.is_past
        (past_of if stand.stop.is_past else stands_of)[stand.organisation_id].append(stand)
    spaces = []
    for organisation in organisations:
        ensure_feed_key(organisation)
        # What comes first, soonest first; then the past ones, latest first.
        own = stands_of[organisation.pk] + past_of[organisation.pk][::-1]
        active = {stand.stop_id: stand for stand in own if stand.status in ACTIVE_STAND_STATUSES}
        spaces.append(
            {
                "organisation": organisation,
                "stands": own,
                "stops": [(stop, active.get(stop.pk)) for stop in stops],
                "feed_url": request.build_absolute_uri(feed_path(organisation)),
            }
        )
    return render(request, "events/organisations/space.html", {"spaces": spaces, "has_stops": bool(stops)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def apply(request, organisation_id: int, stop_id: int):
    organisation = _organisation_of(request.user, organisation_id)
    stop = get_object_or_404(VillageStopPage.objects.live().public().select_related("venue", "commune"), pk=stop_id)
    initial = {"contact_name": request.user.get_full_name(), "contact_email": request.user.email}
    form = StandApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.apply_for_stand(stop, organisation, **form.service_arguments(), by=request.user)
        except VillageError as error:
            # Refused as a whole (overlap, no pitch left, already applied, stop cancelled...):
            # nothing was stored, the person reads why on the form they filled in.
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "La candidature de %(organisation)s pour « %(stop)s » est envoyée. Les organisateurs "
                    "vous répondent par courriel."
                )
                % {"organisation": organisation.name, "stop": stop.title},
            )
            return redirect(f"{reverse('organisation_space')}#structure-{organisation.pk}")
    pitches = list(stop.pitches.order_by("number"))
    taken = Stand.objects.confirmed().filter(stop=stop).count()
    context = {
        "organisation": organisation,
        "stop": stop,
        "when": dates.format_range(stop.start, stop.end),
        "form": form,
        "pitch_count": len(pitches),
        "free_count": max(len(pitches) - taken, 0),
        "with_power": sum(1 for pitch in pitches if pitch.has_power),
    }
    return render(request, "events/organisations/apply.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, organisation_id: int, stand_id: int):
    """GET asks for confirmation; POST withdraws and goes back to the space."""
    organisation = _organisation_of(request.user, organisation_id)
    stand = get_object_or_404(
        Stand.objects.filter(organisation=organisation).select_related("stop__venue", "stop__commune", "pitch"),
        pk=stand_id,
    )
    back = f"{reverse('organisation_space')}#structure-{organisation.pk}"
    if request.method == "POST":
        try:
            service.withdraw_stand(stand, by=request.user)
        except VillageError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Le stand de %(organisation)s à « %(stop)s » est retiré ; son emplacement est libéré.")
                % {"organisation": organisation.name, "stop": stand.stop.title},
            )
        return redirect(back)
    if stand.status not in ACTIVE_STAND_STATUSES:
        return redirect(back)
    context = {
        "organisation": organisation,
        "stand": stand,
        "when": dates.format_range(stand.stop.start, stand.stop.end),
        "back_url": back,
    }
    return render(request, "events/organisations/withdraw.html", context)


@login_required
@require_POST
def renew_feed(request, organisation_id: int):
    organisation = _organisation_of(request.user, organisation_id)
    renew_feed_key(organisation)
    messages.success(
        request,
        _(
            "Le lien du calendrier de %(organisation)s est renouvelé : l'ancien ne fonctionne plus. "
            "Abonnez vos agendas au nouveau lien."
        )
        % {"organisation": organisation.name},
    )
    return redirect(f"{reverse('organisation_space')}#calendrier-{organisation.pk}")


# The private feed ----------------------------------------------------------------------------------------


@require_GET
def stands_feed(request, organisation_id: int, token: str):
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not check_private_link_token(
        FEED_PURPOSE, organisation.pk, organisation.feed_key, token
    ):
        raise Http404
    # An application waiting for an answer is in the calendar too: the day is held. A
    # cancelled stop stays, struck out (STATUS:CANCELLED), so calendars update it.
    stops = list(
        VillageStopPage.objects.filter(stands__organisation=organisation, stands__status__in=ACTIVE_STAND_STATUSES)
        .select_related("venue", "commune")
        .order_by("start", "pk")
    )
    calendar = event_calendar(
        stops,
        name=_("Stands de %(organisation)s") % {"organisation": organisation.name},
        urls={stop.pk: stop.get_full_url(request) for stop in stops},
    )
    # Withdrawing a stand removes a stop without changing it: the stands' own dates count too.
    decided = Stand.objects.filter(organisation=organisation).aggregate(
        created=Max("created_at"), decided=Max("decided_at")
    )
    moments = [m for m in (decided["created"], decided["decided"], *map(last_modified, stops)) if m]
    changed = max(moments) if moments else None
    return calendar_response(request, calendar, filename="stands.ics", last_modified=changed, private=True)


urlpatterns = [
    path("espace-structure/", space, name="organisation_space"),
    path(
        "espace-structure/<int:organisation_id>/etape/<int:stop_id>/candidater/",
        apply,
        name="organisation_apply",
    ),
    path(
        "espace-structure/<int:organisation_id>/stands/<int:stand_id>/retirer/",
        withdraw,
        name="organisation_withdraw",
    ),
    path(
        "espace-structure/<int:organisation_id>/calendrier/renouveler/",
        renew_feed,
        name="organisation_renew_feed",
    ),
    path("espace-structure/<int:organisation_id>/<str:token>/stands.ics", stands_feed, name="organisation_feed"),
]
