"""The page a volunteer's badge opens: /benevolat/presence/<signup>/<token>/.

An organiser scans the badge's QR code with their phone's camera and lands here: the
volunteer's name, the event, their shifts there that day, and a big button per shift to
mark them present. Marking goes through volunteers/presence.py (locked, idempotent).

Who may: organisers (volunteers.change_shift). Anonymous visitors are sent to log in
first (the link survives the login); anyone else gets a 403 before the link is even
checked, so the page tells an outsider nothing; a wrong or forged link is a 404.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events import dates
from territory.models import PARIS

from ..models import Attendance, ShiftSignup, ShiftSignupStatus
from ..presence import (
    PRESENCE_PERMISSION,
    PresenceError,
    badge_path,
    clock,
    find_signup,
    mark_present,
    shift_title,
)


def _no_store(response):
    response["Cache-Control"] = "private, no-store"
    return response


def same_day_signups(signup: ShiftSignup):
    """The volunteer's sign-ups at the badge's event on the badge's shift's day (Paris time).

    A volunteer placed by hand in the admin has no account: their email names them then."""
    day = timezone.localtime(signup.shift.starts_at, PARIS).date()
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=PARIS)
    same_person = Q(user_id=signup.user_id) if signup.user_id else Q(user__isnull=True, email__iexact=signup.email)
    return (
        ShiftSignup.objects.filter(
            same_person,
            shift__event_id=signup.shift.event_id,
            shift__starts_at__gte=day_start,
            shift__starts_at__lt=day_end,
        )
        .filter(Q(status=ShiftSignupStatus.CONFIRMED) | Q(pk=signup.pk))
        .select_related("shift__event")
        .order_by("shift__starts_at", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def badge(request, signup_id: int, token: str):
    if not request.user.has_perm(PRESENCE_PERMISSION):
        raise PermissionDenied
    signup = find_signup(signup_id, token)
    if signup is None:
        raise Http404
    signups = list(same_day_signups(signup))
    if request.method == "POST":
        chosen = next((s for s in signups if str(s.pk) == request.POST.get("signup")), None)
        if chosen is None:
            messages.error(request, _("Ce créneau n'est pas celui de ce badge : scannez le badge à nouveau."))
        else:
            try:
                result = mark_present(chosen, by=request.user)
            except PresenceError as error:
                messages.error(request, error.message)
            else:
                (messages.info if result.already_present else messages.success)(request, result.message)
        return redirect(badge_path(signup))

    for each in signups:
        each.title = shift_title(each.shift)
        each.when = _("%(start)s – %(end)s") % {
            "start": dates.format_time(dates.local(each.shift.starts_at).time()),
            "end": dates.format_time(dates.local(each.shift.ends_at).time()),
        }
        each.is_present = each.attendance == Attendance.PRESENT
        each.is_no_show = each.attendance == Attendance.NO_SHOW
        each.is_cancelled = each.status != ShiftSignupStatus.CONFIRMED
        each.marked_at = clock(each.attendance_at)
    event = signup.shift.event
    context = {
        "signup": signup,
        "event": event,
        "day": dates.format_day(dates.local(signup.shift.starts_at).date()),
        "signups": signups,
        "event_cancelled": event.is_cancelled,
    }
    return _no_store(render(request, "volunteers/presence/badge.html", context))
