"""The volunteers app's answers to the events app's signals (events/signals.py) and to logins."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from events.signals import VolunteerOnShift, stop_volunteers

from .models import ShiftSignup, ShiftSignupStatus
from .services import record_activity


@receiver(stop_volunteers)
def volunteers_on_shifts(sender, event, **kwargs) -> list[VolunteerOnShift]:
    signups = ShiftSignup.objects.filter(shift__event_id=event.pk, status=ShiftSignupStatus.CONFIRMED).select_related(
        "shift"
    )
    return [
        VolunteerOnShift(
            name=s.name,
            email=s.email,
            phone=s.phone,
            role=s.shift.label or s.shift.get_role_display(),
            starts_at=s.shift.starts_at,
            ends_at=s.shift.ends_at,
        )
        for s in signups
    ]


@receiver(user_logged_in)
def volunteer_logged_in(sender, request, user, **kwargs):
    # A login is activity: it resets the inactivity clock of the RGPD retention (services).
    record_activity(user)
