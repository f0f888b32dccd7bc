"""The missions of an ESS organisation, in its space (namespace "organisations").

/espace-structure/<org>/missions/                                     its missions and their applications
/espace-structure/<org>/missions/nouvelle/                            post a mission (moderated)
/espace-structure/<org>/missions/<mission>/                           edit it (back to moderation)
/espace-structure/<org>/missions/<mission>/candidatures/<match>/      accept or decline an application

Like the rest of the space (events/views/organisations.py), every page looks the
organisation up among the person's own, so an id typed in by hand answers 404, and the
mission and the match through it. Moderation, places and answers are
volunteers/missions.py's rules: the pages show its refusals as they are.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events import dates as date_format
from events.views.organisations import _organisation_of

from ..forms_missions import MissionForm
from ..matching import slot_phrase
from ..missions import MissionError, decide_application, save_mission
from ..models import MatchKind, MatchStatus, Mission, MissionDate, MissionMatch, MissionRhythm, MissionStatus

# What the contact is told before saving a mission volunteers may already see, or one the
# organisers sent back: saving it puts it back in their hands (save_mission).
BACK_TO_MODERATION = {
    MissionStatus.PUBLISHED: gettext_lazy(
        "Cette mission est publiée. Si vous l'enregistrez, elle repasse en modération : les bénévoles ne la "
        "voient plus jusqu'à ce que les organisateurs l'aient relue. Les bénévoles déjà acceptés le restent."
    ),
    MissionStatus.REFUSED: gettext_lazy(
        "Corrigez la mission d'après le motif des organisateurs : une fois enregistrée, elle repasse en modération."
    ),
    MissionStatus.SUBMITTED: gettext_lazy(
        "Cette mission attend la relecture des organisateurs : vos modifications leur seront transmises."
    ),
}


def missions_path(organisation, mission=None) -> str:
    path = reverse("organisations:missions", args=[organisation.pk])
    return f"{path}#mission-{mission.pk}" if mission else path


def _mission_of(organisation, mission_id: int) -> Mission:
    return get_object_or_404(
        Mission.objects.filter(organisation=organisation).select_related("commune", "venue"), pk=mission_id
    )


def mission_counts(organisations) -> dict[int, dict]:
    """By organisation id: its missions waiting for moderation and its applications waiting for
    an answer, in one query (for the space's summary)."""
    rows = (
        Mission.objects.filter(organisation__in=organisations)
        .order_by()
        .values("organisation")
        .annotate(
            to_moderate=Count("pk", filter=Q(status=MissionStatus.SUBMITTED), distinct=True),
            pending_applications=Count(
                "matches",
                filter=Q(matches__kind=MatchKind.APPLICATION, matches__status=MatchStatus.PENDING),
                distinct=True,
            ),
        )
    )
    return {row["organisation"]: row for row in rows}


def _describe(mission: Mission) -> Mission:
    """What the list shows of a mission, from the prefetched rows."""
    if mission.rhythm == MissionRhythm.DATES:
        mission.when = [date_format.format_range(date.starts_at, date.ends_at) for date in mission.dates.all()]
    else:
        phrase = slot_phrase(mission.weekly_bits, limit=4)
        if mission.starts_on and mission.ends_on:
            period = _("du %(start)s au %(end)s") % {
                "start": date_format.format_day(mission.starts_on),
                "end": date_format.format_day(mission.ends_on),
            }
        elif mission.starts_on:
            period = _("à partir du %(start)s") % {"start": date_format.format_day(mission.starts_on)}
        elif mission.ends_on:
            period = _("jusqu'au %(end)s") % {"end": date_format.format_day(mission.ends_on)}
        else:
            period = ""
        mission.when = [_("Chaque semaine : %(slots)s") % {"slots": phrase} + (f", {period}" if period else "")]
    matches = list(mission.matches.all())
    for match in matches:
        # An erased volunteer's match stays, without the person (volunteers/services.py).
        profile = getattr(match.user, "volunteer_profile", None)
        match.person = (match.user.get_full_name() or match.user.get_username()) if match.user else None
        match.commune = profile.home_commune.name if profile else ""
    mission.applications = [
        match for match in matches if match.kind == MatchKind.APPLICATION and match.status == MatchStatus.PENDING
    ]
    mission.other_matches = [match for match in matches if match not in mission.applications]
    mission.can_edit = mission.status != MissionStatus.CLOSED
    return mission


@never_cache
@login_required
@require_GET
def missions(request, organisation_id: int):
    organisation = _organisation_of(request.user, organisation_id)
    matches = MissionMatch.objects.select_related("user__volunteer_profile__home_commune").order_by("created_at")
    rows = (
        Mission.objects.filter(organisation=organisation)
        .select_related("commune", "venue")
        .annotate(accepted=Count("matches", filter=Q(matches__status=MatchStatus.ACCEPTED)))
        .prefetch_related(
            Prefetch("dates", queryset=MissionDate.objects.order_by("starts_at")),
            Prefetch("matches", queryset=matches),
        )
        .order_by("-created_at", "-pk")
    )
    context = {
        "organisation": organisation,
        "missions": [_describe(mission) for mission in rows],
        "space_url": f"{reverse('organisation_space')}#structure-{organisation.pk}",
    }
    return render(request, "volunteers/organisations/missions.html", context)


def _mission_form_page(request, organisation, mission: Mission, form: MissionForm):
    context = {
        "organisation": organisation,
        "mission": mission,
        "form": form,
        "back_url": missions_path(organisation, mission if mission.pk else None),
        "moderation_notice": BACK_TO_MODERATION.get(mission.status) if mission.pk else None,
    }
    return render(request, "volunteers/organisations/mission_form.html", context)


def _save(request, mission: Mission, form: MissionForm):
    """Hand a valid form to the service; False when it refused (the form then says why)."""
    arguments = form.fill(mission)
    try:
        save_mission(mission, **arguments, by=request.user)
    except MissionError as error:
        # save_mission is atomic: nothing of the mission, its dates or skills was stored.
        form.add_mission_error(error)
        return False
    return True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def create(request, organisation_id: int):
    organisation = _organisation_of(request.user, organisation_id)
    mission = Mission(organisation=organisation)
    form = MissionForm(
        request.POST or None,
        territory_id=organisation.commune.territory_id,
        initial={"commune": organisation.commune_id},
    )
    if request.method == "POST" and form.is_valid() and _save(request, mission, form):
        messages.success(
            request,
            _(
                "La mission « %(title)s » est envoyée aux organisateurs : elle sera proposée aux bénévoles "
                "après leur relecture."
            )
            % {"title": mission.title},
        )
        return redirect(missions_path(organisation, mission))
    return _mission_form_page(request, organisation, mission, form)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit(request, organisation_id: int, mission_id: int):
    organisation = _organisation_of(request.user, organisation_id)
    mission = _mission_of(organisation, mission_id)
    if mission.status == MissionStatus.CLOSED:
        messages.error(
            request,
            _("La mission « %(title)s » est close : elle ne peut plus être modifiée.") % {"title": mission.title},
        )
        return redirect(missions_path(organisation, mission))
    date_count = mission.dates.count()
    form = MissionForm(
        request.POST or None,
        territory_id=organisation.commune.territory_id,
        date_rows=date_count,
        initial=MissionForm.initial_for(mission),
    )
    # The notice speaks of the mission as it is, not as the refused form left it in memory.
    status = mission.status
    if request.method == "POST" and form.is_valid() and _save(request, mission, form):
        messages.success(
            request,
            _("La mission « %(title)s » est enregistrée et transmise aux organisateurs pour relecture.")
            % {"title": mission.title},
        )
        return redirect(missions_path(organisation, mission))
    mission.status = status
    return _mission_form_page(request, organisation, mission, form)


@login_required
@require_POST
def decide(request, organisation_id: int, mission_id: int, match_id: int):
    organisation = _organisation_of(request.user, organisation_id)
    mission = _mission_of(organisation, mission_id)
    match = get_object_or_404(MissionMatch.objects.filter(mission=mission).select_related("user"), pk=match_id)
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Choisissez d'accepter ou de décliner la candidature."))
        return redirect(missions_path(organisation, mission))
    accept = decision == "accept"
    try:
        decide_application(match, accept=accept, by=request.user)
    except MissionError as error:
        messages.error(request, error.message)
    else:
        name = match.user.get_full_name() if match.user else _("cette personne")
        if accept:
            message = _(
                "Vous avez accepté la candidature de %(name)s à « %(title)s » : nous la prévenons par courriel."
            )
        else:
            message = _(
                "Vous avez décliné la candidature de %(name)s à « %(title)s » : nous la prévenons par courriel."
            )
        messages.success(request, message % {"name": name, "title": mission.title})
    return redirect(missions_path(organisation, mission))
