"""The itinerant village: the season's tour, the kit it travels with, pitches and stands.

A stop of the village (VillageStopPage) sits under the season's TourPage. The kit
(tents, tables, banners) is a resource: on a given day a territory runs at most as
many stops as it has kits (Territory.village_kits, or a KitDay for a day that rents
more); the rule lives in events/services/village.py, which locks the territory row
before counting. Stands are ESS organisations' places at a stop, each on a pitch once
confirmed; the database refuses two confirmed stands on one pitch.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page


class TourPage(RoutablePageMixin, Page):
    """A season of the village's tour: its children are the stops, shown as a map and an itinerary."""

    season = models.PositiveSmallIntegerField(_("saison (année)"))
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("season"), FieldPanel("intro")]
    parent_page_types = ["events.AgendaPage"]
    subpage_types = ["events.VillageStopPage"]
    template = "events/tour_page.html"

    class Meta:
        verbose_name = _("tournée du village")
        verbose_name_plural = _("tournées du village")

    def stops(self):
        """The tour's live stops in date order, with what a list shows."""
        from .pages import VillageStopPage

        return (
            VillageStopPage.objects.child_of(self).live().public().select_related("venue", "commune").order_by("start")
        )

    def get_context(self, request, *args, **kwargs):
        from events.village import tour_context

        context = super().get_context(request, *args, **kwargs)
        context.update(tour_context(self, request))
        return context

    @path("")
    def index(self, request):
        return self.render(request)

    @path("calendrier.ics")
    def calendar_feed(self, request):
        from events.views.village import tour_calendar

        return tour_calendar(request, self)


class KitDay(models.Model):
    """A day when a territory has more (or fewer) kits than usual: a multi-site day with rented tents."""

    territory = models.ForeignKey(
        "territory.Territory", verbose_name=_("territoire"), on_delete=models.CASCADE, related_name="kit_days"
    )
    date = models.DateField(_("date"))
    kits = models.PositiveSmallIntegerField(_("nombre de kits ce jour-là"))
    reason = models.CharField(_("motif"), max_length=160, blank=True, help_text=_("Par exemple : Faites de l'ESS."))

    class Meta:
        verbose_name = _("journée à plusieurs kits")
        verbose_name_plural = _("journées à plusieurs kits")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["territory", "date"], name="kit_day_unique_date")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} : {self.kits}"


class Pitch(Orderable):
    """A place for one stand at a stop, with what it offers."""

    stop = ParentalKey("events.VillageStopPage", on_delete=models.CASCADE, related_name="pitches")
    number = models.PositiveSmallIntegerField(_("numéro"))
    theme = models.CharField(_("thème"), max_length=120, blank=True, help_text=_("Alimentation, réemploi…"))
    has_power = models.BooleanField(_("électricité"), default=False)
    has_table = models.BooleanField(_("table"), default=True)
    has_shelter = models.BooleanField(_("barnum / abri"), default=True)

    panels = [
        FieldPanel("number"),
        FieldPanel("theme"),
        FieldPanel("has_power"),
        FieldPanel("has_table"),
        FieldPanel("has_shelter"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("emplacement")
        verbose_name_plural = _("emplacements")
        constraints = [models.UniqueConstraint(fields=["stop", "number"], name="pitch_unique_number")]

    def __str__(self):
        label = _("Emplacement %(number)s") % {"number": self.number}
        return f"{label} · {self.theme}" if self.theme else str(label)

    @property
    def equipment(self) -> list[str]:
        return [
            str(label)
            for present, label in (
                (self.has_power, _("électricité")),
                (self.has_table, _("table")),
                (self.has_shelter, _("abri")),
            )
            if present
        ]


class StandStatus(models.TextChoices):
    APPLIED = "applied", _("Candidature reçue")
    CONFIRMED = "confirmed", _("Confirmé")
    REFUSED = "refused", _("Refusé")
    WITHDRAWN = "withdrawn", _("Retiré")


ACTIVE_STAND_STATUSES = (StandStatus.APPLIED, StandStatus.CONFIRMED)


class StandQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STAND_STATUSES)

    def confirmed(self):
        return self.filter(status=StandStatus.CONFIRMED)


class Stand(models.Model):
    """An ESS organisation's stand at a stop: applied for by its contact, or placed by organisers."""

    stop = models.ForeignKey(
        "events.VillageStopPage", verbose_name=_("étape"), on_delete=models.CASCADE, related_name="stands"
    )
    organisation = models.ForeignKey(
        "territory.Organisation", verbose_name=_("structure"), on_delete=models.PROTECT, related_name="stands"
    )
    pitch = models.ForeignKey(
        Pitch, verbose_name=_("emplacement"), null=True, blank=True, on_delete=models.SET_NULL, related_name="stands"
    )
    status = models.CharField(_("statut"), max_length=20, choices=StandStatus.choices, default=StandStatus.APPLIED)
    activity = models.TextField(_("ce que la structure présente"), blank=True)
    needs_power = models.BooleanField(_("besoin d'électricité"), default=False)
    needs_table = models.BooleanField(_("besoin d'une table"), default=True)
    needs_shelter = models.BooleanField(_("besoin d'un abri"), default=True)
    contact_name = models.CharField(_("personne présente sur le stand"), max_length=160)
    contact_email = models.EmailField(_("courriel"))
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.CharField(_("motif"), max_length=255, blank=True)

    objects = StandQuerySet.as_manager()

    class Meta:
        verbose_name = _("stand")
        verbose_name_plural = _("stands")
        ordering = ["stop", "pitch__number", "created_at"]
        constraints = [
            # Last line of defence behind the stop-row lock of services/village.py.
            models.UniqueConstraint(
                fields=["pitch"], condition=Q(status="confirmed"), name="stand_one_confirmed_per_pitch"
            ),
            models.UniqueConstraint(
                fields=["stop", "organisation"],
                condition=Q(status__in=["applied", "confirmed"]),
                name="stand_one_active_per_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.stop}"

    @property
    def unmet_needs(self) -> list[str]:
        """What the stand asked for that its pitch does not offer."""
        if self.pitch is None:
            return []
        missing = []
        if self.needs_power and not self.pitch.has_power:
            missing.append(str(_("électricité")))
        if self.needs_table and not self.pitch.has_table:
            missing.append(str(_("table")))
        if self.needs_shelter and not self.pitch.has_shelter:
            missing.append(str(_("abri")))
        return missing
