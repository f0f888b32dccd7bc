"""The volunteers' emails.

The account's emails (the confirmation link, the inactivity warning) are queued after
commit and sent by django-q2 (inline in the tests); the task receives the user's id and
builds the email from the row as it is then. The emails of missions, matches and shifts
go through the events' outbox: their builders are below.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_q.tasks import async_task

from events import dates
from events.emails import EmailNotSendable
from events.models import EventPage, EventStatus, OutgoingEmail
from events.village_emails import Draft, builds

from .matching import slot_phrase
from .missions import MissionEmail, answer_path, site_url
from .models import (
    MatchStatus,
    Mission,
    MissionMatch,
    MissionRhythm,
    MissionStatus,
    ShiftSignup,
    ShiftSignupStatus,
)


def confirmation_path(user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("volunteers:confirm", args=[uidb64, default_token_generator.make_token(user)])


def queue_confirmation(user) -> None:
    transaction.on_commit(lambda: async_task("volunteers.emails.send_confirmation", user.pk))


def queue_inactivity_warning(user) -> None:
    transaction.on_commit(lambda: async_task("volunteers.emails.send_inactivity_warning", user.pk))


def _send(user, subject: str, template: str, context: dict) -> None:
    site_url = settings.SITE_URL.rstrip("/")
    context = {"user": user, "site_url": site_url, **context}
    body = render_to_string(template, context)
    EmailMessage(subject=subject, body=body, to=[user.email]).send()


def send_confirmation(user_id: int) -> str:
    user = get_user_model().objects.filter(pk=user_id, is_active=False).first()
    if user is None or not user.email:
        return "nothing to confirm"
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            user,
            _("Confirmez votre compte bénévole"),
            "volunteers/emails/confirmation.txt",
            {"confirm_url": settings.SITE_URL.rstrip("/") + confirmation_path(user)},
        )
    return "sent"


def send_inactivity_warning(user_id: int) -> str:
    user = get_user_model().objects.filter(pk=user_id, volunteer_profile__isnull=False).first()
    if user is None or not user.email:
        return "nothing to warn"
    from .services import GRACE_DAYS

    with translation.override(settings.LANGUAGE_CODE):
        _send(
            user,
            _("Votre compte bénévole sera bientôt supprimé"),
            "volunteers/emails/inactivity_warning.txt",
            {
                "months": settings.VOLUNTEER_INACTIVITY_MONTHS,
                "days": GRACE_DAYS,
                "login_url": settings.SITE_URL.rstrip("/") + settings.LOGIN_URL,
                "profile_url": settings.SITE_URL.rstrip("/") + reverse("volunteers:profile"),
            },
        )
    return "sent"


# Missions, matches and shifts ---------------------------------------------------------------------
#
# Sent through the events' outbox (events/services/outbox.py): volunteers/missions.py queues
# them with the ids in the row's `context`, events/emails.py hands the kinds registered here
# to events/village_emails.py, which renders templates/emails/<kind>.txt and .html with the
# shared village layout. A builder fetches its rows again when the email is sent: a row that
# is gone, or a match or sign-up that no longer calls for this email, is EmailNotSendable.

MISSION_SUBJECTS = {
    MissionEmail.SUBMITTED: gettext_lazy("Mission à modérer : %(title)s (%(poster)s)"),
    MissionEmail.PUBLISHED: gettext_lazy("Votre mission est publiée : %(title)s"),
    MissionEmail.REFUSED: gettext_lazy("Votre mission n'est pas publiée : %(title)s"),
}
# Which status the mission must still have for its email to make sense: a mission
# moderated, or edited again, before its email left must not be announced wrongly.
MISSION_STATUS_FOR = {
    MissionEmail.SUBMITTED: MissionStatus.SUBMITTED,
    MissionEmail.PUBLISHED: MissionStatus.PUBLISHED,
    MissionEmail.REFUSED: MissionStatus.REFUSED,
}
MATCH_SUBJECTS = {
    MissionEmail.PROPOSED: gettext_lazy("Une mission bénévole pour vous : %(title)s"),
    MissionEmail.APPLIED: gettext_lazy("Nouvelle candidature pour votre mission : %(title)s"),
}
# (kind, to_volunteer): to the volunteer, the poster's decision on their application;
# to the poster, the volunteer's answer to a proposal.
ANSWER_SUBJECTS = {
    (MissionEmail.ACCEPTED, True): gettext_lazy("Votre candidature est acceptée : %(title)s"),
    (MissionEmail.DECLINED, True): gettext_lazy("Votre candidature n'est pas retenue : %(title)s"),
    (MissionEmail.ACCEPTED, False): gettext_lazy("%(name)s accepte votre proposition de mission : %(title)s"),
    (MissionEmail.DECLINED, False): gettext_lazy("%(name)s décline votre proposition de mission : %(title)s"),
}
MAX_DATES_SHOWN = 3


def _fact(label, value, link: str = "") -> tuple[str, str, str]:
    return (str(label), str(value), link or "")


def _mission(pk) -> Mission | None:
    return (
        Mission.objects.select_related("organisation", "commune", "venue", "submitted_by")
        .prefetch_related("dates")
        .filter(pk=pk)
        .first()
    )


def _match(outgoing: OutgoingEmail) -> MissionMatch:
    match = (
        MissionMatch.objects.select_related(
            "user__volunteer_profile__home_commune", "mission__organisation", "mission__commune", "mission__venue"
        )
        .filter(pk=outgoing.context.get("match"))
        .first()
    )
    # No user: the volunteer erased their account since; nobody to write to or about.
    if match is None or match.user is None:
        raise EmailNotSendable(outgoing.key)
    return match


def schedule_phrase(mission: Mission) -> str:
    """ "chaque semaine, le samedi matin, du 1er décembre 2026 au 31 mars 2027" or its first dates."""
    if mission.rhythm == MissionRhythm.WEEKLY:
        phrase = _("chaque semaine, %(slots)s") % {"slots": slot_phrase(mission.weekly_bits, limit=3)}
        if mission.starts_on and mission.ends_on:
            phrase += " " + _("du %(start)s au %(end)s") % {
                "start": dates.format_day(mission.starts_on),
                "end": dates.format_day(mission.ends_on),
            }
        elif mission.starts_on:
            phrase += " " + _("à partir du %(start)s") % {"start": dates.format_day(mission.starts_on)}
        elif mission.ends_on:
            phrase += " " + _("jusqu'au %(end)s") % {"end": dates.format_day(mission.ends_on)}
        return phrase
    days = [dates.format_range(date.starts_at, date.ends_at) for date in mission.dates.all()]
    if len(days) <= MAX_DATES_SHOWN:
        return " ; ".join(days)
    return _("%(first)s et %(count)s autres dates") % {
        "first": " ; ".join(days[:MAX_DATES_SHOWN]),
        "count": len(days) - MAX_DATES_SHOWN,
    }


def _place(mission: Mission) -> str:
    return f"{mission.venue.name}, {mission.commune.name}" if mission.venue_id else mission.commune.name


def mission_facts(mission: Mission) -> list:
    link = site_url(reverse("volunteers:mission", args=[mission.pk]))
    return [
        _fact(_("La mission"), mission.title, link if mission.status == MissionStatus.PUBLISHED else ""),
        _fact(_("Proposée par"), mission.poster_name),
        _fact(_("Où"), _place(mission)),
        _fact(_("Quand"), schedule_phrase(mission)),
        _fact(_("Bénévoles recherchés"), mission.volunteers_needed),
    ]


def moderation_url(mission: Mission) -> str:
    """The mission's page in the admin; the admin's home until that page is installed."""
    try:
        path = reverse("volunteers_missions:moderate", args=[mission.pk])
    except NoReverseMatch:
        path = reverse("wagtailadmin_home")
    return site_url(path)


def manage_url(mission: Mission) -> str:
    """Where the mission's poster answers applications: the organisation's space, or the admin."""
    if mission.organisation_id:
        return site_url(reverse("organisations:missions", args=[mission.organisation_id]))
    return moderation_url(mission)


def _first_name(user) -> str:
    return (user.first_name or user.get_full_name()) if user else ""


def _volunteer_name(user) -> str:
    return user.get_full_name() or user.first_name or _("Une personne bénévole")


def _volunteer_commune(user) -> str:
    profile = getattr(user, "volunteer_profile", None)
    return profile.home_commune.name if profile is not None and profile.home_commune_id else ""


@builds(*MISSION_SUBJECTS)
def mission_email(outgoing: OutgoingEmail) -> Draft:
    mission = _mission(outgoing.context.get("mission"))
    if mission is None or mission.status != MISSION_STATUS_FOR[outgoing.kind]:
        raise EmailNotSendable(outgoing.key)
    facts = mission_facts(mission)
    context = {"mission": mission, "poster": mission.poster_name, "place": _place(mission)}
    if outgoing.kind == MissionEmail.SUBMITTED:
        action_url = moderation_url(mission)
        context.update(
            name="",
            submitted_by=mission.submitted_by.get_full_name() if mission.submitted_by else "",
            footer_reason=_("Vous recevez ce courriel parce que vous modérez les missions bénévoles du plan."),
        )
        facts.append(_fact(_("Modérer"), action_url, action_url))
    else:
        action_url = manage_url(mission) if mission.organisation_id else ""
        context.update(
            name=_first_name(mission.submitted_by),
            reason=mission.refusal_reason,
            footer_reason=_("Vous recevez ce courriel parce que vous avez proposé une mission bénévole."),
        )
        if action_url:
            facts.append(_fact(_("Vos missions"), action_url, action_url))
    context["action_url"] = action_url
    return Draft(
        subject=MISSION_SUBJECTS[outgoing.kind] % {"title": mission.title, "poster": mission.poster_name},
        context=context,
        facts=facts,
    )


@builds(*MATCH_SUBJECTS)
def match_email(outgoing: OutgoingEmail) -> Draft:
    match = _match(outgoing)
    # Withdrawn (the mission closed) or answered already: the links would lead nowhere.
    if match.status != MatchStatus.PENDING:
        raise EmailNotSendable(outgoing.key)
    mission, user = match.mission, match.user
    facts = mission_facts(mission)
    context = {"mission": mission, "poster": mission.poster_name, "match": match, "reasons": match.reasons}
    if outgoing.kind == MissionEmail.PROPOSED:
        answer_url = site_url(answer_path(match))
        context.update(
            name=_first_name(user),
            accept_url=f"{answer_url}?reponse=oui",
            decline_url=f"{answer_url}?reponse=non",
            my_matches_url=site_url(reverse("volunteers:my_matches")),
            footer_reason=_(
                "Vous recevez ce courriel parce que vous acceptez d'être contacté·e par les organisateurs. "
                "Vous pouvez changer d'avis sur votre profil de bénévole."
            ),
        )
    else:
        context.update(
            name="",
            volunteer=_volunteer_name(user),
            commune=_volunteer_commune(user),
            action_url=manage_url(mission),
            footer_reason=_("Vous recevez ce courriel parce que vous suivez cette mission bénévole."),
        )
        facts.insert(0, _fact(_("Candidature de"), context["volunteer"]))
        facts.append(_fact(_("Répondre"), context["action_url"], context["action_url"]))
    return Draft(subject=MATCH_SUBJECTS[outgoing.kind] % {"title": mission.title}, context=context, facts=facts)


@builds(MissionEmail.ACCEPTED, MissionEmail.DECLINED)
def answer_email(outgoing: OutgoingEmail) -> Draft:
    match = _match(outgoing)
    mission, user = match.mission, match.user
    to_volunteer = bool(outgoing.context.get("to_volunteer"))
    accepted = outgoing.kind == MissionEmail.ACCEPTED
    volunteer = _volunteer_name(user)
    facts = mission_facts(mission)
    context = {
        "mission": mission,
        "poster": mission.poster_name,
        "accepted": accepted,
        "to_volunteer": to_volunteer,
        "volunteer": volunteer,
    }
    if to_volunteer:
        action_url = site_url(reverse("volunteers:my_matches"))
        context.update(
            name=_first_name(user),
            footer_reason=_("Vous recevez ce courriel parce que vous avez candidaté à cette mission bénévole."),
        )
        facts.append(_fact(_("Mes missions"), action_url, action_url))
    else:
        action_url = manage_url(mission)
        context.update(
            name="",
            commune=_volunteer_commune(user),
            footer_reason=_("Vous recevez ce courriel parce que vous avez proposé cette mission à un·e bénévole."),
        )
        facts.insert(0, _fact(_("Bénévole"), volunteer))
        facts.append(_fact(_("La mission"), action_url, action_url))
    context["action_url"] = action_url
    subject = ANSWER_SUBJECTS[(outgoing.kind, to_volunteer)] % {"title": mission.title, "name": volunteer}
    return Draft(subject=subject, context=context, facts=facts)


def _when_word(start: dt.datetime) -> str:
    """ "aujourd'hui", "demain", "dans 2 jours": from the Paris day of the shift."""
    days = (dates.local(start).date() - dates.local(timezone.now()).date()).days
    if days <= 0:
        return _("aujourd'hui")
    if days == 1:
        return _("demain")
    return _("dans %(days)s jours") % {"days": days}


@builds(MissionEmail.SHIFT_REMINDER)
def shift_reminder_email(outgoing: OutgoingEmail) -> Draft:
    signup = (
        ShiftSignup.objects.select_related("shift__event")
        .filter(pk=outgoing.context.get("signup"), status=ShiftSignupStatus.CONFIRMED)
        .first()
    )
    if signup is None:
        raise EmailNotSendable(outgoing.key)
    shift = signup.shift
    event = EventPage.objects.select_related("venue", "commune").get(pk=shift.event_id).specific
    # A cancelled event sends its own notice (events/village_emails.py, event_cancelled).
    if event.status == EventStatus.CANCELLED:
        raise EmailNotSendable(outgoing.key)
    role = shift.label or shift.get_role_display()
    when = dates.format_range(shift.starts_at, shift.ends_at)
    shifts_url = site_url(reverse("volunteers:shifts"))
    event_url = (event.get_full_url() or "") if event.live else ""
    facts = [
        _fact(_("Votre créneau"), role),
        _fact(_("L'événement"), event.title, event_url),
        _fact(_("Quand"), when),
    ]
    if event.place_label:
        facts.append(_fact(_("Où"), event.place_label))
    facts.append(_fact(_("Mes créneaux"), shifts_url, shifts_url))
    day = _when_word(shift.starts_at)
    return Draft(
        subject=_("Rappel : votre créneau bénévole %(day)s, %(event)s") % {"day": day, "event": event.title},
        context={
            "name": signup.name,
            "role": role,
            "event": event,
            "when": when,
            "day": day,
            "place": event.place_label,
            "shifts_url": shifts_url,
            "footer_reason": _("Vous recevez ce courriel parce que vous êtes inscrit·e sur un créneau bénévole."),
        },
        calendar=event,
        reply_to=event.contact_email,
        facts=facts,
    )
