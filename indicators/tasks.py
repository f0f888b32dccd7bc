"""Background work of the indicators app, run by django-q2 (inline in the tests).

Tasks receive ids and fetch their rows again: they are queued after commit
(services_report.request_steering_report), so a task never sees a row rolled back.
"""

from .services_report import build_report


def build_steering_report(report_id: int) -> str:
    """Build a steering committee report and email its requester; a second run does neither again."""
    return build_report(report_id)
