"""Demands of ESS organisations: missions, and the matches between a mission and a volunteer.

A mission is posted by an organisation's contact (and waits for an organiser's
moderation) or by an organiser (published at once). It asks for skills, required or
welcome, at a commune or a venue, on one-off dates or on a weekly rhythm, for a number
of volunteers. Like the profiles, it keeps what the matching filters on as plain
columns (coordinates, skill masks, the week's slots), refreshed by
volunteers/missions.py whenever the mission changes.

A match is a proposal (an organiser to a volunteer) or an application (a volunteer to a
mission). Accepted matches are the plan's "Promotion du bénévolat" figures: erasing a
volunteer keeps the row without the person.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel


class MissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("À modérer")
    PUBLISHED = "published", _("Publiée")
    REFUSED = "refused", _("Refusée")
    CLOSED = "closed", _("Clôturée")


class MissionRhythm(models.TextChoices):
    DATES = "dates", _("À des dates précises")
    WEEKLY = "weekly", _("Chaque semaine")


class MissionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=MissionStatus.PUBLISHED)

    def open(self, today=None):
        """Published missions whose period is not over."""
        today = today or timezone.localdate()
        return self.published().filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))

    def in_territory(self, territory):
        return self.filter(territory=territory)


class Mission(ClusterableModel):
    territory = models.ForeignKey(
        "territory.Territory", verbose_name=_("territoire"), on_delete=models.CASCADE, related_name="missions"
    )
    organisation = models.ForeignKey(
        "territory.Organisation",
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="missions",
        help_text=_("Vide pour une mission de l'équipe du plan."),
    )
    title = models.CharField(_("intitulé"), max_length=160)
    description = models.TextField(_("description"), max_length=4000)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="missions"
    )
    venue = models.ForeignKey(
        "territory.Venue", verbose_name=_("lieu"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied from the venue, or the commune: the matching's distance filter runs in SQL.
    latitude = models.FloatField(editable=False)
    longitude = models.FloatField(editable=False)
    rhythm = models.CharField(_("rythme"), max_length=10, choices=MissionRhythm.choices, default=MissionRhythm.DATES)
    # Weekly missions: the slots of the week (Weekday * 3 + DayPart, as on profiles).
    weekly_bits = models.PositiveIntegerField(default=0, editable=False)
    # Every mission: the slots it needs, from its dates or its week (what availability meets).
    slot_bits = models.PositiveIntegerField(default=0, editable=False)
    starts_on = models.DateField(_("à partir du"), null=True, blank=True)
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    volunteers_needed = models.PositiveSmallIntegerField(_("bénévoles recherchés"), default=1)
    required_bits = models.BigIntegerField(default=0, editable=False)
    welcome_bits = models.BigIntegerField(default=0, editable=False)
    status = models.CharField(_("statut"), max_length=12, choices=MissionStatus.choices, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(_("modérée le"), null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("mission bénévole")
        verbose_name_plural = _("missions bénévoles")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="mission_period_in_order",
            ),
            models.CheckConstraint(condition=Q(volunteers_needed__gte=1), name="mission_needs_someone"),
        ]

    def __str__(self):
        return self.title

    @property
    def poster_name(self) -> str:
        return self.organisation.name if self.organisation_id else str(_("L'équipe du plan"))


class MissionSkill(models.Model):
    mission = ParentalKey(Mission, on_delete=models.CASCADE, related_name="skill_needs")
    skill = models.ForeignKey("volunteers.Skill", verbose_name=_("compétence"), on_delete=models.CASCADE)
    required = models.BooleanField(_("indispensable"), default=False)

    class Meta:
        verbose_name = _("compétence recherchée")
        verbose_name_plural = _("compétences recherchées")
        constraints = [models.UniqueConstraint(fields=["mission", "skill"], name="mission_skill_once")]


class MissionDate(models.Model):
    mission = ParentalKey(Mission, on_delete=models.CASCADE, related_name="dates")
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))

    class Meta:
        verbose_name = _("date de la mission")
        verbose_name_plural = _("dates de la mission")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="mission_date_ends_after_start")
        ]


class MatchKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposée par l'équipe")
    APPLICATION = "application", _("Candidature")


class MatchStatus(models.TextChoices):
    PENDING = "pending", _("En attente de réponse")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")
    WITHDRAWN = "withdrawn", _("Retirée")


ACTIVE_MATCH_STATUSES = (MatchStatus.PENDING, MatchStatus.ACCEPTED)


class MissionMatch(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="matches")
    # SET_NULL: an erased volunteer's accepted matches stay as anonymous statistics.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="mission_matches"
    )
    kind = models.CharField(_("origine"), max_length=12, choices=MatchKind.choices)
    status = models.CharField(_("statut"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.PENDING)
    # The score and its reasons when the match was made, as the person read them.
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    reasons = models.CharField(_("raisons"), max_length=300, blank=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    # The random half of the answer links in the proposal's email (events/tokens.py).
    link_key = models.CharField(max_length=32, editable=False)

    class Meta:
        verbose_name = _("mise en relation")
        verbose_name_plural = _("mises en relation")
        ordering = ["-created_at"]
        constraints = [
            # One live match per person and mission: a second proposal, or applying after a
            # proposal, is refused by the database even when two requests race.
            models.UniqueConstraint(
                fields=["mission", "user"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_active_match_per_volunteer",
            )
        ]

    def __str__(self):
        return f"{self.mission} · {self.user or _('bénévole anonyme')}"
