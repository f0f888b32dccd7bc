"""Missions, for the volunteer: what suits them, applying, their matches, answering proposals.

/benevolat/missions/                              missions and shifts for the person, best first, with why
/benevolat/missions/<id>/                         a published mission; apply or see where one stands
/benevolat/missions/<id>/candidater/              apply (POST)
/benevolat/mes-missions/                          proposals to answer, applications, accepted missions, shifts
/benevolat/mes-missions/<match>/repondre/         answer a proposal (POST reponse=oui|non)
/benevolat/mes-missions/<match>/retirer/          withdraw an application, give up a mission (POST)
/benevolat/propositions/<match>/<token>/          the proposal email's link: no login needed

The rules (places left, one live match per person and mission, answering once) are
volunteers/missions.py's; its refusals are shown as they are. Every lookup of a match
goes through the person's own matches, so an id typed in by hand answers 404; the email's
link is checked against the match's token instead, since the person may not be logged in.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events import dates
from events.views.registrations import _over_rate_limit, private

from .. import matching
from .. import missions as service
from ..forms import ApplicationForm
from ..missions import MissionError
from ..models import (
    ACTIVE_MATCH_STATUSES,
    MatchKind,
    MatchStatus,
    Mission,
    MissionMatch,
    MissionRhythm,
    MissionSkill,
    MissionStatus,
    ShiftSignup,
    ShiftSignupStatus,
    VolunteerProfile,
)
from ..shifts import open_shifts
from .accounts import _no_store, _profile_of
from .calendar import feed_url

ANSWERS = {"oui": True, "non": False}
# Below this, few missions are within reach: the empty page suggests going farther.
SHORT_TRAVEL_KM = 10
# On the list, a mission with many dates shows the first few.
DATES_SHOWN = 3


# Wording ------------------------------------------------------------------------------------------------


def _period(mission: Mission) -> str:
    start = date_format(mission.starts_on, "j F Y") if mission.starts_on else ""
    end = date_format(mission.ends_on, "j F Y") if mission.ends_on else ""
    if start and end:
        return _("du %(start)s au %(end)s") % {"start": start, "end": end}
    if start:
        return _("à partir du %(start)s") % {"start": start}
    if end:
        return _("jusqu'au %(end)s") % {"end": end}
    return ""


def mission_when(mission: Mission, today: dt.date, limit: int | None = None) -> list[str]:
    """ "samedi 5 décembre 2026, 9 h 00 – 12 h 00" per date to come, or "Chaque semaine : le
    samedi matin, du 1 décembre 2026 au 31 mars 2027" for a weekly mission."""
    if mission.rhythm == MissionRhythm.WEEKLY:
        line = _("Chaque semaine : %(slots)s") % {"slots": matching.slot_phrase(mission.weekly_bits, limit=21)}
        period = _period(mission)
        return [f"{line}, {period}" if period else line]
    upcoming = [date for date in mission.dates.all() if dates.local(date.ends_at).date() >= today]
    lines = [dates.format_range(date.starts_at, date.ends_at) for date in upcoming]
    if limit is not None and len(lines) > limit:
        rest = len(lines) - limit
        lines = [*lines[:limit], _("et %(count)s autres dates") % {"count": rest}]
    return lines


def mission_where(mission: Mission) -> str:
    if mission.venue_id:
        return _("%(venue)s, %(commune)s") % {"venue": mission.venue.name, "commune": mission.commune.name}
    return mission.commune.name


def shift_where(event) -> str:
    if event.venue_id and event.commune_id:
        return _("%(venue)s, %(commune)s") % {"venue": event.venue.name, "commune": event.commune.name}
    if event.venue_id:
        return event.venue.name
    return event.commune.name if event.commune_id else ""


def status_phrase(match: MissionMatch) -> str:
    """Where a match stands, in the volunteer's words."""
    if match.status == MatchStatus.PENDING:
        if match.kind == MatchKind.PROPOSAL:
            return _("On vous propose cette mission : elle attend votre réponse.")
        return _("Candidature envoyée : %(poster)s va vous répondre.") % {"poster": match.mission.poster_name}
    if match.status == MatchStatus.ACCEPTED:
        return _("Acceptée : vous faites partie de la mission.")
    if match.status == MatchStatus.DECLINED:
        if match.kind == MatchKind.PROPOSAL:
            return _("Vous avez décliné cette proposition.")
        return _("Candidature non retenue.")
    return _("Retirée.")


def empty_hints(profile: VolunteerProfile) -> list[str]:
    """Why nothing matches, from what the profile leaves out."""
    hints = []
    if not profile.skill_bits:
        hints.append(
            _(
                "Vous n'avez coché aucune compétence : les missions qui en demandent une ne peuvent pas vous être proposées."
            )
        )
    if not profile.availability_bits:
        hints.append(_("Vous n'avez pas indiqué vos disponibilités de la semaine."))
    if profile.travel_km <= SHORT_TRAVEL_KM:
        hints.append(
            _("Vous acceptez de vous déplacer jusqu'à %(km)s km : un peu plus loin, d'autres missions vous attendent.")
            % {"km": profile.travel_km}
        )
    return hints


def _is_open(mission: Mission, today: dt.date) -> bool:
    return mission.status == MissionStatus.PUBLISHED and (mission.ends_on is None or mission.ends_on >= today)


def _no_profile(request):
    return render(request, "volunteers/no_profile.html")


# Missions for the volunteer ---------------------------------------------------------------------------


@login_required
def for_me(request):
    profile = _profile_of(request.user)
    if profile is None:
        return _no_profile(request)
    today = timezone.localdate()
    found = matching.missions_for(profile, today=today)
    # Places taken and the person's own live match, for every mission listed, in one query.
    counts = {
        row["mission"]: row
        for row in MissionMatch.objects.filter(mission__in=[o.item.pk for o in found], status__in=ACTIVE_MATCH_STATUSES)
        .values("mission")
        .annotate(
            accepted=Count("pk", filter=Q(status=MatchStatus.ACCEPTED)),
            mine=Count("pk", filter=Q(user=request.user)),
        )
    }
    missions = []
    for opportunity in found:
        mission = opportunity.item
        row = counts.get(mission.pk, {})
        missions.append(
            {
                "mission": mission,
                "score": opportunity.score,
                "when": mission_when(mission, today, limit=DATES_SHOWN),
                "where": mission_where(mission),
                "places_left": max(mission.volunteers_needed - row.get("accepted", 0), 0),
                "already": bool(row.get("mine")),
            }
        )
    shifts = [
        {
            "shift": opportunity.item,
            "score": opportunity.score,
            "when": dates.format_range(opportunity.item.starts_at, opportunity.item.ends_at),
            "where": shift_where(opportunity.item.event),
            "places_left": max(opportunity.item.capacity - opportunity.item.taken, 0),
        }
        for opportunity in matching.shifts_for(profile, open_shifts())
    ]
    context = {
        "profile": profile,
        "missions": missions,
        "shifts": shifts,
        "hints": empty_hints(profile) if not missions and not shifts else [],
    }
    return _no_store(render(request, "volunteers/missions/for_me.html", context))


def _visible_missions(user):
    """Published missions, and those the person has a match on (a closed mission stays readable
    from "Mes missions")."""
    return Mission.objects.filter(
        Q(status=MissionStatus.PUBLISHED) | Exists(MissionMatch.objects.filter(mission=OuterRef("pk"), user=user))
    ).select_related("organisation", "commune", "venue")


def _render_detail(request, profile, mission, form, status=200):
    today = timezone.localdate()
    needs = list(MissionSkill.objects.filter(mission=mission).select_related("skill").order_by("-required", "skill"))
    for need in needs:
        need.held = bool(profile.skill_bits & need.skill.mask)
    match = MissionMatch.objects.filter(mission=mission, user=request.user).order_by("-created_at", "-pk").first()
    live = match if match is not None and match.status in ACTIVE_MATCH_STATUSES else None
    if match is not None:
        match.mission = mission
    places_left = max(mission.volunteers_needed - service.accepted_count(mission), 0)
    is_open = _is_open(mission, today)
    context = {
        "profile": profile,
        "mission": mission,
        "required": [need for need in needs if need.required],
        "welcome": [need for need in needs if not need.required],
        "when": mission_when(mission, today),
        "where": mission_where(mission),
        "places_left": places_left,
        # The score the match would record (volunteers/missions.py), reasons in words.
        "score": service.score_for(mission, profile),
        "match": match,
        "live_match": live,
        "match_status": status_phrase(match) if match is not None else "",
        "is_open": is_open,
        "can_apply": is_open and live is None and places_left > 0,
        "form": form,
    }
    return _no_store(render(request, "volunteers/missions/detail.html", context, status=status))


@login_required
def detail(request, mission_id: int):
    profile = _profile_of(request.user)
    if profile is None:
        return _no_profile(request)
    mission = get_object_or_404(_visible_missions(request.user), pk=mission_id)
    return _render_detail(request, profile, mission, ApplicationForm())


@login_required
@require_POST
def apply(request, mission_id: int):
    profile = _profile_of(request.user)
    if profile is None:
        raise Http404
    mission = get_object_or_404(_visible_missions(request.user), pk=mission_id)
    form = ApplicationForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, profile, mission, form)
    try:
        service.apply_to_mission(mission, request.user, message=form.cleaned_data["message"])
    except MissionError as error:
        # Refused as a whole (full, closed, already applied...): nothing was stored, the
        # person reads why where they applied.
        form.add_error(None, error.message)
        return _render_detail(request, profile, mission, form)
    messages.success(
        request,
        _("Votre candidature à « %(title)s » est envoyée. %(poster)s vous répondra par courriel.")
        % {"title": mission.title, "poster": mission.poster_name},
    )
    return redirect("volunteers:my_matches")


# The volunteer's matches ------------------------------------------------------------------------------


@login_required
def mine(request):
    profile = _profile_of(request.user)
    if profile is None:
        return _no_profile(request)
    today = timezone.localdate()
    now = timezone.now()
    matches = list(
        MissionMatch.objects.filter(user=request.user)
        .select_related("mission__organisation", "mission__commune", "mission__venue")
        .prefetch_related("mission__dates")
        .order_by("-created_at", "-pk")
    )
    proposals, applications, accepted, past = [], [], [], []
    for match in matches:
        mission = match.mission
        match.when = mission_when(mission, today, limit=DATES_SHOWN)
        match.where = mission_where(mission)
        over = mission.ends_on is not None and mission.ends_on < today
        match.status_phrase = status_phrase(match)
        if over and match.status in ACTIVE_MATCH_STATUSES:
            match.status_phrase = (
                _("Mission terminée : merci pour votre aide !")
                if match.status == MatchStatus.ACCEPTED
                else _("Mission terminée sans réponse.")
            )
        if match.status == MatchStatus.PENDING and not over:
            (proposals if match.kind == MatchKind.PROPOSAL else applications).append(match)
        elif match.status == MatchStatus.ACCEPTED and not over:
            accepted.append(match)
        else:
            past.append(match)
    signups = list(
        ShiftSignup.objects.filter(user=request.user, status=ShiftSignupStatus.CONFIRMED)
        .select_related("shift__event__commune", "shift__event__venue")
        .order_by("shift__starts_at", "pk")
    )
    for signup in signups:
        signup.when = dates.format_range(signup.shift.starts_at, signup.shift.ends_at)
        signup.where = shift_where(signup.shift.event)
    context = {
        "profile": profile,
        "proposals": proposals,
        "applications": applications,
        "accepted": accepted,
        "past": past,
        "coming_shifts": [signup for signup in signups if signup.shift.ends_at > now],
        # Latest first, as the past missions.
        "past_shifts": [signup for signup in signups if signup.shift.ends_at <= now][::-1],
        "hours_served": sum(signup.hours_served for signup in signups),
        "feed_url": feed_url(request, profile),
    }
    return _no_store(render(request, "volunteers/missions/mine.html", context))


def _answer_message(match: MissionMatch) -> str:
    if match.status == MatchStatus.ACCEPTED:
        return _("Merci ! Vous avez accepté la mission « %(title)s » : %(poster)s est prévenu·e.") % {
            "title": match.mission.title,
            "poster": match.mission.poster_name,
        }
    return _("C'est noté : vous avez décliné la mission « %(title)s ».") % {"title": match.mission.title}


@login_required
@require_POST
def answer_mine(request, match_id: int):
    match = get_object_or_404(
        MissionMatch.objects.select_related("mission__organisation"),
        pk=match_id,
        user=request.user,
        kind=MatchKind.PROPOSAL,
    )
    accept = ANSWERS.get(request.POST.get("reponse", ""))
    if accept is None:
        messages.error(request, _("Choisissez « oui » ou « non »."))
    else:
        try:
            match = service.answer_proposal(match, accept=accept, by=request.user)
        except MissionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _answer_message(match))
    return redirect("volunteers:my_matches")


@login_required
@require_POST
def withdraw(request, match_id: int):
    match = get_object_or_404(MissionMatch.objects.select_related("mission"), pk=match_id, user=request.user)
    try:
        service.withdraw_match(match, by=request.user)
    except MissionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Vous vous êtes retiré·e de la mission « %(title)s ».") % {"title": match.mission.title}
        )
    return redirect("volunteers:my_matches")


# The proposal email's link ------------------------------------------------------------------------------


@private
@require_http_methods(["GET", "POST"])
def answer_proposal(request, match_id: int, token: str):
    """GET shows the question and never answers it (mail scanners open links); POST answers."""
    match = service.find_match(match_id, token)
    if match is None or match.kind != MatchKind.PROPOSAL:
        raise Http404
    status = 200
    error = ""
    if request.method == "POST":
        accept = ANSWERS.get(request.POST.get("reponse", ""))
        if _over_rate_limit(request, "mission_answer"):
            error, status = _("Trop de tentatives depuis votre connexion : réessayez dans quelques minutes."), 429
        elif accept is None:
            error, status = _("Choisissez « oui » ou « non »."), 400
        else:
            by = request.user if request.user.is_authenticated and request.user.pk == match.user_id else None
            try:
                match = service.answer_proposal(match, accept=accept, by=by)
            except MissionError as refusal:  # answered already, mission full or closed
                messages.error(request, refusal.message)
            else:
                messages.success(request, _answer_message(match))
            return redirect(request.path)
    mission = match.mission
    context = {
        "match": match,
        "mission": mission,
        "when": mission_when(mission, timezone.localdate()),
        "where": mission_where(mission),
        "answered": match.status != MatchStatus.PENDING,
        "status_phrase": status_phrase(match),
        "preselected": request.GET.get("reponse", "") if request.GET.get("reponse") in ANSWERS else "",
        "error": error,
    }
    return render(request, "volunteers/missions/answer.html", context, status=status)
