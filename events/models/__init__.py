from .choices import EventKind, EventStatus, VillageFormat, YouthLevel
from .pages import (
    AgendaPage,
    ElectedAwarenessPage,
    EventPage,
    ThematicBreakfastPage,
    VillageStopPage,
    YouthOutreachPage,
)

__all__ = [
    "AgendaPage",
    "ElectedAwarenessPage",
    "EventKind",
    "EventPage",
    "EventStatus",
    "ThematicBreakfastPage",
    "VillageFormat",
    "VillageStopPage",
    "YouthLevel",
    "YouthOutreachPage",
]
