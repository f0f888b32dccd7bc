from .checkins import AgeBracket, ApiToken, CheckIn, Scan, ScanResult, TallyMark, VisitorCheckIn, VisitorRole
from .choices import EventKind, EventStatus, VillageFormat, YouthLevel
from .pages import (
    AgendaPage,
    ElectedAwarenessPage,
    EventPage,
    ThematicBreakfastPage,
    VillageStopPage,
    YouthOutreachPage,
)
from .registrations import (
    AttendeeCategory,
    EmailStatus,
    GroupStructureKind,
    OutgoingEmail,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Ticket,
)

__all__ = [
    "AgeBracket",
    "ApiToken",
    "AttendeeCategory",
    "CheckIn",
    "EmailStatus",
    "GroupStructureKind",
    "OutgoingEmail",
    "Registration",
    "RegistrationSource",
    "RegistrationStatus",
    "Scan",
    "ScanResult",
    "TallyMark",
    "Ticket",
    "VisitorCheckIn",
    "VisitorRole",
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
