"""Action plans: plan > orientation > objective > action, imported from YAML.

Some plans (the Lille metropolis' 2015-2020 plan) itemise no actions under an
objective. The importer then gives such an objective one action that stands for it
(`stands_for_objective`, same code and title), so an event always links to actions
and every roll-up reads one relation. See docs/decisions.md.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionPlanQuerySet(models.QuerySet):
    def for_territory(self, territory):
        return self.filter(territory=territory)

    def covering(self, year: int):
        return self.filter(start_year__lte=year, end_year__gte=year)

    def in_force(self, year: int):
        """The plan covering `year`; past its end, the latest plan until a successor is adopted.

        A territory goes on running its plan's actions between the end of one plan and the
        vote of the next, so events of that gap still count for the last plan adopted.
        """
        return self.covering(year).first() or self.filter(start_year__lte=year).order_by("-end_year").first()


class ActionPlan(models.Model):
    territory = models.ForeignKey(
        "territory.Territory", verbose_name=_("territoire"), on_delete=models.PROTECT, related_name="action_plans"
    )
    title = models.CharField(_("titre"), max_length=255)
    short_title = models.CharField(_("titre court"), max_length=80, unique=True)
    start_year = models.PositiveSmallIntegerField(_("première année"))
    end_year = models.PositiveSmallIntegerField(_("dernière année"))
    # {"thematic_breakfast": "O3.2.a", ...}: the action each event kind serves by default.
    default_action_codes = models.JSONField(_("action par défaut de chaque type d'événement"), default=dict, blank=True)
    volunteering_action_code = models.CharField(_("action du bénévolat"), max_length=20, blank=True)
    source = models.TextField(_("source"), blank=True)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan d'actions")
        verbose_name_plural = _("plans d'actions")
        ordering = ["-start_year", "short_title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")), name="plan_period_order")
        ]

    def __str__(self):
        return self.short_title

    def default_action_for_kind(self, kind: str):
        code = self.default_action_codes.get(kind)
        if not code:
            return None
        return Action.objects.filter(objective__orientation__plan=self, code=code).first()


class Orientation(models.Model):
    plan = models.ForeignKey(ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="orientations")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=255)
    stake = models.CharField(_("enjeu"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="orientation_code_unique_in_plan")]

    def __str__(self):
        return f"{self.code} {self.title}"


class Objective(models.Model):
    orientation = models.ForeignKey(
        Orientation, verbose_name=_("orientation"), on_delete=models.CASCADE, related_name="objectives"
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=400)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["orientation", "position"]
        constraints = [models.UniqueConstraint(fields=["orientation", "code"], name="objective_code_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"


class ActionQuerySet(models.QuerySet):
    def of_plan(self, plan):
        return self.filter(objective__orientation__plan=plan)


class Action(models.Model):
    objective = models.ForeignKey(
        Objective, verbose_name=_("objectif"), on_delete=models.CASCADE, related_name="actions"
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=400)
    position = models.PositiveSmallIntegerField(default=0)
    stands_for_objective = models.BooleanField(
        _("représente l'objectif"),
        default=False,
        help_text=_("L'objectif n'a pas d'actions détaillées dans le plan : les événements s'y rattachent ici."),
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action du plan")
        verbose_name_plural = _("actions du plan")
        ordering = [
            "objective__orientation__plan",
            "objective__orientation__position",
            "objective__position",
            "position",
        ]
        constraints = [models.UniqueConstraint(fields=["objective", "code"], name="action_code_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"


class Committee(models.Model):
    """A governance body of the plan and the minimum number of meetings it owes each year."""

    plan = models.ForeignKey(ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="committees")
    name = models.CharField(_("nom"), max_length=120)
    role = models.TextField(_("rôle"), blank=True)
    min_meetings_per_year = models.PositiveSmallIntegerField(_("réunions minimum par an"), null=True, blank=True)
    every_years = models.PositiveSmallIntegerField(_("tous les N ans"), null=True, blank=True)

    class Meta:
        verbose_name = _("instance de gouvernance")
        verbose_name_plural = _("instances de gouvernance")
        ordering = ["plan", "name"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="committee_unique_name_in_plan")]

    def __str__(self):
        return self.name


class CommitteeMeeting(models.Model):
    """A meeting of a governance body, with who attended: the plan owes each body its minimum a year."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("instance"), on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("intitulé"), max_length=200, blank=True)
    attendees = models.TextField(
        _("participant·es"), blank=True, help_text=_("Une personne ou une structure par ligne.")
    )
    attendee_count = models.PositiveSmallIntegerField(_("nombre de participant·es"), default=0)
    notes = models.TextField(_("relevé de décisions"), blank=True)

    class Meta:
        verbose_name = _("réunion d'instance")
        verbose_name_plural = _("réunions des instances")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.committee} · {self.date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        listed = [line for line in self.attendees.splitlines() if line.strip()]
        if listed and not self.attendee_count:
            self.attendee_count = len(listed)
        super().save(*args, **kwargs)


class IndicatorTarget(models.Model):
    """A target the plan sets for an indicator: for an action, an objective or the whole plan,
    for one year or for the plan's whole period. Entered by organisers; the values it is
    compared with are computed (indicators/rollups.py), never typed."""

    plan = models.ForeignKey(ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("indicateur"), max_length=40)
    action = models.ForeignKey(
        Action, verbose_name=_("action"), null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objectif"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
    )
    year = models.PositiveSmallIntegerField(
        _("année"), null=True, blank=True, help_text=_("Laisser vide : cible sur toute la durée du plan.")
    )
    value = models.DecimalField(_("cible"), max_digits=10, decimal_places=1)

    class Meta:
        verbose_name = _("cible d'indicateur")
        verbose_name_plural = _("cibles des indicateurs")
        ordering = ["plan", "indicator", "year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__isnull=True) | models.Q(objective__isnull=True),
                name="target_for_action_or_objective",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.year or _('toute la durée')}"

    def clean(self):
        # One target per indicator, node and year. Not a unique constraint: action, objective
        # and year may be NULL, and SQLite treats NULLs as distinct.
        if self.action_id and self.objective_id:
            raise ValidationError(_("Une cible porte sur une action ou sur un objectif, pas les deux."))
        twins = IndicatorTarget.objects.filter(
            plan_id=self.plan_id,
            indicator=self.indicator,
            action_id=self.action_id,
            objective_id=self.objective_id,
            year=self.year,
        ).exclude(pk=self.pk)
        if self.plan_id and twins.exists():
            raise ValidationError(_("Cette cible existe déjà : modifiez-la plutôt que d'en créer une seconde."))


from .models_reports import SteeringReport  # noqa: F401, E402
