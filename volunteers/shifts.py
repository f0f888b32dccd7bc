"""Volunteers signing up for shifts themselves: places, overlaps, cancellation.

Who competes: volunteers taking the last places of a shift at the same moment, and one
volunteer taking two overlapping shifts from two tabs. Signing up locks the volunteer's
profile row, then the shift's row, then counts, so the places are never exceeded and
the overlap check sees the other sign-up (on SQLite the database's write lock serialises them). A volunteer holds one
shift at a time: a shift that overlaps another of theirs is refused with its name.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from events.models import EventStatus
from territory.models import PARIS

from .models import Shift, ShiftSignup, ShiftSignupStatus, VolunteerProfile


class ShiftError(Exception):
    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return str(self.message)


def open_shifts(now: dt.datetime | None = None):
    """Shifts still to come on live, not cancelled events, with their places taken."""
    return (
        Shift.objects.filter(starts_at__gt=now or timezone.now(), event__live=True)
        .exclude(event__status=EventStatus.CANCELLED)
        .select_related("event__commune", "event__venue")
        .annotate(taken=Count("signups", filter=Q(signups__status=ShiftSignupStatus.CONFIRMED)))
        .order_by("starts_at", "pk")
    )


def _label(shift: Shift) -> str:
    start = timezone.localtime(shift.starts_at, PARIS)
    return _("« %(role)s » de %(event)s, le %(day)s") % {
        "role": shift.label or shift.get_role_display(),
        "event": shift.event.title,
        "day": date_format(start, "j F Y à H\\hi"),
    }


def sign_up(user, shift: Shift, now: dt.datetime | None = None) -> ShiftSignup:
    """A volunteer takes a place on a shift. Raises ShiftError: no_profile, shift_past,
    event_cancelled, already_signed_up, overlapping_shift, shift_full."""
    now = now or timezone.now()
    profile = getattr(user, "volunteer_profile", None)
    if profile is None or not user.is_active:
        raise ShiftError(_("Créez d'abord votre profil de bénévole."), code="no_profile")
    with transaction.atomic():
        # The volunteer's row first, then the shift's: two sign-ups of one person serialise
        # (the overlap check), as do two people on one shift (the places); always in this order.
        profile = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
        shift = Shift.objects.select_for_update().select_related("event").get(pk=shift.pk)
        if shift.starts_at <= now:
            raise ShiftError(_("Ce créneau a déjà commencé."), code="shift_past")
        if shift.event.status == EventStatus.CANCELLED:
            raise ShiftError(_("Cet événement est annulé."), code="event_cancelled")
        mine = ShiftSignup.objects.filter(user=user, status=ShiftSignupStatus.CONFIRMED)
        if mine.filter(shift=shift).exists():
            raise ShiftError(_("Vous êtes déjà inscrit·e sur ce créneau."), code="already_signed_up")
        clash = (
            mine.filter(shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at)
            .select_related("shift__event")
            .first()
        )
        if clash is not None:
            raise ShiftError(
                _("Ce créneau chevauche un autre de vos créneaux : %(other)s.") % {"other": _label(clash.shift)},
                code="overlapping_shift",
            )
        taken = ShiftSignup.objects.filter(shift=shift, status=ShiftSignupStatus.CONFIRMED).count()
        if taken >= shift.capacity:
            raise ShiftError(
                _("Ce créneau est complet (%(capacity)s places).") % {"capacity": shift.capacity}, code="shift_full"
            )
        signup = ShiftSignup.objects.create(
            shift=shift,
            user=user,
            name=user.get_full_name() or user.get_username(),
            email=user.email,
            phone=profile.phone,
        )
        profile.last_active_at = now
        profile.save(update_fields=["last_active_at"])
    return signup


def cancel_signup(signup: ShiftSignup, user, now: dt.datetime | None = None) -> ShiftSignup:
    """The volunteer gives their place back (before the shift starts)."""
    now = now or timezone.now()
    with transaction.atomic():
        signup = ShiftSignup.objects.select_for_update().select_related("shift").get(pk=signup.pk, user=user)
        if signup.status != ShiftSignupStatus.CONFIRMED:
            raise ShiftError(_("Cette inscription est déjà annulée."), code="already_cancelled")
        if signup.shift.starts_at <= now:
            raise ShiftError(_("Ce créneau a déjà commencé."), code="shift_past")
        signup.status = ShiftSignupStatus.CANCELLED
        signup.save(update_fields=["status"])
    return signup
