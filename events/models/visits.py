"""A commune asks for a visit of the village: the request, its status and its history.

The commune's contact follows the request through a private link (events/tokens.py,
private_link_token): the link is derived from the row's random `link_key` and the
site's SECRET_KEY, so the database alone does not reveal it, and changing the key
revokes every link sent so far.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitOccasion(models.TextChoices):
    WEEKLY_MARKET = "weekly_market", _("Marché hebdomadaire")
    TOWN_FESTIVAL = "town_festival", _("Fête communale, ducasse")
    FORUM = "forum", _("Forum des associations, forum de l'emploi")
    SCHOOL = "school", _("Événement scolaire ou jeunesse")
    OTHER = "other", _("Autre occasion")


class VisitRequestStatus(models.TextChoices):
    RECEIVED = "received", _("Reçue, en cours d'examen")
    DATE_PROPOSED = "date_proposed", _("Autre date proposée")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")


class VisitRequestQuerySet(models.QuerySet):
    def in_territory(self, territory):
        return self.filter(commune__territory=territory)

    def open(self):
        return self.filter(status__in=[VisitRequestStatus.RECEIVED, VisitRequestStatus.DATE_PROPOSED])


class VisitRequest(models.Model):
    commune = models.ForeignKey(
        "territory.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="visit_requests"
    )
    contact_name = models.CharField(_("nom et prénom du contact"), max_length=160)
    contact_role = models.CharField(_("fonction"), max_length=160)
    email = models.EmailField(_("courriel"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    occasion = models.CharField(_("occasion"), max_length=20, choices=VisitOccasion.choices)
    occasion_detail = models.CharField(_("précision sur l'occasion"), max_length=160, blank=True)
    venue = models.ForeignKey(
        "territory.Venue",
        verbose_name=_("lieu connu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_requests",
    )
    venue_text = models.CharField(_("lieu (texte libre)"), max_length=255, blank=True)
    preferred_date_1 = models.DateField(_("date souhaitée"), null=True, blank=True)
    preferred_date_2 = models.DateField(_("deuxième date possible"), null=True, blank=True)
    preferred_date_3 = models.DateField(_("troisième date possible"), null=True, blank=True)
    flexible_from = models.DateField(_("période souple : du"), null=True, blank=True)
    flexible_until = models.DateField(_("au"), null=True, blank=True)
    expected_audience = models.PositiveIntegerField(_("public attendu (personnes)"), null=True, blank=True)
    has_power = models.BooleanField(_("électricité disponible"), default=False)
    space = models.CharField(_("espace disponible"), max_length=255, blank=True)
    has_parking = models.BooleanField(_("stationnement pour le véhicule du village"), default=False)
    message = models.TextField(_("message"), blank=True)
    consent_at = models.DateTimeField(_("consentement donné le"))
    status = models.CharField(
        _("statut"), max_length=20, choices=VisitRequestStatus.choices, default=VisitRequestStatus.RECEIVED
    )
    # The date offered by organisers when they cannot come on the commune's dates.
    proposed_start = models.DateTimeField(_("date proposée : début"), null=True, blank=True)
    proposed_end = models.DateTimeField(_("date proposée : fin"), null=True, blank=True)
    proposed_venue = models.ForeignKey(
        "territory.Venue",
        verbose_name=_("lieu proposé"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_format = models.CharField(_("format proposé"), max_length=20, blank=True)
    decline_reason = models.TextField(_("motif du refus"), blank=True)
    stop = models.OneToOneField(
        "events.VillageStopPage",
        verbose_name=_("étape"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_request",
    )
    link_key = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True, db_index=True)
    # The first decision (accepted, date proposed or declined): the indicators' time to a decision.
    first_decision_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)

    objects = VisitRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande de commune")
        verbose_name_plural = _("demandes des communes")
        ordering = ["-created_at"]
        permissions = [("decide_visitrequest", _("Peut répondre aux demandes des communes"))]

    def __str__(self):
        return f"{self.commune} · {self.created_at:%d/%m/%Y}" if self.created_at else str(self.commune)

    @property
    def preferred_dates(self) -> list:
        return [d for d in (self.preferred_date_1, self.preferred_date_2, self.preferred_date_3) if d]

    @property
    def place_label(self) -> str:
        if self.venue_id:
            return self.venue.name
        return self.venue_text

    @property
    def is_open(self) -> bool:
        return self.status in (VisitRequestStatus.RECEIVED, VisitRequestStatus.DATE_PROPOSED)


class VisitRequestAction(models.TextChoices):
    SUBMITTED = "submitted", _("Demande envoyée")
    ACCEPTED = "accepted", _("Demande acceptée")
    DATE_PROPOSED = "date_proposed", _("Autre date proposée")
    PROPOSAL_ACCEPTED = "proposal_accepted", _("Date proposée acceptée par la commune")
    PROPOSAL_DECLINED = "proposal_declined", _("Date proposée déclinée par la commune")
    DECLINED = "declined", _("Demande déclinée")
    STOP_CANCELLED = "stop_cancelled", _("Étape annulée")
    STOP_MOVED = "stop_moved", _("Étape déplacée")


class VisitRequestEvent(models.Model):
    """One line of a request's history: what happened, when, and who did it."""

    request = models.ForeignKey(VisitRequest, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=30, choices=VisitRequestAction.choices)
    at = models.DateTimeField(_("le"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # True when the commune acted from its tracking link (no account: `by` stays empty).
    by_commune = models.BooleanField(default=False)
    note = models.TextField(_("précision"), blank=True)

    class Meta:
        verbose_name = _("étape de la demande")
        verbose_name_plural = _("historique de la demande")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%d/%m/%Y %H:%M})"

    @property
    def actor_label(self) -> str:
        if self.by_commune:
            return str(_("la commune"))
        if self.by_id:
            return self.by.get_full_name() or self.by.get_username()
        return str(_("la plateforme"))
