"""Check-ins at the door, the log of every scan, and visitor counts at the stands."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScanResult(models.TextChoices):
    ACCEPTED = "accepted", _("Présent·e")
    DUPLICATE = "duplicate", _("Déjà pointé·e")
    UNKNOWN = "unknown", _("Billet inconnu")
    CANCELLED = "cancelled", _("Inscription annulée")
    WRONG_EVENT = "wrong_event", _("Billet d'un autre événement")
    NOT_CONFIRMED = "not_confirmed", _("Sur liste d'attente")
    REVOKED = "revoked", _("Billet révoqué")
    UNDONE = "undone", _("Pointage annulé")


class CheckIn(models.Model):
    """A ticket's presence at its event. One row at most per ticket: the database says so."""

    ticket = models.OneToOneField(
        "events.Ticket", verbose_name=_("billet"), on_delete=models.CASCADE, related_name="checkin"
    )
    event = models.ForeignKey(
        "events.EventPage", verbose_name=_("événement"), on_delete=models.CASCADE, related_name="checkins"
    )
    checked_in_at = models.DateTimeField(_("pointé·e à"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device = models.CharField(_("appareil"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("pointage")
        verbose_name_plural = _("pointages")
        ordering = ["-checked_in_at"]
        # Given to the "Équipe de pointage" and "Organisateurs" groups (cms/migrations/0003).
        permissions = [("perform_checkin", _("Peut pointer les participant·e·s et compter les visiteurs"))]


class Scan(models.Model):
    """Append-only log of every scan and its answer, online or synced from an offline phone."""

    event = models.ForeignKey("events.EventPage", on_delete=models.CASCADE, related_name="scans")
    ticket = models.ForeignKey("events.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    # The client's nonce makes a scan idempotent: a phone that re-sends its queue after a
    # lost answer gets the first answer back instead of a second row.
    nonce = models.CharField(max_length=64, unique=True)
    result = models.CharField(max_length=20, choices=ScanResult.choices)
    device = models.CharField(max_length=80, blank=True)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scanned_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    offline = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["event", "result"], name="scan_event_result")]


class AgeBracket(models.TextChoices):
    UNDER_18 = "under_18", _("Moins de 18 ans")
    FROM_18_TO_25 = "18_25", _("18 à 25 ans")
    FROM_26_TO_59 = "26_59", _("26 à 59 ans")
    FROM_60 = "60_plus", _("60 ans et plus")


class VisitorRole(models.TextChoices):
    RESIDENT = "resident", _("Habitant·e")
    ELECTED = "elected", _("Élu·e")
    TEACHER = "teacher", _("Enseignant·e")
    ESS_ACTOR = "ess_actor", _("Acteur·rice de l'ESS")
    OTHER = "other", _("Autre")


class VisitorCheckIn(models.Model):
    """A passer-by who scanned the stand poster. No personal data: one per device and event."""

    event = models.ForeignKey("events.EventPage", on_delete=models.CASCADE, related_name="visitor_checkins")
    # Hash of a random cookie the device keeps: counts a device once without knowing who it is.
    device_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    home_commune = models.ForeignKey(
        "territory.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outside_territory = models.BooleanField(default=False)
    age_bracket = models.CharField(max_length=20, choices=AgeBracket.choices, blank=True)
    role = models.CharField(max_length=20, choices=VisitorRole.choices, blank=True)

    class Meta:
        verbose_name = _("visite comptée")
        verbose_name_plural = _("visites comptées")
        constraints = [models.UniqueConstraint(fields=["event", "device_key"], name="visitor_once_per_device")]


class TallyMark(models.Model):
    """+1 or -1 on the stand's counter for passers-by who do not scan; synced like scans."""

    event = models.ForeignKey("events.EventPage", on_delete=models.CASCADE, related_name="tally_marks")
    delta = models.SmallIntegerField()
    nonce = models.CharField(max_length=64, unique=True)
    device = models.CharField(max_length=80, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counted_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comptage")
        verbose_name_plural = _("comptages")
        constraints = [models.CheckConstraint(condition=Q(delta__in=[1, -1]), name="tally_delta_is_one")]


class ApiToken(models.Model):
    """A token for staff scripts and the check-in app: random, stored hashed, revocable."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField(_("libellé"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
