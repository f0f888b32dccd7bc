"""Missions and matches: posting, moderation, proposals, applications, answers.

Who does what:
- an organisation's contact posts a mission; it waits for an organiser (SUBMITTED), who
  publishes or refuses it with a reason. A mission an organiser posts is published at once;
- an organiser proposes a published mission to a volunteer who accepts to be contacted;
  the volunteer answers from the email's links or their page;
- a volunteer applies to a published mission; the organisation's contacts (or the
  organisers for the plan's own missions) accept or decline.

Who competes: the last places of a mission (two acceptances at once) and the same
person twice on one mission (a proposal and an application crossing). Accepting locks
the mission's row and counts; the partial unique constraint on MissionMatch refuses a
second live match whatever the timing. Every transition emails the other side through
the outbox (events/services/outbox.py), sent once by django-q2.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.services.outbox import queue_email
from events.tokens import check_private_link_token, new_link_key, private_link_token
from territory.models import PARIS

from .matching import distance_km, score
from .models import (
    ACTIVE_MATCH_STATUSES,
    MatchKind,
    MatchStatus,
    Mission,
    MissionDate,
    MissionMatch,
    MissionRhythm,
    MissionSkill,
    MissionStatus,
    VolunteerProfile,
    availability_bit,
    slots_between,
)

ANSWER_PURPOSE = "mission-match"
MAX_DATES = 20


class MissionEmail:
    SUBMITTED = "mission_submitted"  # to the organisers: a mission waits for moderation
    PUBLISHED = "mission_published"  # to the contact who posted it
    REFUSED = "mission_refused"  # to the contact who posted it, with the reason
    PROPOSED = "match_proposed"  # to the volunteer, with the answer links
    APPLIED = "match_applied"  # to the mission's poster: someone applied
    ACCEPTED = "match_accepted"  # to the other side
    DECLINED = "match_declined"  # to the other side
    SHIFT_REMINDER = "shift_reminder"  # to the volunteer, two days and on the morning before


MISSION_EMAIL_KINDS = {value for name, value in vars(MissionEmail).items() if name.isupper()}


class MissionError(Exception):
    """A mission or a match refused; `field` names the form field it belongs to, if any."""

    def __init__(self, message, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __str__(self):
        return str(self.message)


# Addresses -------------------------------------------------------------------------------------------------


def answer_token(match: MissionMatch) -> str:
    return private_link_token(ANSWER_PURPOSE, match.pk, match.link_key)


def answer_path(match: MissionMatch) -> str:
    return reverse("volunteers:answer_proposal", args=[match.pk, answer_token(match)])


def find_match(pk: int, token: str) -> MissionMatch | None:
    match = MissionMatch.objects.select_related("mission__organisation", "mission__commune").filter(pk=pk).first()
    if match is None or not check_private_link_token(ANSWER_PURPOSE, match.pk, match.link_key, token):
        return None
    return match


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def team_email() -> str:
    from events.village_emails import _team_email

    return _team_email()


def moderator_addresses() -> list[str]:
    """Who moderates: the team's address of the site settings, else the organisers who may."""
    team = team_email()
    if team:
        return [team]
    perm = Q(groups__permissions__codename="change_mission") | Q(user_permissions__codename="change_mission")
    users = get_user_model().objects.filter(perm | Q(is_superuser=True), is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def poster_addresses(mission: Mission) -> list[str]:
    """Who hears about applications: the organisation's contacts, else the plan's team."""
    if mission.organisation_id:
        emails = [email for email in mission.organisation.contacts.values_list("email", flat=True) if email]
        if mission.organisation.contact_email and not emails:
            emails = [mission.organisation.contact_email]
        if emails:
            return emails
    return [email for email in [team_email()] if email]


# Posting and moderation --------------------------------------------------------------------------------------


def refresh_mission(mission: Mission) -> Mission:
    """Recompute what the matching filters on from the mission's commune, venue, skills and dates."""
    if mission.venue_id and mission.venue.latitude is not None:
        mission.latitude, mission.longitude = mission.venue.latitude, mission.venue.longitude
    else:
        mission.latitude, mission.longitude = mission.commune.latitude, mission.commune.longitude
    required = welcome = 0
    for need in MissionSkill.objects.filter(mission=mission).select_related("skill"):
        if need.required:
            required |= need.skill.mask
        else:
            welcome |= need.skill.mask
    mission.required_bits, mission.welcome_bits = required, welcome
    if mission.rhythm == MissionRhythm.DATES:
        dates = list(MissionDate.objects.filter(mission=mission).order_by("starts_at"))
        bits = 0
        for date in dates:
            bits |= slots_between(date.starts_at, date.ends_at)
        mission.slot_bits = bits
        if dates:
            mission.starts_on = timezone.localtime(dates[0].starts_at, PARIS).date()
            mission.ends_on = max(timezone.localtime(date.ends_at, PARIS).date() for date in dates)
    else:
        mission.slot_bits = mission.weekly_bits
    Mission.objects.filter(pk=mission.pk).update(
        latitude=mission.latitude,
        longitude=mission.longitude,
        required_bits=required,
        welcome_bits=welcome,
        slot_bits=mission.slot_bits,
        starts_on=mission.starts_on,
        ends_on=mission.ends_on,
    )
    return mission


def validate_schedule(
    rhythm: str,
    dates: Iterable[tuple[dt.datetime, dt.datetime]],
    weekly_slots: Iterable[tuple[int, int]],
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    now: dt.datetime,
    kept: frozenset = frozenset(),
) -> None:
    """Refuse a schedule that cannot be met. `kept` holds the (start, end) dates the mission
    already had: a past one may stay (its description can still be edited), not be added."""
    dates = list(dates)
    if rhythm == MissionRhythm.DATES:
        if not dates:
            raise MissionError(_("Indiquez au moins une date."), code="no_date", field="dates")
        if len(dates) > MAX_DATES:
            raise MissionError(
                _("Pas plus de %(count)s dates : pour une mission régulière, choisissez « Chaque semaine ».")
                % {"count": MAX_DATES},
                code="too_many_dates",
                field="dates",
            )
        for start, end in dates:
            if end <= start:
                raise MissionError(_("Chaque date doit finir après son début."), code="date_order", field="dates")
            if start <= now and (start, end) not in kept:
                raise MissionError(_("Les dates doivent être à venir."), code="date_past", field="dates")
    else:
        if not list(weekly_slots):
            raise MissionError(
                _("Cochez au moins un moment de la semaine."), code="no_weekly_slot", field="weekly_slots"
            )
        if starts_on and ends_on and ends_on < starts_on:
            raise MissionError(_("La fin doit venir après le début."), code="period_order", field="ends_on")
        if ends_on and ends_on < timezone.localtime(now, PARIS).date():
            raise MissionError(_("La période est déjà passée."), code="period_past", field="ends_on")


@transaction.atomic
def save_mission(
    mission: Mission,
    *,
    required_skills: Iterable = (),
    welcome_skills: Iterable = (),
    dates: Iterable[tuple[dt.datetime, dt.datetime]] = (),
    weekly_slots: Iterable[tuple[int, int]] = (),
    by,
    now: dt.datetime | None = None,
) -> Mission:
    """Create or update a mission from a form. Organisers' missions are published at once;
    an organisation's contact's go (back) to moderation, the organisers being told."""
    now = now or timezone.now()
    dates, weekly_slots = list(dates), list(weekly_slots)
    kept = frozenset()
    previous_status = None
    if mission.pk is not None:
        kept = frozenset(MissionDate.objects.filter(mission=mission).values_list("starts_at", "ends_at"))
        previous_status = Mission.objects.filter(pk=mission.pk).values_list("status", flat=True).first()
    validate_schedule(mission.rhythm, dates, weekly_slots, mission.starts_on, mission.ends_on, now, kept)
    required_skills, welcome_skills = list(required_skills), list(welcome_skills)
    if not 1 <= mission.volunteers_needed <= 200:
        raise MissionError(
            _("Indiquez entre 1 et 200 bénévoles."), code="invalid_volunteers_needed", field="volunteers_needed"
        )
    by_organiser = mission.organisation_id is None or by.has_perm("volunteers.change_mission")
    was_published = mission.pk is not None and mission.status == MissionStatus.PUBLISHED
    if by_organiser:
        if mission.status != MissionStatus.CLOSED:
            mission.status = MissionStatus.PUBLISHED
        if not was_published:
            mission.moderated_by, mission.moderated_at = by, now
    else:
        mission.status = MissionStatus.SUBMITTED
        mission.moderated_by = mission.moderated_at = None
    if mission.pk is None:
        mission.submitted_by = by
    bits = 0
    for weekday, part in weekly_slots:
        bits |= availability_bit(weekday, part)
    mission.weekly_bits = bits if mission.rhythm == MissionRhythm.WEEKLY else 0
    mission.territory_id = mission.commune.territory_id
    mission.latitude, mission.longitude = mission.commune.latitude, mission.commune.longitude
    mission.save()
    MissionSkill.objects.filter(mission=mission).delete()
    MissionSkill.objects.bulk_create(
        [MissionSkill(mission=mission, skill=skill, required=True) for skill in required_skills]
        + [
            MissionSkill(mission=mission, skill=skill, required=False)
            for skill in welcome_skills
            if skill not in required_skills
        ]
    )
    MissionDate.objects.filter(mission=mission).delete()
    if mission.rhythm == MissionRhythm.DATES:
        MissionDate.objects.bulk_create([MissionDate(mission=mission, starts_at=s, ends_at=e) for s, e in dates])
    refresh_mission(mission)
    moderated_now = previous_status in (MissionStatus.SUBMITTED, MissionStatus.REFUSED)
    if mission.status == MissionStatus.PUBLISHED and moderated_now and mission.submitted_by_id not in (None, by.pk):
        # An organiser corrected and published an organisation's mission: tell its poster.
        queue_email(
            MissionEmail.PUBLISHED,
            to=mission.submitted_by.email,
            key=f"mission-published:{mission.pk}:{int(now.timestamp())}",
            mission=mission.pk,
        )
    if mission.status == MissionStatus.SUBMITTED:
        for index, address in enumerate(moderator_addresses()):
            queue_email(
                MissionEmail.SUBMITTED,
                to=address,
                key=f"mission-submitted:{mission.pk}:{int(now.timestamp())}:{index}",
                mission=mission.pk,
            )
    return mission


def _lock(mission: Mission) -> Mission:
    return Mission.objects.select_for_update(of=("self",)).select_related("organisation", "commune").get(pk=mission.pk)


@transaction.atomic
def publish_mission(mission: Mission, *, by, now: dt.datetime | None = None) -> Mission:
    now = now or timezone.now()
    mission = _lock(mission)
    if mission.status != MissionStatus.SUBMITTED:
        raise MissionError(_("Cette mission n'attend pas de modération."), code="not_submitted")
    mission.status = MissionStatus.PUBLISHED
    mission.moderated_by, mission.moderated_at, mission.refusal_reason = by, now, ""
    mission.save(update_fields=["status", "moderated_by", "moderated_at", "refusal_reason", "updated_at"])
    if mission.submitted_by_id and mission.submitted_by.email:
        queue_email(
            MissionEmail.PUBLISHED,
            to=mission.submitted_by.email,
            key=f"mission-published:{mission.pk}:{int(now.timestamp())}",
            mission=mission.pk,
        )
    return mission


@transaction.atomic
def refuse_mission(mission: Mission, *, by, reason: str, now: dt.datetime | None = None) -> Mission:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise MissionError(_("Dites à la structure pourquoi, elle pourra corriger."), code="no_reason", field="reason")
    mission = _lock(mission)
    if mission.status != MissionStatus.SUBMITTED:
        raise MissionError(_("Cette mission n'attend pas de modération."), code="not_submitted")
    mission.status = MissionStatus.REFUSED
    mission.moderated_by, mission.moderated_at, mission.refusal_reason = by, now, reason
    mission.save(update_fields=["status", "moderated_by", "moderated_at", "refusal_reason", "updated_at"])
    if mission.submitted_by_id and mission.submitted_by.email:
        queue_email(
            MissionEmail.REFUSED,
            to=mission.submitted_by.email,
            key=f"mission-refused:{mission.pk}:{int(now.timestamp())}",
            mission=mission.pk,
        )
    return mission


@transaction.atomic
def close_mission(mission: Mission, *, by) -> Mission:
    """No more volunteers wanted: pending proposals and applications are withdrawn."""
    mission = _lock(mission)
    mission.status = MissionStatus.CLOSED
    mission.save(update_fields=["status", "updated_at"])
    MissionMatch.objects.filter(mission=mission, status=MatchStatus.PENDING).update(
        status=MatchStatus.WITHDRAWN, decided_at=timezone.now(), decided_by=by
    )
    return mission


# Matches ------------------------------------------------------------------------------------------------------


def accepted_count(mission: Mission) -> int:
    return MissionMatch.objects.filter(mission=mission, status=MatchStatus.ACCEPTED).count()


def _check_open(mission: Mission, now: dt.datetime) -> None:
    if mission.status != MissionStatus.PUBLISHED:
        raise MissionError(_("Cette mission n'est pas ouverte."), code="mission_not_open")
    if mission.ends_on and mission.ends_on < timezone.localtime(now, PARIS).date():
        raise MissionError(_("Cette mission est terminée."), code="mission_over")


def _check_places(mission: Mission) -> None:
    if accepted_count(mission) >= mission.volunteers_needed:
        raise MissionError(
            _("Cette mission a déjà trouvé ses %(count)s bénévoles.") % {"count": mission.volunteers_needed},
            code="mission_full",
        )


def score_for(mission: Mission, profile: VolunteerProfile):
    """The volunteer's score for a mission, as a match records it and the mission's page shows it."""
    return score(
        wanted_bits=mission.required_bits | mission.welcome_bits,
        skill_bits=profile.skill_bits,
        slot_bits=mission.slot_bits,
        availability_bits=profile.availability_bits,
        distance=distance_km(mission.latitude, mission.longitude, profile.latitude, profile.longitude),
        travel_km=profile.travel_km,
    )


def _create_match(mission, user, *, kind: str, by, message: str = "") -> MissionMatch:
    if MissionMatch.objects.filter(mission=mission, user=user, status__in=ACTIVE_MATCH_STATUSES).exists():
        raise MissionError(_("Cette personne est déjà en relation avec cette mission."), code="already_matched")
    profile = user.volunteer_profile
    points = score_for(mission, profile)
    try:
        with transaction.atomic():
            return MissionMatch.objects.create(
                mission=mission,
                user=user,
                kind=kind,
                score=max(points.points, 0),
                reasons=points.reason_text[:300],
                message=message.strip(),
                created_by=by,
                link_key=new_link_key(),
            )
    except IntegrityError as error:  # the same person matched by a crossing request
        raise MissionError(
            _("Cette personne est déjà en relation avec cette mission."), code="already_matched"
        ) from error


@transaction.atomic
def propose_mission(mission: Mission, user, *, by, message: str = "", now=None) -> MissionMatch:
    """An organiser (or the organisation) proposes a mission to a volunteer, who is emailed."""
    now = now or timezone.now()
    mission = _lock(mission)
    _check_open(mission, now)
    profile = VolunteerProfile.objects.filter(user=user, user__is_active=True).first()
    if profile is None:
        raise MissionError(_("Cette personne n'a pas de profil de bénévole actif."), code="no_profile")
    if not profile.accepts_contact:
        raise MissionError(
            _("Cette personne n'accepte pas d'être contactée par les organisateurs."), code="no_contact_consent"
        )
    _check_places(mission)
    match = _create_match(mission, user, kind=MatchKind.PROPOSAL, by=by, message=message)
    queue_email(MissionEmail.PROPOSED, to=user.email, key=f"match-proposed:{match.pk}", match=match.pk)
    return match


@transaction.atomic
def apply_to_mission(mission: Mission, user, *, message: str = "", now=None) -> MissionMatch:
    """A volunteer applies; the mission's poster is emailed."""
    now = now or timezone.now()
    mission = _lock(mission)
    _check_open(mission, now)
    if not VolunteerProfile.objects.filter(user=user, user__is_active=True).exists():
        raise MissionError(_("Créez d'abord votre profil de bénévole."), code="no_profile")
    _check_places(mission)
    match = _create_match(mission, user, kind=MatchKind.APPLICATION, by=user, message=message)
    for index, address in enumerate(poster_addresses(mission)):
        queue_email(MissionEmail.APPLIED, to=address, key=f"match-applied:{match.pk}:{index}", match=match.pk)
    return match


def _decide(match: MissionMatch, *, accept: bool, by, now: dt.datetime) -> MissionMatch:
    mission = _lock(match.mission)
    match = MissionMatch.objects.select_for_update(of=("self",)).select_related("user").get(pk=match.pk)
    if match.status != MatchStatus.PENDING:
        raise MissionError(
            _("Cette mise en relation a déjà reçu une réponse : %(status)s.")
            % {"status": match.get_status_display().lower()},
            code="already_answered",
        )
    if accept:
        _check_open(mission, now)
        _check_places(mission)
    match.status = MatchStatus.ACCEPTED if accept else MatchStatus.DECLINED
    match.decided_by, match.decided_at = by, now
    match.save(update_fields=["status", "decided_by", "decided_at"])
    match.mission = mission
    return match


@transaction.atomic
def answer_proposal(match: MissionMatch, *, accept: bool, by=None, now=None) -> MissionMatch:
    """The volunteer answers a proposal (from the email's link: `by` may be None)."""
    now = now or timezone.now()
    if match.kind != MatchKind.PROPOSAL:
        raise MissionError(_("Ce n'est pas une proposition."), code="not_a_proposal")
    match = _decide(match, accept=accept, by=by or match.user, now=now)
    kind = MissionEmail.ACCEPTED if accept else MissionEmail.DECLINED
    for index, address in enumerate(poster_addresses(match.mission)):
        queue_email(kind, to=address, key=f"{kind}:{match.pk}:{index}", match=match.pk, to_volunteer=False)
    return match


@transaction.atomic
def decide_application(match: MissionMatch, *, accept: bool, by, now=None) -> MissionMatch:
    """The mission's poster accepts or declines an application; the volunteer is emailed."""
    now = now or timezone.now()
    if match.kind != MatchKind.APPLICATION:
        raise MissionError(_("Ce n'est pas une candidature."), code="not_an_application")
    match = _decide(match, accept=accept, by=by, now=now)
    if match.user and match.user.email:
        kind = MissionEmail.ACCEPTED if accept else MissionEmail.DECLINED
        queue_email(kind, to=match.user.email, key=f"{kind}:{match.pk}:volunteer", match=match.pk, to_volunteer=True)
    return match


@transaction.atomic
def withdraw_match(match: MissionMatch, *, by, now=None) -> MissionMatch:
    """The volunteer withdraws an application, or gives up an accepted mission."""
    now = now or timezone.now()
    match = MissionMatch.objects.select_for_update().get(pk=match.pk)
    if match.status not in ACTIVE_MATCH_STATUSES:
        raise MissionError(_("Cette mise en relation n'est plus active."), code="not_active")
    match.status = MatchStatus.WITHDRAWN
    match.decided_by, match.decided_at = by, now
    match.save(update_fields=["status", "decided_by", "decided_at"])
    return match


def can_manage(user, mission: Mission) -> bool:
    """Organisers manage every mission of the admin; an organisation's contacts manage theirs."""
    if user.has_perm("volunteers.change_mission"):
        return True
    return bool(mission.organisation_id) and mission.organisation.contacts.filter(pk=user.pk).exists()
