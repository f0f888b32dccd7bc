"""Registrations, tickets and the outgoing emails about them.

Capacity is counted in seats: a person takes one, a group (youth outreach) takes its
headcount. The rule that never more than `capacity` seats are confirmed lives in
events/services/registrations.py, which locks the event row before counting.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import YouthLevel


class AttendeeCategory(models.TextChoices):
    RESIDENT = "resident", _("Habitant·e")
    ELECTED = "elected", _("Élu·e")
    LOCAL_AUTHORITY_STAFF = "local_authority_staff", _("Agent·e de collectivité")
    ESS_ORGANISATION = "ess_organisation", _("Structure de l'ESS")
    COMPANY = "company", _("Entreprise")
    TEACHER = "teacher", _("Enseignant·e")
    YOUNG_PERSON = "young_person", _("Jeune")
    OTHER = "other", _("Autre")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmée")
    WAITLISTED = "waitlisted", _("Liste d'attente")
    CANCELLED = "cancelled", _("Annulée")


class RegistrationSource(models.TextChoices):
    ONLINE = "online", _("En ligne")
    WALK_IN = "walk_in", _("Sur place")
    ORGANISER = "organiser", _("Par l'équipe")


class GroupStructureKind(models.TextChoices):
    SCHOOL = "school", _("Établissement scolaire")
    MISSION_LOCALE = "mission_locale", _("Mission Locale")
    YOUTH_CENTRE = "youth_centre", _("Centre social, maison de quartier")
    OTHER = "other", _("Autre structure")


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=RegistrationStatus.WAITLISTED)

    def active(self):
        return self.exclude(status=RegistrationStatus.CANCELLED)


class Registration(models.Model):
    event = models.ForeignKey(
        "events.EventPage", verbose_name=_("événement"), on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(_("statut"), max_length=20, choices=RegistrationStatus.choices)
    source = models.CharField(
        _("origine"), max_length=20, choices=RegistrationSource.choices, default=RegistrationSource.ONLINE
    )
    name = models.CharField(_("nom et prénom"), max_length=160)
    email = models.EmailField(_("courriel"))
    # Lower-cased email: the key of "one registration per person and event".
    email_key = models.CharField(max_length=254, editable=False)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    home_commune = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune de résidence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outside_territory = models.BooleanField(_("hors du territoire"), default=False)
    category = models.CharField(_("catégorie"), max_length=30, choices=AttendeeCategory.choices)
    mandate = models.CharField(_("mandat"), max_length=120, blank=True)
    mandate_commune = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune du mandat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation_name = models.CharField(_("structure"), max_length=160, blank=True)
    # Group registration (youth outreach): the group takes `headcount` seats.
    is_group = models.BooleanField(_("inscription de groupe"), default=False)
    structure_kind = models.CharField(
        _("type de structure"), max_length=20, choices=GroupStructureKind.choices, blank=True
    )
    teacher_name = models.CharField(_("enseignant·e ou encadrant·e"), max_length=160, blank=True)
    level = models.CharField(_("niveau"), max_length=20, choices=YouthLevel.choices, blank=True)
    seats = models.PositiveSmallIntegerField(_("places"), default=1)
    consent_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    created_at = models.DateTimeField(_("inscrit·e le"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("sortie de la liste d'attente le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            # The database refuses a second active registration with the same email, even
            # when two requests pass the form's check at the same moment.
            models.UniqueConstraint(
                fields=["event", "email_key"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_email",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="registration_at_least_one_seat"),
        ]
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status")]

    def __str__(self):
        return f"{self.name} ({self.event_id})"

    def save(self, *args, **kwargs):
        self.email_key = self.email.strip().lower()
        super().save(*args, **kwargs)


class TicketQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True)


class Ticket(models.Model):
    """The proof of a registration. Its code (128 bits, random) is only ever stored hashed."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("inscription"), on_delete=models.CASCADE, related_name="ticket"
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("billet")
        verbose_name_plural = _("billets")

    def __str__(self):
        return f"billet {self.pk}"


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("En échec")


class OutgoingEmail(models.Model):
    """An email to send, recorded in the same transaction as what caused it.

    `key` names the email once and for all ("confirmation:42"): a retried task, or a
    second worker, finds the row already sent and does nothing, so nobody gets it twice.
    """

    key = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=40)
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    to = models.EmailField()
    status = models.CharField(max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the message needs and the database keeps nowhere else, above all the ticket's
    # link: codes are stored hashed only. Emptied once the email is sent (events/tasks.py).
    context = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("courriel")
        verbose_name_plural = _("courriels")
        ordering = ["-created_at"]

    def __str__(self):
        return self.key
