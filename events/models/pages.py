"""Event pages: one concrete base (EventPage) shared by the four kinds.

The base is a concrete model (multi-table inheritance) so the agenda, the feeds and
the API query one table, with the venue and commune joined, whatever the kind; each
kind's page adds only its own fields.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from events.admin_forms import EventPageForm
from territory.models import PARIS

from .choices import EventKind, EventStatus, VillageFormat, YouthLevel


class EventPageQuerySet(PageQuerySet):
    def upcoming(self, now: dt.datetime | None = None):
        return self.filter(end__gte=now or timezone.now())

    def past(self, now: dt.datetime | None = None):
        return self.filter(end__lt=now or timezone.now())

    def of_kind(self, kind: str):
        return self.filter(kind=kind)

    def in_commune(self, commune):
        return self.filter(commune=commune)

    def in_month(self, year: int, month: int):
        first = dt.date(year, month, 1)
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        return self.filter(start_date__gte=first, start_date__lt=following)

    def between(self, start: dt.date | None, end: dt.date | None):
        """Events whose local start date falls in [start, end], either bound optional."""
        qs = self
        if start:
            qs = qs.filter(start_date__gte=start)
        if end:
            qs = qs.filter(start_date__lte=end)
        return qs

    def not_cancelled(self):
        return self.exclude(status=EventStatus.CANCELLED)

    def with_confirmed_seats(self):
        """Annotate `confirmed_seats`, the seats taken by confirmed registrations (None: none taken).

        A correlated subquery rather than Sum() over a join: a queryset already joined to a
        multi-valued relation (an organisation's hosted breakfasts) would multiply the rows
        the sum adds up, and the GROUP BY would spread over every selected column.
        """
        from .registrations import Registration, RegistrationStatus

        taken = (
            Registration.objects.filter(event=OuterRef("pk"), status=RegistrationStatus.CONFIRMED)
            .order_by()
            .values("event")
            .annotate(total=Sum("seats"))
            .values("total")
        )
        return self.annotate(confirmed_seats=Subquery(taken, output_field=models.IntegerField()))

    def for_listing(self):
        """Everything a list of events shows, in a constant number of queries."""
        return self.select_related("venue", "commune").with_confirmed_seats().order_by("start", "pk")


EventPageManager = PageManager.from_queryset(EventPageQuerySet)


class AgendaPage(Page):
    """/agenda/: the public agenda. Its children are the event pages."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = [
        "events.TourPage",
        "events.ThematicBreakfastPage",
        "events.VillageStopPage",
        "events.ElectedAwarenessPage",
        "events.YouthOutreachPage",
    ]
    # One agenda per site: each territory's home page has its own.
    max_count_per_parent = 1
    template = "events/agenda_page.html"
    paginate_by = 20

    class Meta:
        verbose_name = _("agenda")

    def get_context(self, request, *args, **kwargs):
        from events.agenda import agenda_context

        context = super().get_context(request, *args, **kwargs)
        context.update(agenda_context(self, request))
        return context


class EventPage(Page):
    """What every event has. Not created directly: organisers create one of the four kinds."""

    event_kind: EventKind | None = None

    kind = models.CharField(_("type"), max_length=30, choices=EventKind.choices, editable=False, db_index=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    # The local (Europe/Paris) date of the start, stored so filters by month and the
    # yearly roll-ups group on a column instead of converting every row's datetime.
    start_date = models.DateField(_("date (heure de Paris)"), editable=False, db_index=True)
    venue = models.ForeignKey(
        "territory.Venue",
        verbose_name=_("lieu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text=_("Reprise du lieu quand un lieu est choisi."),
    )
    summary = models.CharField(_("résumé"), max_length=300)
    body = RichTextField(_("présentation"), blank=True)
    audience = models.CharField(_("public"), max_length=160, blank=True)
    capacity = models.PositiveIntegerField(
        _("nombre de places"), null=True, blank=True, help_text=_("Laisser vide : pas de limite.")
    )
    registration_opens_at = models.DateTimeField(
        _("ouverture des inscriptions"), null=True, blank=True, help_text=_("Laisser vide : dès la publication.")
    )
    registration_closes_at = models.DateTimeField(
        _("clôture des inscriptions"), null=True, blank=True, help_text=_("Laisser vide : jusqu'au début.")
    )
    status = models.CharField(_("statut"), max_length=20, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    status_note = models.CharField(
        _("précision sur le statut"), max_length=255, blank=True, help_text=_("Par exemple : reporté au 12 mars.")
    )
    plan_actions = ParentalManyToManyField(
        "indicators.Action",
        verbose_name=_("actions du plan"),
        blank=True,
        related_name="events",
        help_text=_("Laisser vide : l'action par défaut du type d'événement est reprise."),
    )
    accessibility = models.TextField(
        _("accessibilité"), blank=True, help_text=_("Accès en fauteuil, boucle magnétique, interprète LSF…")
    )
    contact_email = models.EmailField(_("courriel de contact"), blank=True)

    objects = EventPageManager()
    base_form_class = EventPageForm

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start"), FieldPanel("end")]), FieldPanel("venue"), FieldPanel("commune")],
            heading=_("Quand et où"),
        ),
        MultiFieldPanel(
            [FieldPanel("status"), FieldPanel("status_note"), FieldPanel("capacity"), FieldPanel("audience")],
            heading=_("Statut et public"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")])],
            heading=_("Inscriptions"),
        ),
        FieldPanel("body"),
        FieldPanel("accessibility"),
        FieldPanel("contact_email"),
        FieldPanel("plan_actions"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.FilterField("kind")]

    is_creatable = False
    parent_page_types = ["events.AgendaPage"]
    subpage_types: list[str] = []
    template = "events/event_page.html"

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        indexes = [models.Index(fields=["kind", "start"], name="event_kind_start")]

    def clean(self):
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("La fin doit être postérieure au début.")})
        if self.venue_id is None and self.commune_id is None:
            raise ValidationError({"venue": _("Indiquez un lieu ou au moins une commune.")})

    def save(self, *args, **kwargs):
        if self.event_kind:
            self.kind = self.event_kind
        if self.venue_id:
            self.commune_id = self.venue.commune_id
        if self.start:
            self.start_date = timezone.localtime(self.start, PARIS).date()
        if self._state.adding and not self.plan_actions.all():
            default = self.default_plan_action()
            if default is not None:
                self.plan_actions = [default]
        super().save(*args, **kwargs)

    def default_plan_action(self):
        """The action this kind serves in the territory's plan in force in the event's year."""
        from indicators.models import ActionPlan

        if not (self.kind and self.commune_id and self.start):
            return None
        plan = ActionPlan.objects.for_territory(self.commune.territory_id).in_force(
            timezone.localtime(self.start, PARIS).year
        )
        return plan.default_action_for_kind(self.kind) if plan else None

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.end < timezone.now()

    @property
    def takes_registrations(self) -> bool:
        return self.kind != EventKind.ITINERANT_VILLAGE

    @property
    def seats_left(self) -> int | None:
        """Free seats (never below 0: walk-ins may exceed the capacity); None when the event has no limit.

        Lists annotate `confirmed_seats` (EventPageQuerySet.for_listing) so this costs no
        query per row; a single page counts its registrations once.
        """
        if self.capacity is None:
            return None
        if hasattr(self, "confirmed_seats"):
            taken = self.confirmed_seats
        else:
            taken = self.registrations.confirmed().aggregate(total=Sum("seats"))["total"]
        return max(self.capacity - (taken or 0), 0)

    @property
    def place_label(self) -> str:
        if self.venue_id:
            return f"{self.venue.name}, {self.commune.name}"
        return self.commune.name if self.commune_id else ""


class ThematicBreakfastPage(EventPage):
    event_kind = EventKind.THEMATIC_BREAKFAST

    theme = models.CharField(_("thème"), max_length=160)
    host_organisations = ParentalManyToManyField(
        "territory.Organisation", verbose_name=_("structures hôtes"), blank=True, related_name="hosted_breakfasts"
    )

    content_panels = [
        *EventPage.content_panels[:2],
        FieldPanel("theme"),
        FieldPanel("host_organisations"),
        *EventPage.content_panels[2:],
    ]
    is_creatable = True
    parent_page_types = ["events.AgendaPage"]
    template = "events/event_page.html"

    class Meta:
        verbose_name = _("petit-déjeuner thématique")
        verbose_name_plural = _("petits-déjeuners thématiques")


class VillageStopPage(EventPage):
    event_kind = EventKind.ITINERANT_VILLAGE

    village_format = models.CharField(
        _("format"), max_length=20, choices=VillageFormat.choices, default=VillageFormat.FULL_VILLAGE
    )
    setup_from = models.TimeField(_("montage à partir de"), null=True, blank=True)
    teardown_until = models.TimeField(_("démontage jusqu'à"), null=True, blank=True)

    content_panels = [
        *EventPage.content_panels[:2],
        MultiFieldPanel(
            [FieldPanel("village_format"), FieldRowPanel([FieldPanel("setup_from"), FieldPanel("teardown_until")])],
            heading=_("Le village"),
        ),
        *EventPage.content_panels[2:],
        InlinePanel("pitches", heading=_("Emplacements des stands"), label=_("Emplacement")),
    ]
    is_creatable = True
    parent_page_types = ["events.AgendaPage", "events.TourPage"]
    template = "events/event_page.html"

    class Meta:
        verbose_name = _("étape du village itinérant")
        verbose_name_plural = _("étapes du village itinérant")

    def get_context(self, request, *args, **kwargs):
        from events.village import stop_context

        context = super().get_context(request, *args, **kwargs)
        context.update(stop_context(self, request))
        return context


class ElectedAwarenessPage(EventPage):
    event_kind = EventKind.ELECTED_AWARENESS

    target_communes = ParentalManyToManyField(
        "territory.Commune", verbose_name=_("communes invitées"), blank=True, related_name="awareness_sessions"
    )

    content_panels = [*EventPage.content_panels[:2], FieldPanel("target_communes"), *EventPage.content_panels[2:]]
    is_creatable = True
    parent_page_types = ["events.AgendaPage"]
    template = "events/event_page.html"

    class Meta:
        verbose_name = _("sensibilisation des élus")
        verbose_name_plural = _("sensibilisations des élus")


class YouthOutreachPage(EventPage):
    event_kind = EventKind.YOUTH_OUTREACH

    structure_name = models.CharField(_("établissement ou structure"), max_length=160)
    level = models.CharField(_("niveau"), max_length=20, choices=YouthLevel.choices, default=YouthLevel.HIGH_SCHOOL)

    content_panels = [
        *EventPage.content_panels[:2],
        FieldRowPanel([FieldPanel("structure_name"), FieldPanel("level")]),
        *EventPage.content_panels[2:],
    ]
    is_creatable = True
    parent_page_types = ["events.AgendaPage"]
    template = "events/event_page.html"

    class Meta:
        verbose_name = _("sensibilisation des jeunes")
        verbose_name_plural = _("sensibilisations des jeunes")
