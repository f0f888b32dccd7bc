"""The steering committee's reports: a PDF for a period, built in the background when it is long.

A report of one year is built while the organiser waits; a longer one is a row here,
built by django-q2 (indicators/tasks.py) and stored with Django's default storage under
reports/, and the organiser is emailed a link to the admin view that serves it, so the
file is only ever handed to the person who asked for it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SteeringReportStatus(models.TextChoices):
    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


class SteeringReport(models.Model):
    plan = models.ForeignKey(
        "indicators.ActionPlan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="steering_reports"
    )
    first_year = models.PositiveSmallIntegerField(_("de l'année"))
    last_year = models.PositiveSmallIntegerField(_("à l'année"))
    commune = models.ForeignKey(
        "territory.Commune", verbose_name=_("commune"), null=True, blank=True, on_delete=models.CASCADE
    )
    # Kept when the account goes: the report is the plan's, not the person's.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="steering_reports",
    )
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    status = models.CharField(
        _("état"), max_length=10, choices=SteeringReportStatus.choices, default=SteeringReportStatus.PENDING
    )
    file = models.FileField(_("fichier"), upload_to="reports/", blank=True)
    built_at = models.DateTimeField(_("construit le"), null=True, blank=True)
    notified_at = models.DateTimeField(_("organisateur·rice prévenu·e le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("rapport du comité de pilotage")
        verbose_name_plural = _("rapports du comité de pilotage")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")), name="steering_report_period_order"
            )
        ]

    def __str__(self):
        return f"{self.plan} · {self.period_label}"

    @property
    def period_label(self) -> str:
        # Years without the thousands separator the French locale would add.
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}–{self.last_year}"
