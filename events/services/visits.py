"""A commune asks for a visit of the village: submission, decisions, reminders, summary.

Every transition records a line of history (who, when) and emails the commune's
contact through the outbox (services/outbox.py). Decisions lock the request's row, so
two organisers answering the same request at once cannot both accept it; accepting
schedules the stop through services/village.py, where the kit rule is enforced.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import (
    EventStatus,
    Stand,
    VillageFormat,
    VillageStopPage,
    VisitOccasion,
    VisitRequest,
    VisitRequestAction,
    VisitRequestEvent,
    VisitRequestStatus,
)
from events.signals import volunteers_of
from events.tokens import check_private_link_token, new_link_key, private_link_token
from territory.models import PARIS

from . import village
from .outbox import VillageEmail, queue_email
from .visitors import visitor_counts

LINK_PURPOSE = "visit-request"
# How far ahead a commune may ask: the plan runs by seasons.
FURTHEST_AHEAD = dt.timedelta(days=3 * 365)
REMINDERS = {"j7": dt.timedelta(days=7), "j1": dt.timedelta(days=1)}
# The summary goes out once the stop has ended, and not for stops older than this.
SUMMARY_WITHIN = dt.timedelta(days=30)


class VisitRequestError(Exception):
    """A request or a decision refused; `field` names the form field it belongs to, if any."""

    def __init__(self, message, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __str__(self):
        return str(self.message)


def tracking_token(request: VisitRequest) -> str:
    return private_link_token(LINK_PURPOSE, request.pk, request.link_key)


def tracking_path(request: VisitRequest) -> str:
    return f"/accueillir-le-village/suivi/{request.pk}/{tracking_token(request)}/"


def tracking_url(request: VisitRequest) -> str:
    return settings.SITE_URL.rstrip("/") + tracking_path(request)


def find_request(pk: int, token: str) -> VisitRequest | None:
    request = VisitRequest.objects.select_related("commune", "venue", "stop").filter(pk=pk).first()
    if request is None or request.anonymised_at is not None:
        return None
    return request if check_private_link_token(LINK_PURPOSE, request.pk, request.link_key, token) else None


def _today() -> dt.date:
    return timezone.localtime(timezone.now(), PARIS).date()


def _record(request: VisitRequest, action: str, *, by=None, by_commune: bool = False, note: str = "") -> None:
    VisitRequestEvent.objects.create(
        request=request,
        action=action,
        by=by if getattr(by, "is_authenticated", False) else None,
        by_commune=by_commune,
        note=note,
    )


def _email(request: VisitRequest, kind: str, key_suffix: str = "", **context) -> None:
    key = f"{kind}:{request.pk}:{key_suffix or int(timezone.now().timestamp() * 1000)}"
    queue_email(kind, to=request.email, key=key, visit_request=request.pk, **context)


def validate_request(
    *,
    territory,
    commune,
    contact_name: str,
    email: str,
    preferred_dates: list[dt.date],
    flexible_from: dt.date | None,
    flexible_until: dt.date | None,
    consent: bool,
    venue=None,
) -> list[VisitRequestError]:
    """Every reason to refuse the request, each tied to its field (the form shows them all at once)."""
    errors = []
    today = _today()
    if commune is None or commune.territory_id != territory.pk:
        errors.append(
            VisitRequestError(
                _("Choisissez une commune de %(territory)s.") % {"territory": territory.name},
                "commune_outside",
                "commune",
            )
        )
    if venue is not None and commune is not None and venue.commune_id != commune.pk:
        errors.append(VisitRequestError(_("Ce lieu n'est pas dans la commune choisie."), "venue_elsewhere", "venue"))
    if not (contact_name or "").strip():
        errors.append(
            VisitRequestError(_("Indiquez le nom de la personne à contacter."), "contact_required", "contact_name")
        )
    if not (email or "").strip():
        errors.append(VisitRequestError(_("Indiquez un courriel pour suivre la demande."), "email_required", "email"))
    for index, day in enumerate(preferred_dates, start=1):
        if day is None:
            continue
        if day <= today:
            errors.append(
                VisitRequestError(
                    _("Cette date est passée ou trop proche : choisissez une date à partir de demain."),
                    "date_in_past",
                    f"preferred_date_{index}",
                )
            )
        elif day > today + FURTHEST_AHEAD:
            errors.append(
                VisitRequestError(_("Cette date est trop lointaine."), "date_too_far", f"preferred_date_{index}")
            )
    if flexible_from or flexible_until:
        if not (flexible_from and flexible_until):
            field = "flexible_until" if flexible_from else "flexible_from"
            errors.append(
                VisitRequestError(_("Indiquez le début et la fin de la période."), "period_incomplete", field)
            )
        elif flexible_until < flexible_from:
            errors.append(
                VisitRequestError(_("La fin de la période précède son début."), "period_order", "flexible_until")
            )
        elif flexible_until <= today:
            errors.append(VisitRequestError(_("Cette période est déjà passée."), "date_in_past", "flexible_until"))
    if not any(preferred_dates) and not (flexible_from or flexible_until):
        errors.append(
            VisitRequestError(
                _("Proposez au moins une date, ou une période pendant laquelle le village peut venir."),
                "date_required",
                "preferred_date_1",
            )
        )
    if not consent:
        errors.append(
            VisitRequestError(
                _("Votre accord est nécessaire pour que nous traitions la demande."), "consent_required", "consent"
            )
        )
    return errors


def submit_visit_request(
    *,
    territory,
    commune,
    contact_name: str,
    contact_role: str,
    email: str,
    phone: str = "",
    occasion: str = VisitOccasion.WEEKLY_MARKET,
    occasion_detail: str = "",
    venue=None,
    venue_text: str = "",
    preferred_dates: list[dt.date] | None = None,
    flexible_from: dt.date | None = None,
    flexible_until: dt.date | None = None,
    expected_audience: int | None = None,
    has_power: bool = False,
    space: str = "",
    has_parking: bool = False,
    message: str = "",
    consent: bool = False,
) -> VisitRequest:
    """Record a commune's request, acknowledge it by email. Raises the first VisitRequestError
    (use validate_request() to get them all)."""
    dates = [d for d in (preferred_dates or []) if d][:3]
    errors = validate_request(
        territory=territory,
        commune=commune,
        contact_name=contact_name,
        email=email,
        preferred_dates=dates,
        flexible_from=flexible_from,
        flexible_until=flexible_until,
        consent=consent,
        venue=venue,
    )
    if errors:
        raise errors[0]
    dates += [None] * (3 - len(dates))
    with transaction.atomic():
        request = VisitRequest.objects.create(
            commune=commune,
            contact_name=contact_name.strip(),
            contact_role=(contact_role or "").strip(),
            email=email.strip(),
            phone=(phone or "").strip(),
            occasion=occasion,
            occasion_detail=(occasion_detail or "").strip(),
            venue=venue,
            venue_text="" if venue else (venue_text or "").strip(),
            preferred_date_1=dates[0],
            preferred_date_2=dates[1],
            preferred_date_3=dates[2],
            flexible_from=flexible_from,
            flexible_until=flexible_until,
            expected_audience=expected_audience,
            has_power=has_power,
            space=(space or "").strip(),
            has_parking=has_parking,
            message=(message or "").strip(),
            consent_at=timezone.now(),
            link_key=new_link_key(),
        )
        _record(request, VisitRequestAction.SUBMITTED, by_commune=True)
        _email(request, VillageEmail.VISIT_RECEIVED, "ack")
    return request


def _lock_open_request(request: VisitRequest, allowed=(VisitRequestStatus.RECEIVED, VisitRequestStatus.DATE_PROPOSED)):
    locked = VisitRequest.objects.select_for_update().select_related("commune__territory").get(pk=request.pk)
    if locked.status not in allowed:
        raise VisitRequestError(
            _("Cette demande est « %(status)s » : elle a déjà reçu une réponse.")
            % {"status": locked.get_status_display()},
            "already_decided",
        )
    return locked


def _check_future(start: dt.datetime) -> None:
    if start is None or start <= timezone.now():
        raise VisitRequestError(_("Choisissez une date à venir."), "date_in_past", "start")


def accept_visit_request(
    request: VisitRequest,
    *,
    start: dt.datetime,
    end: dt.datetime,
    by,
    venue=None,
    village_format: str = VillageFormat.FULL_VILLAGE,
    note: str = "",
) -> VillageStopPage:
    """Accept on a date: creates the draft stop, linked to the request. Raises VisitRequestError
    (already_decided, date_in_past) or VillageError (kit_unavailable naming the clashing stop, ...)."""
    _check_future(start)
    with transaction.atomic():
        locked = _lock_open_request(request)
        venue = venue or locked.venue
        stop = village.schedule_stop(
            commune=locked.commune, venue=venue, start=start, end=end, by=by, village_format=village_format
        )
        _accepted(locked, stop, by=by, action=VisitRequestAction.ACCEPTED, note=note)
    return stop


def _accepted(request: VisitRequest, stop: VillageStopPage, *, action: str, by=None, by_commune=False, note=""):
    now = timezone.now()
    request.status = VisitRequestStatus.ACCEPTED
    request.stop = stop
    request.first_decision_at = request.first_decision_at or now
    request.save(update_fields=["status", "stop", "first_decision_at", "updated_at"])
    _record(request, action, by=by, by_commune=by_commune, note=note)
    _email(request, VillageEmail.VISIT_ACCEPTED)


def propose_visit_date(
    request: VisitRequest,
    *,
    start: dt.datetime,
    end: dt.datetime,
    by,
    venue=None,
    village_format: str = VillageFormat.FULL_VILLAGE,
    note: str = "",
) -> VisitRequest:
    """Offer another date; the commune accepts or declines it from its tracking link.
    The kit must be free that day now (it is checked again when the commune accepts)."""
    _check_future(start)
    if end is None or end <= start:
        raise VisitRequestError(_("La fin doit être postérieure au début."), "end_before_start", "end")
    with transaction.atomic():
        locked = _lock_open_request(request)
        village.check_kit_available(locked.commune.territory, timezone.localtime(start, PARIS).date())
        locked.status = VisitRequestStatus.DATE_PROPOSED
        locked.proposed_start, locked.proposed_end = start, end
        locked.proposed_venue = venue or locked.venue
        locked.proposed_format = village_format
        locked.first_decision_at = locked.first_decision_at or timezone.now()
        locked.save()
        _record(locked, VisitRequestAction.DATE_PROPOSED, by=by, note=note)
        _email(locked, VillageEmail.VISIT_DATE_PROPOSED, note=note)
    return locked


def answer_proposal(request: VisitRequest, *, accept: bool, note: str = "") -> VisitRequest:
    """The commune accepts the proposed date (the stop is scheduled, if the kit is still
    free) or declines it (the request goes back to the organisers)."""
    with transaction.atomic():
        locked = _lock_open_request(request, allowed=(VisitRequestStatus.DATE_PROPOSED,))
        if accept:
            if locked.proposed_start is None or locked.proposed_start <= timezone.now():
                raise VisitRequestError(_("La date proposée est passée : nous revenons vers vous."), "date_in_past")
            try:
                stop = village.schedule_stop(
                    commune=locked.commune,
                    venue=locked.proposed_venue,
                    start=locked.proposed_start,
                    end=locked.proposed_end,
                    by=None,
                    village_format=locked.proposed_format or VillageFormat.FULL_VILLAGE,
                )
            except village.VillageError as exc:
                raise VisitRequestError(
                    _(
                        "Cette date n'est plus disponible : le village a été programmé ailleurs entre-temps. "
                        "L'équipe vous propose une autre date rapidement."
                    ),
                    exc.code,
                ) from exc
            _accepted(locked, stop, action=VisitRequestAction.PROPOSAL_ACCEPTED, by_commune=True, note=note)
        else:
            locked.status = VisitRequestStatus.RECEIVED
            locked.save(update_fields=["status", "updated_at"])
            _record(locked, VisitRequestAction.PROPOSAL_DECLINED, by_commune=True, note=note)
            _email(locked, VillageEmail.VISIT_PROPOSAL_DECLINED)
    return locked


def decline_visit_request(request: VisitRequest, *, by, reason: str) -> VisitRequest:
    reason = (reason or "").strip()
    if not reason:
        raise VisitRequestError(_("Indiquez le motif : il est envoyé à la commune."), "reason_required", "reason")
    with transaction.atomic():
        locked = _lock_open_request(request)
        locked.status = VisitRequestStatus.DECLINED
        locked.decline_reason = reason
        locked.first_decision_at = locked.first_decision_at or timezone.now()
        locked.save(update_fields=["status", "decline_reason", "first_decision_at", "updated_at"])
        _record(locked, VisitRequestAction.DECLINED, by=by, note=reason)
        _email(locked, VillageEmail.VISIT_DECLINED)
    return locked


# What organisers weigh: the commune's history --------------------------------------------


@dataclass(frozen=True)
class CommuneHistory:
    past_stops: list
    upcoming_stops: list
    last_visit: dt.date | None
    earlier_requests: list
    # How many communes of the territory the village visited, to compare.
    communes_visited: int
    communes_total: int


def commune_history(commune, *, exclude_request: VisitRequest | None = None, now=None) -> CommuneHistory:
    """The village's past and coming stops in the commune and its earlier requests, so
    organisers spread visits fairly over the territory. A fixed number of queries."""
    now = now or timezone.now()
    stops = list(
        VillageStopPage.objects.filter(commune=commune)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("venue")
        .order_by("-start")
    )
    past = [s for s in stops if s.end < now]
    upcoming = sorted((s for s in stops if s.end >= now), key=lambda s: s.start)
    requests = VisitRequest.objects.filter(commune=commune).order_by("-created_at")
    if exclude_request is not None:
        requests = requests.exclude(pk=exclude_request.pk)
    visited = (
        VillageStopPage.objects.filter(commune__territory_id=commune.territory_id, end__lt=now)
        .exclude(status=EventStatus.CANCELLED)
        .aggregate(n=Count("commune", distinct=True))["n"]
    )
    total = type(commune).objects.filter(territory_id=commune.territory_id).count()
    return CommuneHistory(
        past_stops=past,
        upcoming_stops=upcoming,
        last_visit=timezone.localtime(past[0].start, PARIS).date() if past else None,
        earlier_requests=list(requests),
        communes_visited=visited,
        communes_total=total,
    )


def last_visits(territory, now=None) -> dict[int, dt.datetime]:
    """Commune id -> start of the village's last past stop there, for the request list."""
    now = now or timezone.now()
    rows = (
        VillageStopPage.objects.filter(commune__territory=territory, end__lt=now)
        .exclude(status=EventStatus.CANCELLED)
        .values("commune_id")
        .annotate(last=Max("start"))
    )
    return {row["commune_id"]: row["last"] for row in rows}


# After the stop: what the commune gets ---------------------------------------------------


@dataclass(frozen=True)
class StopSummary:
    visitors: int
    stands: int
    organisations: list[str]
    volunteers: int


def stop_summary(stop: VillageStopPage) -> StopSummary:
    counts = visitor_counts(stop)
    stands = Stand.objects.confirmed().filter(stop_id=stop.pk).select_related("organisation")
    names = sorted({stand.organisation.name for stand in stands})
    return StopSummary(
        visitors=counts.total,
        stands=len(stands),
        organisations=names,
        volunteers=len({v.email.lower() for v in volunteers_of(stop)}),
    )


# Scheduled: reminders and summaries (events/tasks.py, hourly) ------------------------------


def queue_visit_reminders(now: dt.datetime | None = None) -> list[int]:
    """Remind the commune's contact 7 days and 1 day before its stop; each once (the key)."""
    now = now or timezone.now()
    queued = []
    requests = VisitRequest.objects.filter(
        status=VisitRequestStatus.ACCEPTED,
        anonymised_at__isnull=True,
        stop__status=EventStatus.SCHEDULED,
        stop__start__gt=now,
        stop__start__lte=now + REMINDERS["j7"],
    ).select_related("stop")
    for request in requests:
        before = request.stop.start - now
        for label, delay in REMINDERS.items():
            # The smaller reminder window takes over: a stop accepted 3 days ahead gets
            # the one-day reminder only, not a "in a week" one.
            if before <= delay and (label == "j1" or before > REMINDERS["j1"]):
                start_key = request.stop.start.strftime("%Y%m%d%H%M")
                email = queue_email(
                    VillageEmail.VISIT_REMINDER,
                    to=request.email,
                    key=f"visit_reminder:{label}:{request.pk}:{start_key}",
                    visit_request=request.pk,
                    days=delay.days,
                )
                if email is not None:
                    queued.append(email.pk)
    return queued


def queue_visit_summaries(now: dt.datetime | None = None) -> list[int]:
    """Once a stop has ended, send the commune its summary, once."""
    now = now or timezone.now()
    queued = []
    requests = VisitRequest.objects.filter(
        status=VisitRequestStatus.ACCEPTED,
        anonymised_at__isnull=True,
        stop__status=EventStatus.SCHEDULED,
        stop__end__lte=now,
        stop__end__gt=now - SUMMARY_WITHIN,
    )
    for request in requests:
        email = queue_email(
            VillageEmail.VISIT_SUMMARY, to=request.email, key=f"visit_summary:{request.pk}", visit_request=request.pk
        )
        if email is not None:
            queued.append(email.pk)
    return queued


# Retention (RGPD) ------------------------------------------------------------------------

# A commune's contact details are kept three years after the request was settled (its stop
# held, or the request declined): long enough to follow up a visit and plan the next one.
# The request itself stays, without them, for the indicators (requests received, accepted,
# declined, time to a decision) and the commune's history.
RETENTION = dt.timedelta(days=3 * 365)  # as the privacy page says


def anonymise_settled_requests(now: dt.datetime | None = None) -> int:
    """Erase the contact details of requests settled more than RETENTION ago. Returns how many."""
    limit = (now or timezone.now()) - RETENTION
    settled = VisitRequest.objects.filter(anonymised_at__isnull=True).filter(
        Q(stop__end__lt=limit) | Q(stop__isnull=True, updated_at__lt=limit)
    )
    ids = list(settled.values_list("pk", flat=True))
    with transaction.atomic():
        VisitRequest.objects.filter(pk__in=ids).update(
            contact_name="",
            contact_role="",
            email="",
            phone="",
            message="",
            link_key="",
            anonymised_at=now or timezone.now(),
        )
        VisitRequestEvent.objects.filter(request_id__in=ids, by_commune=True).update(note="")
    return len(ids)
