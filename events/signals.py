"""Signals through which other apps take part in the village's work without events importing them.

`stop_volunteers` asks for the volunteers on the shifts of an event: receivers return a
list of VolunteerOnShift. The volunteers app answers it (volunteers/signals.py); the
stand plan PDF, the notices of a cancelled or moved stop and the commune's summary use it.
"""

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal

stop_volunteers = Signal()


@dataclass(frozen=True)
class VolunteerOnShift:
    name: str
    email: str
    phone: str
    role: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def volunteers_of(event) -> list[VolunteerOnShift]:
    volunteers: list[VolunteerOnShift] = []
    for _receiver, answer in stop_volunteers.send(sender=type(event), event=event):
        volunteers.extend(answer or [])
    return sorted(volunteers, key=lambda v: (v.starts_at, v.role, v.name))
