"""The rules of the itinerant village: kits, stops, pitches and stands, cancelling and moving.

Who competes, and what serialises them:
- the kit: two organisers (or an organiser and a commune accepting a proposed date)
  scheduling stops on the same day. Every scheduling locks the territory's row first,
  then counts the day's stops, so the second waits for the first and sees its stop.
- pitches: two organisers confirming stands on the last pitch. Stand decisions lock the
  stop's row; the constraint stand_one_confirmed_per_pitch backs the lock up.
- an organisation on two stops at once: applying locks the organisation's row.
On SQLite the database's write lock (IMMEDIATE transactions) serialises them all.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from events.models import (
    AgendaPage,
    EventPage,
    EventStatus,
    KitDay,
    Pitch,
    Registration,
    RegistrationStatus,
    Stand,
    StandStatus,
    TourPage,
    VillageFormat,
    VillageStopPage,
    VisitRequestAction,
    VisitRequestEvent,
)
from events.signals import volunteers_of
from territory.models import PARIS, Territory

from .outbox import VillageEmail, queue_email

logger = logging.getLogger(__name__)


class VillageError(Exception):
    """A scheduling or stand operation refused for a reason organisers can be told; `code` is stable."""

    def __init__(self, message, code: str, clash=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.clash = clash

    def __str__(self):
        return str(self.message)


def _day_label(day: dt.date) -> str:
    return date_format(day, "l j F Y")


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, PARIS)


# Kits ---------------------------------------------------------------------------------


def kits_on(territory: Territory, day: dt.date) -> int:
    """How many stops the territory can run on that day."""
    special = KitDay.objects.filter(territory=territory, date=day).values_list("kits", flat=True).first()
    return territory.village_kits if special is None else special


def stops_using_kits(territory: Territory, day: dt.date, exclude_pk: int | None = None):
    """The day's stops that hold a kit: scheduled ones, drafts included (an accepted
    request's stop is a draft until organisers publish it). Postponed and cancelled
    stops have given their kit back."""
    stops = VillageStopPage.objects.filter(
        commune__territory=territory, start_date=day, status=EventStatus.SCHEDULED
    ).select_related("commune", "venue")
    if exclude_pk:
        stops = stops.exclude(pk=exclude_pk)
    return stops.order_by("start", "pk")


def kit_clash(territory: Territory, day: dt.date, exclude_pk: int | None = None) -> VillageError | None:
    """The refusal to give when every kit is taken that day, naming the stops that hold them; else None."""
    kits = kits_on(territory, day)
    taken = list(stops_using_kits(territory, day, exclude_pk))
    if len(taken) < kits:
        return None
    names = ", ".join(f"« {stop.title} » ({stop.place_label})" for stop in taken) or "—"
    if kits == 0:
        message = _("Aucun kit du village n'est disponible le %(day)s.") % {"day": _day_label(day)}
    elif kits == 1:
        message = _(
            "Le village est déjà programmé le %(day)s : %(stops)s. Il ne peut pas être à deux endroits le même jour."
        ) % {
            "day": _day_label(day),
            "stops": names,
        }
    else:
        message = _("Les %(kits)s kits du village sont déjà pris le %(day)s : %(stops)s.") % {
            "kits": kits,
            "day": _day_label(day),
            "stops": names,
        }
    return VillageError(message, code="kit_unavailable", clash=taken[0] if taken else None)


def lock_territory(territory: Territory) -> Territory:
    return Territory.objects.select_for_update().get(pk=territory.pk)


def check_kit_available(territory: Territory, day: dt.date, exclude_pk: int | None = None) -> None:
    error = kit_clash(territory, day, exclude_pk)
    if error is not None:
        raise error


# Stops --------------------------------------------------------------------------------


def stop_parent(territory: Territory, day: dt.date):
    """Where a new stop goes: the tour of its season, else the agenda."""
    tour = TourPage.objects.filter(season=day.year).first()
    return tour or AgendaPage.objects.first()


def check_times(start: dt.datetime, end: dt.datetime) -> None:
    if start is None or end is None:
        raise VillageError(_("Indiquez le début et la fin de l'étape."), code="times_required")
    if end <= start:
        raise VillageError(_("La fin doit être postérieure au début."), code="end_before_start")
    if _local(start).date() != _local(end).date():
        raise VillageError(_("Une étape du village tient sur une seule journée."), code="several_days")


def schedule_stop(
    *,
    commune,
    start: dt.datetime,
    end: dt.datetime,
    by,
    venue=None,
    village_format: str = VillageFormat.FULL_VILLAGE,
    title: str = "",
    summary: str = "",
    setup_from: dt.time | None = None,
    teardown_until: dt.time | None = None,
) -> VillageStopPage:
    """Create a draft stop, if a kit is free that day (raises VillageError kit_unavailable).

    Must run inside the caller's transaction when the caller also changes other rows
    (accepting a request); it opens its own otherwise.
    """
    check_times(start, end)
    if venue is not None:
        commune = venue.commune
    with transaction.atomic():
        territory = lock_territory(commune.territory)
        day = _local(start).date()
        check_kit_available(territory, day)
        parent = stop_parent(territory, day)
        if parent is None:
            raise VillageError(_("Créez d'abord la page Agenda du site."), code="no_agenda")
        stop = VillageStopPage(
            slug=_free_slug(parent, f"village-{slugify(commune.name)}-{day:%Y-%m-%d}"),
            title=title or _("Le Village de l'ESS à %(commune)s") % {"commune": commune.name},
            summary=summary
            or _("Le village itinérant de l'ESS s'installe à %(commune)s : stands, animations et rencontres.")
            % {"commune": commune.name},
            start=start,
            end=end,
            venue=venue,
            commune=commune,
            village_format=village_format,
            setup_from=setup_from or (_local(start) - dt.timedelta(hours=1)).time(),
            teardown_until=teardown_until or (_local(end) + dt.timedelta(hours=1)).time(),
            live=False,
            owner=by,
        )
        parent.add_child(instance=stop)
        stop.save_revision(user=by, log_action=True)
    return stop


def _free_slug(parent, slug: str) -> str:
    taken = set(parent.get_children().filter(slug__startswith=slug).values_list("slug", flat=True))
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _publish(event: EventPage, by) -> None:
    """Record the change as a revision, and publish it when the page is live, so the
    page, the agenda and the feeds (SEQUENCE from the publication time) all follow."""
    revision = event.save_revision(user=by, log_action=True)
    if event.live:
        # Whether `by` may do this is the caller's check (the admin view asks can_publish()).
        revision.publish(user=by, skip_permission_checks=True)


def cancel_event(event: EventPage, *, by, reason: str) -> int:
    """Cancel an event and tell everyone concerned at once. Returns how many emails were queued.

    Registrants, stand holders, volunteers on its shifts and the commune that asked for
    the stop each get one email; the page and the feeds show it cancelled (STATUS:CANCELLED,
    same UID, higher SEQUENCE).
    """
    reason = (reason or "").strip()
    if not reason:
        raise VillageError(
            _("Indiquez le motif de l'annulation : il est envoyé aux personnes concernées."), code="reason_required"
        )
    with transaction.atomic():
        event = EventPage.objects.select_for_update(of=("self",)).get(pk=event.pk).specific
        if event.status == EventStatus.CANCELLED:
            raise VillageError(_("Cet événement est déjà annulé."), code="already_cancelled")
        if event.end < timezone.now():
            raise VillageError(_("Cet événement est passé : il ne peut plus être annulé."), code="event_past")
        event.status = EventStatus.CANCELLED
        event.status_note = reason[:255]
        event.save()
        _publish(event, by)
        stamp = int(timezone.now().timestamp())
        queued = _notify_everyone(event, VillageEmail.EVENT_CANCELLED, stamp, reason=reason)
        request = getattr(event, "visit_request", None) if isinstance(event, VillageStopPage) else None
        if request is not None:
            VisitRequestEvent.objects.create(
                request=request, action=VisitRequestAction.STOP_CANCELLED, by=by, note=reason
            )
    return queued


def move_event(event: EventPage, *, start: dt.datetime, end: dt.datetime, by, note: str = "", venue=None) -> int:
    """Move an event to a new date (and place), telling everyone concerned. Returns emails queued.

    A village stop needs a kit on its new day (raises VillageError kit_unavailable).
    The event stays scheduled; its status note says where it was first planned.
    """
    if end is None or start is None or end <= start:
        raise VillageError(_("La fin doit être postérieure au début."), code="end_before_start")
    if start < timezone.now():
        raise VillageError(_("La nouvelle date est déjà passée."), code="date_in_past")
    with transaction.atomic():
        is_stop = EventPage.objects.filter(pk=event.pk, kind=VillageStopPage.event_kind).exists()
        if is_stop:
            check_times(start, end)
            commune = venue.commune if venue is not None else event.commune
            territory = lock_territory(commune.territory)
            check_kit_available(territory, _local(start).date(), exclude_pk=event.pk)
        event = EventPage.objects.select_for_update(of=("self",)).get(pk=event.pk).specific
        if event.status == EventStatus.CANCELLED:
            raise VillageError(_("Un événement annulé ne peut pas être déplacé."), code="already_cancelled")
        previous = _local(event.start)
        event.start, event.end = start, end
        if venue is not None:
            event.venue = venue
        event.status = EventStatus.SCHEDULED
        event.status_note = (
            _("Nouvelle date (initialement le %(day)s).") % {"day": date_format(previous, "j F Y à H\\hi")}
        )[:255]
        event.save()
        _publish(event, by)
        stamp = int(timezone.now().timestamp())
        queued = _notify_everyone(
            event, VillageEmail.EVENT_MOVED, stamp, previous_start=previous.isoformat(), note=note
        )
        request = getattr(event, "visit_request", None) if is_stop else None
        if request is not None:
            VisitRequestEvent.objects.create(
                request=request,
                action=VisitRequestAction.STOP_MOVED,
                by=by,
                note=_("Nouvelle date : %(day)s. %(note)s")
                % {"day": date_format(_local(start), "j F Y à H\\hi"), "note": note},
            )
    return queued


@dataclass(frozen=True)
class Concerned:
    """Someone an event's cancellation or move is told to, in the capacity they are told in."""

    email: str
    name: str
    audience: str  # "registration", "stand", "volunteer" or "commune"
    registration: Registration | None = None
    extra: dict = field(default_factory=dict)


def people_concerned(event: EventPage) -> list[Concerned]:
    """Registrants (confirmed and waiting), stand holders, volunteers on its shifts, the
    commune that asked for the stop: each address once, in the first of these capacities."""
    people: list[Concerned] = []
    registrations = Registration.objects.filter(
        event_id=event.pk,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
        anonymised_at__isnull=True,
    )
    for registration in registrations:
        people.append(Concerned(registration.email, registration.name, "registration", registration=registration))
    for stand in Stand.objects.active().filter(stop_id=event.pk):
        people.append(Concerned(stand.contact_email, stand.contact_name, "stand", extra={"stand": stand.pk}))
    for volunteer in volunteers_of(event):
        people.append(Concerned(volunteer.email, volunteer.name, "volunteer"))
    request = getattr(event, "visit_request", None) if isinstance(event, VillageStopPage) else None
    if request is not None and request.anonymised_at is None:
        people.append(Concerned(request.email, request.contact_name, "commune", extra={"visit_request": request.pk}))
    seen: set[str] = set()
    unique = []
    for person in people:
        address = (person.email or "").strip().lower()
        if address and address not in seen:
            seen.add(address)
            unique.append(person)
    return unique


def _notify_everyone(event: EventPage, kind: str, stamp: int, **context) -> int:
    """One email per person concerned (people_concerned). Returns how many were queued."""
    queued = 0
    for person in people_concerned(event):
        address = person.email.strip().lower()
        email = queue_email(
            kind,
            to=person.email,
            key=f"{kind}:{event.pk}:{stamp}:{address}",
            registration=person.registration,
            event=event.pk,
            audience=person.audience,
            name=person.name,
            **person.extra,
            **context,
        )
        queued += email is not None
    return queued


# Stands -------------------------------------------------------------------------------


def _lock_stop(stop: VillageStopPage) -> VillageStopPage:
    EventPage.objects.select_for_update(of=("self",)).filter(pk=stop.pk).first()
    return VillageStopPage.objects.select_related("commune", "venue").get(pk=stop.pk)


def _check_stop_open(stop: VillageStopPage) -> None:
    if stop.status == EventStatus.CANCELLED:
        raise VillageError(_("Cette étape est annulée."), code="stop_cancelled")
    if stop.end < timezone.now():
        raise VillageError(_("Cette étape est passée."), code="stop_past")


def _check_no_overlap(stop: VillageStopPage, organisation, exclude_pk: int | None = None) -> None:
    """An organisation holds one stand at a time: refuse a stand at another stop whose hours overlap."""
    other = (
        Stand.objects.active()
        .filter(organisation=organisation, stop__start__lt=stop.end, stop__end__gt=stop.start)
        .exclude(stop_id=stop.pk)
        .exclude(stop__status=EventStatus.CANCELLED)
        .select_related("stop__commune")
    )
    if exclude_pk:
        other = other.exclude(pk=exclude_pk)
    clash = other.first()
    if clash is not None:
        raise VillageError(
            _("%(organisation)s tient déjà un stand à la même heure : « %(stop)s », %(place)s, le %(day)s.")
            % {
                "organisation": organisation.name,
                "stop": clash.stop.title,
                "place": clash.stop.commune.name,
                "day": date_format(_local(clash.stop.start), "j F Y, H\\hi"),
            },
            code="overlapping_stand",
            clash=clash,
        )


def free_pitches(stop: VillageStopPage):
    return Pitch.objects.filter(stop_id=stop.pk).exclude(stands__status=StandStatus.CONFIRMED).order_by("number")


def _check_room(stop: VillageStopPage) -> None:
    """More stands than pitches is refused: every confirmed stand stands on a pitch of its own."""
    pitches = Pitch.objects.filter(stop_id=stop.pk).count()
    if pitches == 0:
        raise VillageError(_("Cette étape n'a pas encore d'emplacements de stand."), code="no_pitches")
    if Stand.objects.confirmed().filter(stop_id=stop.pk).count() >= pitches:
        raise VillageError(
            _("Les %(count)s emplacements de cette étape sont tous attribués.") % {"count": pitches},
            code="no_pitch_left",
        )


def _check_pitch(stop: VillageStopPage, pitch: Pitch, exclude_pk: int | None = None) -> None:
    if pitch is None:
        raise VillageError(_("Choisissez un emplacement."), code="pitch_required")
    if pitch.stop_id != stop.pk:
        raise VillageError(_("Cet emplacement appartient à une autre étape."), code="pitch_not_at_stop")
    holder = Stand.objects.confirmed().filter(pitch=pitch).exclude(pk=exclude_pk).select_related("organisation").first()
    if holder is not None:
        raise VillageError(
            _("L'emplacement %(number)s est déjà attribué à %(organisation)s.")
            % {"number": pitch.number, "organisation": holder.organisation.name},
            code="pitch_taken",
            clash=holder,
        )


def apply_for_stand(
    stop: VillageStopPage,
    organisation,
    *,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    activity: str = "",
    needs_power: bool = False,
    needs_table: bool = True,
    needs_shelter: bool = True,
    by=None,
) -> Stand:
    """An organisation asks for a stand at a stop; organisers decide. Raises VillageError:
    contact_required, stop_cancelled, stop_past, already_applied, overlapping_stand, no_pitches, no_pitch_left."""
    if not contact_name.strip() or not contact_email.strip():
        raise VillageError(_("Indiquez la personne présente sur le stand et son courriel."), code="contact_required")
    try:
        with transaction.atomic():
            type(organisation).objects.select_for_update().filter(pk=organisation.pk).first()
            stop = _lock_stop(stop)
            _check_stop_open(stop)
            if Stand.objects.active().filter(stop=stop, organisation=organisation).exists():
                raise VillageError(
                    _("%(organisation)s a déjà une demande de stand pour cette étape.")
                    % {"organisation": organisation.name},
                    code="already_applied",
                )
            _check_no_overlap(stop, organisation)
            _check_room(stop)
            stand = Stand.objects.create(
                stop=stop,
                organisation=organisation,
                contact_name=contact_name.strip(),
                contact_email=contact_email.strip(),
                contact_phone=contact_phone.strip(),
                activity=activity.strip(),
                needs_power=needs_power,
                needs_table=needs_table,
                needs_shelter=needs_shelter,
                applied_by=by if getattr(by, "is_authenticated", False) else None,
            )
            queue_email(
                VillageEmail.STAND_RECEIVED, to=stand.contact_email, key=f"stand_received:{stand.pk}", stand=stand.pk
            )
    except IntegrityError:
        raise VillageError(
            _("%(organisation)s a déjà une demande de stand pour cette étape.") % {"organisation": organisation.name},
            code="already_applied",
        ) from None
    return stand


def confirm_stand(stand: Stand, pitch: Pitch, *, by) -> Stand:
    """Confirm a stand on a pitch. Raises VillageError: stand_not_pending, pitch_required,
    pitch_not_at_stop, pitch_taken, overlapping_stand, stop_cancelled, stop_past."""
    try:
        with transaction.atomic():
            stop = _lock_stop(stand.stop)
            stand = Stand.objects.select_related("organisation").get(pk=stand.pk)
            if stand.status != StandStatus.APPLIED:
                raise VillageError(
                    _("Ce stand est « %(status)s » : seule une candidature reçue peut être confirmée.")
                    % {"status": stand.get_status_display()},
                    code="stand_not_pending",
                )
            _check_stop_open(stop)
            _check_pitch(stop, pitch)
            _check_no_overlap(stop, stand.organisation, exclude_pk=stand.pk)
            stand.status = StandStatus.CONFIRMED
            stand.pitch = pitch
            stand.decided_at = timezone.now()
            stand.decided_by = by
            stand.save(update_fields=["status", "pitch", "decided_at", "decided_by"])
            queue_email(
                VillageEmail.STAND_CONFIRMED, to=stand.contact_email, key=f"stand_confirmed:{stand.pk}", stand=stand.pk
            )
    except IntegrityError:
        raise VillageError(
            _("Cet emplacement vient d'être attribué à une autre structure."), code="pitch_taken"
        ) from None
    return stand


def place_stand(
    stop: VillageStopPage,
    organisation,
    pitch: Pitch,
    *,
    by,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    activity: str = "",
) -> Stand:
    """Organisers place an organisation directly on a pitch: applied and confirmed in one go."""
    with transaction.atomic():
        stand = apply_for_stand(
            stop,
            organisation,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            activity=activity,
            by=by,
        )
        return confirm_stand(stand, pitch, by=by)


def refuse_stand(stand: Stand, *, by, reason: str) -> Stand:
    reason = (reason or "").strip()
    if not reason:
        raise VillageError(_("Indiquez le motif du refus : il est envoyé à la structure."), code="reason_required")
    with transaction.atomic():
        _lock_stop(stand.stop)
        stand = Stand.objects.get(pk=stand.pk)
        if stand.status not in (StandStatus.APPLIED, StandStatus.CONFIRMED):
            raise VillageError(_("Ce stand n'est plus actif."), code="stand_not_active")
        stand.status = StandStatus.REFUSED
        stand.pitch = None
        stand.decided_at = timezone.now()
        stand.decided_by = by
        stand.decision_note = reason[:255]
        stand.save(update_fields=["status", "pitch", "decided_at", "decided_by", "decision_note"])
        queue_email(VillageEmail.STAND_REFUSED, to=stand.contact_email, key=f"stand_refused:{stand.pk}", stand=stand.pk)
    return stand


def move_stand(stand: Stand, pitch: Pitch, *, by) -> Stand:
    """Put a confirmed stand on another pitch of its stop."""
    try:
        with transaction.atomic():
            stop = _lock_stop(stand.stop)
            stand = Stand.objects.get(pk=stand.pk)
            if stand.status != StandStatus.CONFIRMED:
                raise VillageError(_("Seul un stand confirmé peut changer d'emplacement."), code="stand_not_confirmed")
            if stand.pitch_id == getattr(pitch, "pk", None):
                return stand
            _check_stop_open(stop)
            _check_pitch(stop, pitch, exclude_pk=stand.pk)
            stand.pitch = pitch
            stand.decided_by = by
            stand.save(update_fields=["pitch", "decided_by"])
            queue_email(
                VillageEmail.STAND_MOVED,
                to=stand.contact_email,
                key=f"stand_moved:{stand.pk}:{pitch.pk}:{int(timezone.now().timestamp())}",
                stand=stand.pk,
            )
    except IntegrityError:
        raise VillageError(
            _("Cet emplacement vient d'être attribué à une autre structure."), code="pitch_taken"
        ) from None
    return stand


def withdraw_stand(stand: Stand, *, by) -> Stand:
    """The organisation withdraws (or organisers withdraw it): its pitch is free again."""
    with transaction.atomic():
        _lock_stop(stand.stop)
        stand = Stand.objects.get(pk=stand.pk)
        if stand.status not in (StandStatus.APPLIED, StandStatus.CONFIRMED):
            raise VillageError(_("Ce stand n'est plus actif."), code="stand_not_active")
        stand.status = StandStatus.WITHDRAWN
        stand.pitch = None
        stand.decided_at = timezone.now()
        stand.decided_by = by if getattr(by, "is_authenticated", False) else None
        stand.save(update_fields=["status", "pitch", "decided_at", "decided_by"])
    return stand


# Retention (RGPD) ------------------------------------------------------------------------

# The person on the day's stand: their contact details are kept a year after the stop, then
# erased; the stand (which organisation, which stop, which pitch) stays for the indicators.
STAND_CONTACT_RETENTION = dt.timedelta(days=365)


def anonymise_past_stand_contacts(now: dt.datetime | None = None) -> int:
    limit = (now or timezone.now()) - STAND_CONTACT_RETENTION
    return (
        Stand.objects.filter(stop__end__lt=limit)
        .exclude(contact_email="")
        .update(contact_name="", contact_email="", contact_phone="", activity="")
    )
