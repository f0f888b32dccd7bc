"""The village's emails: stands, the communes' visit requests, cancelled and moved events.

Built from their outbox row (OutgoingEmail, services/outbox.py) like the registration
emails (events/emails.py): the row's `context` holds ids, and each kind has a builder here
that fetches its rows again and returns the subject, what the templates
(templates/emails/<kind>.txt and .html) show, and the event to attach as .ics. A row whose
stand, request or event is gone or anonymised cannot become an email (EmailNotSendable).

Facts are (label, value, link) lines that the shared layout
(templates/emails/village_base.*) prints under the message.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import dates
from events.emails import EmailNotSendable
from events.ical import event_calendar, location
from events.models import (
    EventPage,
    EventStatus,
    OutgoingEmail,
    Stand,
    StandStatus,
    VillageFormat,
    VillageStopPage,
    VisitRequest,
)
from events.services import visits
from events.services.outbox import VillageEmail

# Audiences of the emails sent to everyone concerned by a cancelled or moved event
# (services/village.py, _notify_everyone).
REGISTRANT, STAND_HOLDER, VOLUNTEER, COMMUNE = "registration", "stand", "volunteer", "commune"


@dataclass
class Draft:
    """What a builder returns: the subject, the templates' context, an event to attach as .ics."""

    subject: str
    context: dict
    calendar: EventPage | None = None
    reply_to: str = ""
    facts: list = field(default_factory=list)


BUILDERS: dict[str, Callable[[OutgoingEmail], Draft]] = {}


def builds(*kinds: str):
    def register(function):
        for kind in kinds:
            BUILDERS[kind] = function
        return function

    return register


def build_village_message(outgoing: OutgoingEmail) -> EmailMultiAlternatives:
    site_url = settings.SITE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        draft = BUILDERS[outgoing.kind](outgoing)
        reply_to = draft.reply_to or _team_email()
        context = {
            "subject": draft.subject,
            "facts": draft.facts,
            "site_url": site_url,
            "contact_email": reply_to,
            **draft.context,
        }
        message = EmailMultiAlternatives(
            subject=draft.subject,
            body=render_to_string(f"emails/{outgoing.kind}.txt", context),
            to=[outgoing.to],
            reply_to=[reply_to] if reply_to else None,
            headers={"Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(render_to_string(f"emails/{outgoing.kind}.html", context), "text/html")
        if draft.calendar is not None:
            event = draft.calendar
            calendar = event_calendar([event], method="PUBLISH", urls={event.pk: _public_url(event)})
            message.attach(_("evenement.ics"), calendar, "text/calendar")
    return message


# Shared pieces ------------------------------------------------------------------------------------


def _team_email() -> str:
    # Looked up by name: cms reads events, events does not import cms.
    contact = apps.get_model("cms", "SiteContact")
    return contact.objects.filter(site__is_default_site=True).values_list("email", flat=True).first() or ""


def _public_url(event) -> str | None:
    """The page's address once it is live; a draft stop (an accepted request) has none yet."""
    return (event.get_full_url() or None) if event.live else None


def _fact(label, value, link: str = "") -> tuple[str, str, str]:
    return (str(label), str(value), link or "")


def _event_facts(event, *, title_label=None) -> list:
    facts = [
        _fact(title_label or _("L'événement"), event.title, _public_url(event) or ""),
        _fact(_("Quand"), dates.format_range(event.start, event.end)),
    ]
    if event.venue_id or event.commune_id:
        facts.append(_fact(_("Où"), location(event)))
    return facts


def _stop_times(stop) -> dict:
    """Set-up and tear-down times of a stop, in French ("7 h 00"), empty when not set."""
    return {
        "setup_from": dates.format_time(stop.setup_from) if getattr(stop, "setup_from", None) else "",
        "teardown_until": dates.format_time(stop.teardown_until) if getattr(stop, "teardown_until", None) else "",
    }


def _day(value: dt.datetime) -> str:
    return dates.format_day(dates.local(value).date())


def _list(items) -> str:
    return ", ".join(str(item) for item in items)


# Stands -------------------------------------------------------------------------------------------

STAND_SUBJECTS = {
    VillageEmail.STAND_RECEIVED: gettext_lazy("Votre demande de stand est bien reçue : %(event)s"),
    VillageEmail.STAND_CONFIRMED: gettext_lazy("Votre stand est confirmé : %(event)s"),
    VillageEmail.STAND_REFUSED: gettext_lazy("Votre demande de stand n'est pas retenue : %(event)s"),
    VillageEmail.STAND_MOVED: gettext_lazy("Votre stand change d'emplacement : %(event)s"),
}


def _stand(outgoing: OutgoingEmail) -> Stand:
    stand = (
        Stand.objects.select_related("stop__venue", "stop__commune", "organisation", "pitch")
        .filter(pk=outgoing.context.get("stand"))
        .first()
    )
    if stand is None:
        raise EmailNotSendable(outgoing.key)
    return stand


def _needs(stand: Stand) -> list[str]:
    return [
        str(label)
        for wanted, label in (
            (stand.needs_power, _("électricité")),
            (stand.needs_table, _("table")),
            (stand.needs_shelter, _("abri")),
        )
        if wanted
    ]


@builds(*STAND_SUBJECTS)
def stand_email(outgoing: OutgoingEmail) -> Draft:
    stand = _stand(outgoing)
    stop = stand.stop
    placed = outgoing.kind in (VillageEmail.STAND_CONFIRMED, VillageEmail.STAND_MOVED)
    if placed and (stand.status != StandStatus.CONFIRMED or stand.pitch is None):
        # Refused or withdrawn since: a confirmation would now be wrong.
        raise EmailNotSendable(outgoing.key)
    facts = _event_facts(stop, title_label=_("L'étape"))
    times = _stop_times(stop)
    if placed:
        pitch = stand.pitch
        facts.append(
            _fact(
                _("Emplacement"),
                _("n° %(number)s") % {"number": pitch.number} + (f" · {pitch.theme}" if pitch.theme else ""),
            )
        )
        facts.append(_fact(_("Équipement"), _list(pitch.equipment) or _("aucun")))
        if times["setup_from"]:
            facts.append(_fact(_("Installation"), _("à partir de %(time)s") % {"time": times["setup_from"]}))
        if times["teardown_until"]:
            facts.append(_fact(_("Démontage"), _("jusqu'à %(time)s") % {"time": times["teardown_until"]}))
    subject = STAND_SUBJECTS[outgoing.kind] % {"event": stop.title}
    return Draft(
        subject=subject,
        context={
            "name": stand.contact_name,
            "stand": stand,
            "organisation": stand.organisation.name,
            "stop": stop,
            "when": dates.format_range(stop.start, stop.end),
            "pitch": stand.pitch,
            "equipment": _list(stand.pitch.equipment) if stand.pitch else "",
            "needs": _list(_needs(stand)),
            "unmet_needs": _list(stand.unmet_needs),
            "reason": stand.decision_note,
            **times,
            "footer_reason": _(
                "Vous recevez ce courriel parce que votre structure a demandé un stand au Village de l'ESS."
            ),
        },
        calendar=stop if outgoing.kind == VillageEmail.STAND_CONFIRMED else None,
        reply_to=stop.contact_email,
        facts=facts,
    )


# The communes' visit requests ---------------------------------------------------------------------

VISIT_SUBJECTS = {
    VillageEmail.VISIT_RECEIVED: gettext_lazy("Votre demande d'accueil du village est bien reçue : %(commune)s"),
    VillageEmail.VISIT_ACCEPTED: gettext_lazy("Le Village de l'ESS viendra à %(commune)s le %(day)s"),
    VillageEmail.VISIT_DATE_PROPOSED: gettext_lazy("Une autre date vous est proposée pour le village à %(commune)s"),
    VillageEmail.VISIT_PROPOSAL_DECLINED: gettext_lazy(
        "Date déclinée : l'équipe vous propose bientôt une autre date (%(commune)s)"
    ),
    VillageEmail.VISIT_DECLINED: gettext_lazy(
        "Votre demande d'accueil du village : la réponse de l'équipe (%(commune)s)"
    ),
    VillageEmail.VISIT_SUMMARY: gettext_lazy("Le bilan de l'étape du village à %(commune)s"),
}
# Kinds about a stop already scheduled: no stop (deleted since), no email.
NEEDS_STOP = {VillageEmail.VISIT_ACCEPTED, VillageEmail.VISIT_REMINDER, VillageEmail.VISIT_SUMMARY}


def _visit_request(outgoing: OutgoingEmail) -> VisitRequest:
    request = (
        VisitRequest.objects.select_related("commune", "venue", "proposed_venue", "stop__venue", "stop__commune")
        .filter(pk=outgoing.context.get("visit_request"))
        .first()
    )
    if request is None or request.anonymised_at is not None:
        raise EmailNotSendable(outgoing.key)
    return request


def _request_facts(request: VisitRequest) -> list:
    facts = [_fact(_("Commune"), request.commune.name)]
    if request.place_label:
        facts.append(_fact(_("Lieu envisagé"), request.place_label))
    if request.preferred_dates:
        facts.append(_fact(_("Dates souhaitées"), _list(dates.format_day(day) for day in request.preferred_dates)))
    if request.flexible_from and request.flexible_until:
        facts.append(
            _fact(
                _("Période souple"),
                _("du %(start)s au %(end)s")
                % {"start": dates.format_day(request.flexible_from), "end": dates.format_day(request.flexible_until)},
            )
        )
    return facts


def _reminder_subject(days: int, commune: str) -> str:
    if days <= 1:
        return _("Demain, le Village de l'ESS s'installe à %(commune)s") % {"commune": commune}
    return _("Dans %(days)s jours, le Village de l'ESS s'installe à %(commune)s") % {"days": days, "commune": commune}


@builds(*VISIT_SUBJECTS, VillageEmail.VISIT_REMINDER)
def visit_email(outgoing: OutgoingEmail) -> Draft:
    request = _visit_request(outgoing)
    stop = request.stop
    if outgoing.kind in NEEDS_STOP and (stop is None or stop.status == EventStatus.CANCELLED):
        raise EmailNotSendable(outgoing.key)
    tracking_url = visits.tracking_url(request)
    commune = request.commune.name
    context = {
        "name": request.contact_name,
        "visit_request": request,
        "commune": commune,
        "tracking_url": tracking_url,
        "form_url": settings.SITE_URL.rstrip("/") + reverse("visit_request_form"),
        "footer_reason": _(
            "Vous recevez ce courriel parce que vous avez demandé la venue du Village de l'ESS dans votre commune."
        ),
    }
    facts = _request_facts(request)
    calendar = None
    if stop is not None and outgoing.kind in NEEDS_STOP:
        facts = [_fact(_("Commune"), commune), *_event_facts(stop, title_label=_("L'étape"))]
        context.update(stop=stop, when=dates.format_range(stop.start, stop.end), **_stop_times(stop))
        if context["setup_from"] and outgoing.kind != VillageEmail.VISIT_SUMMARY:
            facts.append(_fact(_("Installation"), _("à partir de %(time)s") % {"time": context["setup_from"]}))
        if outgoing.kind != VillageEmail.VISIT_SUMMARY:
            calendar = stop
    if outgoing.kind == VillageEmail.VISIT_DATE_PROPOSED:
        if request.proposed_start is None:
            raise EmailNotSendable(outgoing.key)
        venue = request.proposed_venue
        context.update(
            proposed_when=dates.format_range(request.proposed_start, request.proposed_end),
            proposed_place=(f"{venue.name}, {venue.commune.name}" if venue else request.place_label or commune),
            proposed_format=str(VillageFormat(request.proposed_format).label)
            if request.proposed_format in VillageFormat.values
            else "",
            note=outgoing.context.get("note", ""),
        )
    if outgoing.kind == VillageEmail.VISIT_DECLINED:
        context["reason"] = request.decline_reason
    if outgoing.kind == VillageEmail.VISIT_SUMMARY:
        context["summary"] = visits.stop_summary(stop)
    facts.append(_fact(_("Suivre la demande"), tracking_url, tracking_url))
    if outgoing.kind == VillageEmail.VISIT_REMINDER:
        days = int(outgoing.context.get("days") or 1)
        context["days"] = days
        subject = _reminder_subject(days, commune)
    else:
        day = _day(stop.start) if stop is not None else ""
        subject = VISIT_SUBJECTS[outgoing.kind] % {"commune": commune, "day": day}
    return Draft(subject=subject, context=context, calendar=calendar, facts=facts)


# Cancelled or moved events, to everyone concerned -----------------------------------------------

EVENT_SUBJECTS = {
    VillageEmail.EVENT_CANCELLED: gettext_lazy("Annulé : %(event)s"),
    VillageEmail.EVENT_MOVED: gettext_lazy("Nouvelle date : %(event)s"),
}
FOOTER_REASONS = {
    REGISTRANT: gettext_lazy("Vous recevez ce courriel parce que vous vous êtes inscrit·e à cet événement."),
    STAND_HOLDER: gettext_lazy("Vous recevez ce courriel parce que votre structure tient un stand à cet événement."),
    VOLUNTEER: gettext_lazy("Vous recevez ce courriel parce que vous êtes bénévole sur cet événement."),
    COMMUNE: gettext_lazy(
        "Vous recevez ce courriel parce que vous avez demandé la venue du Village de l'ESS dans votre commune."
    ),
}


@builds(*EVENT_SUBJECTS)
def event_email(outgoing: OutgoingEmail) -> Draft:
    data = outgoing.context
    event = EventPage.objects.select_related("venue", "commune").filter(pk=data.get("event")).first()
    if event is None:
        raise EmailNotSendable(outgoing.key)
    event = event.specific
    audience = data.get("audience", REGISTRANT)
    context = {
        "name": data.get("name", ""),
        "event": event,
        "audience": audience,
        "when": dates.format_range(event.start, event.end),
        "reason": data.get("reason", ""),
        "note": data.get("note", ""),
        "is_stop": isinstance(event, VillageStopPage),
        "footer_reason": FOOTER_REASONS.get(audience, FOOTER_REASONS[REGISTRANT]),
        **_stop_times(event),
    }
    if audience == REGISTRANT:
        registration = outgoing.registration
        if registration is None or registration.anonymised_at is not None:
            raise EmailNotSendable(outgoing.key)
        context["name"] = context["name"] or registration.name
    if audience == STAND_HOLDER and data.get("stand"):
        context["stand"] = Stand.objects.select_related("pitch").filter(pk=data["stand"]).first()
    facts = _event_facts(event)
    if audience == COMMUNE:
        request = VisitRequest.objects.filter(pk=data.get("visit_request")).first()
        if request is None or request.anonymised_at is not None:
            raise EmailNotSendable(outgoing.key)
        context["tracking_url"] = visits.tracking_url(request)
        facts.append(_fact(_("Suivre la demande"), context["tracking_url"], context["tracking_url"]))
    if data.get("previous_start"):
        previous = dt.datetime.fromisoformat(data["previous_start"])
        context["previous"] = dates.format_datetime(previous)
    return Draft(
        subject=EVENT_SUBJECTS[outgoing.kind] % {"event": event.title},
        context=context,
        calendar=event,
        reply_to=event.contact_email,
        facts=facts,
    )
