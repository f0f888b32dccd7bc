"""Asking for the steering committee's report, and building it in the background.

A report of one year takes a few queries and is built while the organiser waits. A
longer period computes every year, so it becomes a SteeringReport row, built by a
django-q2 task queued after commit (indicators/tasks.py); the organiser is emailed a link
when it is ready. The link leads to the admin, which serves the file to its requester
only: the stored file's name alone opens nothing.
"""

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from territory.access import acts_for

from .models import ActionPlan
from .models_reports import SteeringReport, SteeringReportStatus
from .report import steering_report_pdf

logger = logging.getLogger(__name__)

# Organisers hold it (cms/migrations/0002_organiser_group.py): the report shows the plan.
REPORT_PERMISSION = "indicators.view_actionplan"
DOWNLOAD_URL = "indicators_steering_report_download"


class ReportError(Exception):
    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


@dataclass
class ReportRequest:
    """What asking for a report gave: the PDF at once (one year), or a row being built."""

    pdf: bytes | None = None
    filename: str = ""
    report: SteeringReport | None = None


def report_years(plan: ActionPlan, today=None) -> range:
    """The years a report may cover: the plan's, and since its end the years it stays in force."""
    today = today or timezone.localdate()
    return range(plan.start_year, max(plan.end_year, today.year) + 1)


def report_filename(plan: ActionPlan, first_year: int, last_year: int, commune=None) -> str:
    parts = ["rapport-copil", slugify(plan.short_title), str(first_year)]
    if last_year != first_year:
        parts.append(str(last_year))
    if commune is not None:
        parts.append(slugify(commune.name))
    return "-".join(parts) + ".pdf"


def request_steering_report(plan: ActionPlan, first_year: int, last_year: int, *, commune=None, by) -> ReportRequest:
    """Build the report of one year now; queue a longer period and email `by` when it is ready."""
    if not acts_for(by, plan.territory_id):
        # The form offers only the organiser's plans; this holds for any other caller too.
        raise ReportError(
            _("Ce plan d'actions n'est pas celui d'un territoire pour lequel vous agissez."),
            code="foreign_plan",
            field="plan",
        )
    if first_year > last_year:
        raise ReportError(
            _("L'année de fin doit être la même que l'année de début ou venir après."),
            code="period_order",
            field="last_year",
        )
    years = report_years(plan)
    for name, year in (("first_year", first_year), ("last_year", last_year)):
        if year not in years:
            raise ReportError(
                _("Choisissez une année entre %(first)s et %(last)s, celles du plan.")
                % {"first": years[0], "last": years[-1]},
                code="outside_plan",
                field=name,
            )
    if commune is not None and commune.territory_id != plan.territory_id:
        raise ReportError(
            _("Cette commune n'est pas sur le territoire du plan."), code="foreign_commune", field="commune"
        )
    if first_year == last_year:
        pdf = steering_report_pdf(plan, first_year, last_year, commune=commune)
        return ReportRequest(pdf=pdf, filename=report_filename(plan, first_year, last_year, commune))
    report = SteeringReport.objects.create(
        plan=plan, first_year=first_year, last_year=last_year, commune=commune, requested_by=by
    )
    transaction.on_commit(
        lambda: async_task(
            "indicators.tasks.build_steering_report", report.pk, task_name=f"rapport du comité {report.pk}"
        )
    )
    return ReportRequest(report=report)


def build_report(report_id: int) -> str:
    """Build a queued report once and tell its requester once, whatever the number of runs.

    The PDF is built outside any lock (it takes a while and SQLite has one write lock);
    the row is then locked to store it, and a run that finds it already built by another
    keeps the stored file. The email is sent with the row locked and marked, as the
    outbox does (events/tasks.py): two runs send it once, and a failed sending is raised
    so that django-q2 tries again, which finds the report built and only sends.
    """
    report = SteeringReport.objects.select_related("plan", "commune").filter(pk=report_id).first()
    if report is None:
        return "missing"
    if report.status != SteeringReportStatus.READY:
        try:
            pdf = steering_report_pdf(report.plan, report.first_year, report.last_year, commune=report.commune)
        except Exception as exc:  # noqa: BLE001 - recorded on the row for the list, and logged
            logger.exception("steering report %s not built", report_id)
            SteeringReport.objects.filter(pk=report_id).exclude(status=SteeringReportStatus.READY).update(
                status=SteeringReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            return "failed"
        with transaction.atomic():
            report = (
                SteeringReport.objects.select_for_update(of=("self",))
                .select_related("plan", "commune")
                .get(pk=report_id)
            )
            if report.status != SteeringReportStatus.READY:
                name = report_filename(report.plan, report.first_year, report.last_year, report.commune)
                # A random part: should the storage be served publicly, the name cannot be guessed.
                report.file.save(f"{secrets.token_urlsafe(12)}-{name}", ContentFile(pdf), save=False)
                report.status, report.built_at, report.error = SteeringReportStatus.READY, timezone.now(), ""
                report.save(update_fields=["file", "status", "built_at", "error"])
    with transaction.atomic():
        report = (
            SteeringReport.objects.select_for_update(of=("self",))
            .select_related("plan", "requested_by")
            .get(pk=report_id)
        )
        if report.notified_at is not None:
            return "already sent"
        user = report.requested_by
        if user is not None and user.email:
            _ready_email(report, user).send()
        report.notified_at = timezone.now()
        report.save(update_fields=["notified_at"])
    return "built"


def _ready_email(report: SteeringReport, user) -> EmailMessage:
    site_url = settings.SITE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "report": report,
            "site_url": site_url,
            "download_url": site_url + reverse(DOWNLOAD_URL, args=[report.pk]),
            "reports_url": site_url + reverse("indicators_steering_report"),
        }
        subject = _("Le rapport du comité de pilotage %(period)s est prêt") % {"period": report.period_label}
        body = render_to_string("emails/steering_report_ready.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])
