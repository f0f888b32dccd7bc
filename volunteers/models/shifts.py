"""Demands on events: the shifts of a stop (montage 7:00-9:00, accueil, animation,
démontage), the volunteers on them, and whether they came.

Organisers set the shifts and may place volunteers by hand; volunteers with an account
take a place themselves (volunteers/shifts.py). The stand plan lists them and a
cancelled stop warns them (events/signals.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel

from ..admin_forms import ShiftForm


class ShiftRole(models.TextChoices):
    SETUP = "setup", _("Montage")
    WELCOME = "welcome", _("Accueil")
    ACTIVITY = "activity", _("Animation")
    TEARDOWN = "teardown", _("Démontage")
    OTHER = "other", _("Autre")


class Shift(ClusterableModel):
    event = models.ForeignKey(
        "events.EventPage", verbose_name=_("événement"), on_delete=models.CASCADE, related_name="shifts"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=ShiftRole.choices)
    label = models.CharField(_("précision"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    capacity = models.PositiveSmallIntegerField(_("places"), default=2)

    panels = [
        FieldPanel("event"),
        FieldRowPanel([FieldPanel("role"), FieldPanel("label")]),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldPanel("capacity"),
        InlinePanel("signups", heading=_("Bénévoles"), label=_("Bénévole")),
    ]
    base_form_class = ShiftForm

    class Meta:
        verbose_name = _("créneau bénévole")
        verbose_name_plural = _("créneaux bénévoles")
        ordering = ["event", "starts_at", "role"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]

    def __str__(self):
        title = self.label or self.get_role_display()
        return f"{title} · {self.event}"


class ShiftSignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Inscrit·e")
    CANCELLED = "cancelled", _("Annulé")


class Attendance(models.TextChoices):
    UNKNOWN = "", _("À pointer")
    PRESENT = "present", _("Présent·e")
    NO_SHOW = "no_show", _("Absent·e")


# The skill each role calls for, by the skill's slug (migration 0003): a volunteer who
# offers "accueil" is matched first with welcome shifts.
ROLE_SKILLS = {
    ShiftRole.SETUP: "montage-logistique",
    ShiftRole.WELCOME: "accueil",
    ShiftRole.ACTIVITY: "animation",
    ShiftRole.TEARDOWN: "montage-logistique",
}


class ShiftSignup(models.Model):
    shift = ParentalKey(Shift, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="shift_signups"
    )
    name = models.CharField(_("nom et prénom"), max_length=160)
    email = models.EmailField(_("courriel"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=ShiftSignupStatus.choices, default=ShiftSignupStatus.CONFIRMED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Presence: the badge scanned at the shift, or staff marking it (volunteers/presence.py).
    # A shift over with nobody marking a volunteer records a no-show.
    attendance = models.CharField(_("présence"), max_length=10, choices=Attendance.choices, blank=True, default="")
    attendance_at = models.DateTimeField(_("pointé le"), null=True, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("status"),
        FieldPanel("attendance"),
    ]

    class Meta:
        verbose_name = _("bénévole du créneau")
        verbose_name_plural = _("bénévoles du créneau")
        ordering = ["shift", "created_at", "pk"]

    def __str__(self):
        return self.name

    @property
    def hours_served(self) -> float:
        """The shift's length when the volunteer came; nothing otherwise."""
        if self.attendance != Attendance.PRESENT:
            return 0.0
        return (self.shift.ends_at - self.shift.starts_at).total_seconds() / 3600
