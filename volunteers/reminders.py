"""Reminding volunteers of their shifts, by email through the outbox (MissionEmail.SHIFT_REMINDER).

The rules, run hourly by volunteers.tasks.queue_shift_reminders:

- who: confirmed sign-ups on shifts of live events that are not cancelled, and only
  before the shift starts: never for a shift already started;
- "j2": from 48 hours before the shift starts, until the morning reminder is due;
- "morning": on the shift's day from 7:00 (Paris time) for a shift starting at 10:00 or
  later; for a shift starting before 10:00 (set-up at 7:00, the welcome desk at 9:00) it
  goes the evening before from 19:00, since 7:00 on the day would be too late to read it;
- a sign-up made less than 48 hours before the shift gets one reminder only: the
  "morning" one (they have just read the shift's details when signing up). More
  generally, each run queues the latest reminder due, never two at once: a run that
  catches up after an outage sends the morning reminder, not both;
- each is keyed "shift-reminder:<j2|morning>:<signup id>" in the outbox: sent once,
  however many times the task runs, and a shift moved later does not send it again.

The moments are computed in Paris time from the shift's local date (datetime.combine
with the zone), so a change of hour in between moves neither: a shift at 9:00 on the
Sunday the clocks go forward is reminded at 19:00 on the Saturday, not at 18:00 as
"14 hours before" would give.
"""

import datetime as dt

from django.utils import timezone

from events.models import EventStatus
from events.services.outbox import queue_email
from territory.models import PARIS

from .missions import MissionEmail
from .models import ShiftSignup, ShiftSignupStatus

J2 = "j2"
MORNING = "morning"
J2_BEFORE = dt.timedelta(hours=48)
EARLY_SHIFT_BEFORE = dt.time(10, 0)  # shifts starting earlier are reminded the evening before
MORNING_AT = dt.time(7, 0)
EVENING_BEFORE_AT = dt.time(19, 0)


def morning_reminder_at(starts_at: dt.datetime) -> dt.datetime:
    """When the "morning" reminder of a shift starting at `starts_at` is due."""
    start = timezone.localtime(starts_at, PARIS)
    if start.time() >= EARLY_SHIFT_BEFORE:
        return dt.datetime.combine(start.date(), MORNING_AT, tzinfo=PARIS)
    return dt.datetime.combine(start.date() - dt.timedelta(days=1), EVENING_BEFORE_AT, tzinfo=PARIS)


def due_reminder(signup: ShiftSignup, now: dt.datetime) -> str | None:
    """The latest reminder due for this sign-up now ("j2", "morning"), or None."""
    starts_at = signup.shift.starts_at
    if now >= starts_at:
        return None
    if now >= morning_reminder_at(starts_at):
        return MORNING
    j2_at = starts_at - J2_BEFORE
    if now >= j2_at and signup.created_at <= j2_at:
        return J2
    return None


def reminder_key(when: str, signup: ShiftSignup) -> str:
    return f"shift-reminder:{when}:{signup.pk}"


def queue_shift_reminders(now: dt.datetime | None = None) -> int:
    """Queue the reminders due (see the module's rules); returns how many were queued."""
    now = now or timezone.now()
    signups = (
        ShiftSignup.objects.filter(
            status=ShiftSignupStatus.CONFIRMED,
            shift__starts_at__gt=now,
            shift__starts_at__lte=now + J2_BEFORE,
            shift__event__live=True,
        )
        .exclude(shift__event__status=EventStatus.CANCELLED)
        .select_related("shift")
        .order_by("shift__starts_at", "pk")
    )
    queued = 0
    for signup in signups:
        when = due_reminder(signup, now)
        if when is None:
            continue
        email = queue_email(
            MissionEmail.SHIFT_REMINDER,
            to=signup.email,
            key=reminder_key(when, signup),
            signup=signup.pk,
            when=when,
        )
        queued += email is not None
    return queued
