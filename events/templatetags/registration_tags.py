"""The registration part of an event page's "Et maintenant ?" block."""

from django import template
from django.urls import reverse

from events import dates
from events.services.registrations import registration_window

register = template.Library()


@register.simple_tag
def registration_state(event) -> dict:
    """Whether `event` takes registrations now, its free seats and the links to register or find a ticket."""
    window = registration_window(event)
    return {
        "is_open": window.is_open,
        "code": window.code,
        "opens_at": dates.format_datetime(window.opens_at) if window.opens_at else "",
        "seats_left": event.seats_left if window.is_open else None,
        "url": reverse("registration_form", args=[event.pk]),
        "lost_ticket_url": reverse("lost_ticket", args=[event.pk]),
    }
