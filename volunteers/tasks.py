"""Background work of the volunteers app, run by django-q2 (the schedules of migrations 0004 and 0006)."""

from . import presence, reminders, services


def warn_then_anonymise_inactive() -> str:
    """Warn the volunteers inactive for VOLUNTEER_INACTIVITY_MONTHS, anonymise them 30 days later."""
    warned, anonymised = services.warn_then_anonymise_inactive()
    return f"{warned} warned, {anonymised} anonymised"


def queue_shift_reminders() -> str:
    """Hourly: the shift reminders due, two days and on the morning (or evening) before (volunteers/reminders.py)."""
    return f"{reminders.queue_shift_reminders()} shift reminders queued"


def record_no_shows() -> str:
    """Hourly: volunteers nobody marked on a shift over for two hours are recorded absent."""
    return f"{presence.record_no_shows()} no-shows recorded"
