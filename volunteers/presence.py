"""Whether volunteers came to their shifts: the badge scanned, staff marking, no-shows, hours served.

Who marks: the organisers (permission volunteers.change_shift), by scanning the QR code of
a volunteer's badge (volunteers/pdf.py) with their phone, which opens the badge page
(views/presence.py), or from the "Présences" page of an event in the admin.

Who competes: two staff phones scanning the same badge at once, or a scan crossing a
click in the admin. Marking locks the signup's row (`select_for_update`) before reading
its attendance, and the UPDATE only touches a row not yet present, so the first scan
records its time and the second answers "déjà pointé·e à 09:12" without writing
(on SQLite the IMMEDIATE transactions serialise them on the database's write lock).

A shift over for more than two hours with a volunteer nobody marked records a no-show
(`record_no_shows`, hourly); a row a person reset on purpose is left alone.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import EventStatus
from events.tokens import check_private_link_token, private_link_token
from territory.models import PARIS

from .models import Attendance, Shift, ShiftSignup, ShiftSignupStatus

BADGE_PURPOSE = "volunteer-badge"
PRESENCE_PERMISSION = "volunteers.change_shift"
# Volunteers arrive early for the set-up; a scan the day before is a mistake.
OPENS_BEFORE_START = dt.timedelta(hours=2)
NO_SHOW_AFTER_END = dt.timedelta(hours=2)
# The sweep looks this far back only: the shifts held before presence was recorded at all
# (migration 0005) must not all turn into no-shows on the day this goes live, which would
# wreck the volunteering indicators.
NO_SHOW_LOOKBACK = dt.timedelta(days=14)


class PresenceError(Exception):
    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return str(self.message)


@dataclass(frozen=True)
class PresenceResult:
    """A scan's answer: the signup as recorded, and whether an earlier scan had already marked it."""

    signup: ShiftSignup
    already_present: bool

    @property
    def time(self) -> str:
        return clock(self.signup.attendance_at)

    @property
    def message(self) -> str:
        values = {"name": self.signup.name, "time": self.time}
        if self.already_present:
            return _("%(name)s est déjà pointé·e à %(time)s.") % values
        return _("%(name)s est pointé·e présent·e à %(time)s.") % values


def clock(value: dt.datetime | None) -> str:
    """ "09:12", in Paris time: what the staff's phone shows."""
    return timezone.localtime(value, PARIS).strftime("%H:%M") if value else ""


def shift_title(shift) -> str:
    """ "Accueil · Accueil des visiteurs": the role, and the organisers' precision if any."""
    role = shift.get_role_display()
    return f"{role} · {shift.label}" if shift.label and shift.label != role else role


# The badge's private link ---------------------------------------------------------------------------------


def _badge_key(signup: ShiftSignup) -> str:
    # The sign-up's creation time is fixed for its life and unknown outside the database:
    # a stable secret half for the HMAC without a new column.
    return signup.created_at.isoformat()


def badge_token(signup: ShiftSignup) -> str:
    return private_link_token(BADGE_PURPOSE, signup.pk, _badge_key(signup))


def badge_path(signup: ShiftSignup) -> str:
    return reverse("volunteers:badge", args=[signup.pk, badge_token(signup)])


def find_signup(pk: int, token: str) -> ShiftSignup | None:
    """The signup a badge's link names, or None for a wrong or forged link."""
    signup = ShiftSignup.objects.select_related("shift__event").filter(pk=pk).first()
    if signup is None or not check_private_link_token(BADGE_PURPOSE, signup.pk, _badge_key(signup), token):
        return None
    return signup


# Marking --------------------------------------------------------------------------------------------------


def _locked(signup: ShiftSignup) -> ShiftSignup:
    # of=("self",): lock the signup's row only, not the shift and the event joined to it.
    return ShiftSignup.objects.select_for_update(of=("self",)).select_related("shift__event").get(pk=signup.pk)


def _refuse_if_not_markable(signup: ShiftSignup) -> None:
    if signup.status != ShiftSignupStatus.CONFIRMED:
        raise PresenceError(
            _("L'inscription de %(name)s sur ce créneau est annulée.") % {"name": signup.name},
            code="signup_cancelled",
        )
    if signup.shift.event.status == EventStatus.CANCELLED:
        raise PresenceError(_("Cet événement est annulé."), code="event_cancelled")


def mark_present(signup: ShiftSignup, by, now: dt.datetime | None = None) -> PresenceResult:
    """Record that the volunteer came. Idempotent: a second scan records nothing and answers
    with the first one's time. Raises PresenceError: signup_cancelled, event_cancelled, too_early."""
    now = now or timezone.now()
    with transaction.atomic():
        signup = _locked(signup)
        _refuse_if_not_markable(signup)
        if signup.attendance == Attendance.PRESENT:
            return PresenceResult(signup, already_present=True)
        opens = signup.shift.starts_at - OPENS_BEFORE_START
        if now < opens:
            raise PresenceError(
                _("Trop tôt : le pointage de ce créneau ouvre à %(time)s.") % {"time": clock(opens)},
                code="too_early",
            )
        # The row lock makes the filter redundant on PostgreSQL; it stays so that a backend
        # ignoring the lock still writes the first scan's time only.
        updated = (
            ShiftSignup.objects.filter(pk=signup.pk)
            .exclude(attendance=Attendance.PRESENT)
            .update(attendance=Attendance.PRESENT, attendance_at=now, attendance_by=by)
        )
        signup.refresh_from_db(fields=["attendance", "attendance_at", "attendance_by"])
    return PresenceResult(signup, already_present=updated == 0)


def mark_no_show(signup: ShiftSignup, by, now: dt.datetime | None = None) -> ShiftSignup:
    """Staff record that the volunteer did not come. Raises PresenceError: signup_cancelled,
    event_cancelled, not_started (nobody is absent from a shift still to come: cancel the sign-up)."""
    now = now or timezone.now()
    with transaction.atomic():
        signup = _locked(signup)
        _refuse_if_not_markable(signup)
        if now < signup.shift.starts_at:
            raise PresenceError(
                _("Le créneau n'a pas commencé : %(name)s ne peut pas encore être noté·e absent·e.")
                % {"name": signup.name},
                code="not_started",
            )
        signup.attendance, signup.attendance_at, signup.attendance_by = Attendance.NO_SHOW, now, by
        signup.save(update_fields=["attendance", "attendance_at", "attendance_by"])
    return signup


def reset_attendance(signup: ShiftSignup, by, now: dt.datetime | None = None) -> ShiftSignup:
    """Back to "à pointer" (a wrong scan, a wrong click).

    The time and the person are kept: the hourly sweep leaves a row someone reset on
    purpose alone instead of turning it back into a no-show an hour later.
    """
    now = now or timezone.now()
    with transaction.atomic():
        signup = _locked(signup)
        signup.attendance, signup.attendance_at, signup.attendance_by = Attendance.UNKNOWN, now, by
        signup.save(update_fields=["attendance", "attendance_at", "attendance_by"])
    return signup


def record_no_shows(now: dt.datetime | None = None) -> int:
    """Hourly: confirmed volunteers nobody marked on a shift over for more than two hours
    are recorded absent (attendance_by empty: the system decided). Returns how many."""
    now = now or timezone.now()
    ended_before = now - NO_SHOW_AFTER_END
    return (
        ShiftSignup.objects.filter(
            status=ShiftSignupStatus.CONFIRMED,
            attendance=Attendance.UNKNOWN,
            attendance_at__isnull=True,
            shift__ends_at__lt=ended_before,
            shift__ends_at__gt=ended_before - NO_SHOW_LOOKBACK,
        )
        .exclude(shift__event__status=EventStatus.CANCELLED)
        .update(attendance=Attendance.NO_SHOW, attendance_at=now, attendance_by=None)
    )


# Roll-ups ---------------------------------------------------------------------------------------------------

# A shift's length, as the database computes it (an interval on PostgreSQL, microseconds on SQLite).
SHIFT_LENGTH = ExpressionWrapper(F("shift__ends_at") - F("shift__starts_at"), output_field=DurationField())
PRESENT = Q(status=ShiftSignupStatus.CONFIRMED, attendance=Attendance.PRESENT)


def to_hours(total: dt.timedelta | None) -> float:
    return round(total.total_seconds() / 3600, 2) if total else 0.0


def hours_for(signups: QuerySet) -> float:
    """Total hours served by the present volunteers among `signups`, summed by the database."""
    return to_hours(signups.aggregate(total=Sum(SHIFT_LENGTH, filter=PRESENT))["total"])


def attendance_summary(signups: QuerySet) -> dict:
    """Present, absent and still to mark among the confirmed `signups`, and the hours served: one query."""
    summary = signups.filter(status=ShiftSignupStatus.CONFIRMED).aggregate(
        present=Count("pk", filter=Q(attendance=Attendance.PRESENT)),
        no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
        to_mark=Count("pk", filter=Q(attendance=Attendance.UNKNOWN)),
        served=Sum(SHIFT_LENGTH, filter=PRESENT),
    )
    summary["hours"] = to_hours(summary.pop("served"))
    return summary


def shifts_with_attendance(event) -> QuerySet:
    """The event's shifts with their confirmed volunteers (prefetched, who marked them
    joined) and, per shift, how many came, how many did not and the hours served: two queries."""
    confirmed = Q(signups__status=ShiftSignupStatus.CONFIRMED)
    came = confirmed & Q(signups__attendance=Attendance.PRESENT)
    length = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    return (
        Shift.objects.filter(event=event)
        .annotate(
            present_count=Count("signups", filter=came),
            no_show_count=Count("signups", filter=confirmed & Q(signups__attendance=Attendance.NO_SHOW)),
            served=Sum(length, filter=came),
        )
        .prefetch_related(
            Prefetch(
                "signups",
                queryset=ShiftSignup.objects.filter(status=ShiftSignupStatus.CONFIRMED)
                .select_related("attendance_by")
                .order_by("name", "pk"),
                to_attr="confirmed_signups",
            )
        )
        .order_by("starts_at", "role", "pk")
    )
