"""Background work of the volunteers app, run by django-q2 (the daily schedule of migration 0004)."""

from . import services


def warn_then_anonymise_inactive() -> str:
    """Warn the volunteers inactive for VOLUNTEER_INACTIVITY_MONTHS, anonymise them 30 days later."""
    warned, anonymised = services.warn_then_anonymise_inactive()
    return f"{warned} warned, {anonymised} anonymised"
