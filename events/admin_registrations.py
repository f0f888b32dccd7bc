"""The organisers' "Inscriptions" in the admin: list, filters, search, CSV export, walk-ins, cancellation.

Every change of status goes through events/services/registrations.py: the walk-in form
calls `register(..., source=walk_in)` and the cancel action `cancel_registration`, so
seats, the waiting list and the emails follow the same rules as on the public site.
The edit form changes contact details only, never the status, the event or the seats.
"""

from django import forms
from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import MenuItem
from wagtail.log_actions import log

from territory.admin_views import FoldedSearchMixin, ReadableInspectView
from territory.models import PARIS

from .models import (
    AttendeeCategory,
    EventKind,
    EventPage,
    EventStatus,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from .services import registrations as service
from .services.registrations import RegistrationError

# A spreadsheet opening the export runs a cell that starts with one of these as a
# formula ("=HYPERLINK(...)" typed as a name on the public form): such cells are
# prefixed with an apostrophe, which spreadsheets show as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _event_label(event) -> str:
    return f"{event.title} ({date_format(timezone.localtime(event.start, PARIS), 'j F Y')})"


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _event_label(obj)


def events_taking_registrations():
    return EventPage.objects.exclude(kind=EventKind.ITINERANT_VILLAGE).order_by("-start")


def _local(value):
    return date_format(timezone.localtime(value, PARIS), "Y-m-d H:i") if value else ""


# The CSV export: column -> (heading, value of a registration).
EXPORT = {
    "event": (gettext_lazy("Événement"), lambda r: r.event.title),
    "event_start": (gettext_lazy("Date de l'événement"), lambda r: _local(r.event.start)),
    "name": (gettext_lazy("Nom et prénom"), lambda r: r.name),
    "email": (gettext_lazy("Courriel"), lambda r: r.email),
    "phone": (gettext_lazy("Téléphone"), lambda r: r.phone),
    "status": (gettext_lazy("Statut"), lambda r: r.get_status_display()),
    "category": (gettext_lazy("Catégorie"), lambda r: r.get_category_display()),
    "organisation_name": (gettext_lazy("Structure"), lambda r: r.organisation_name),
    "home_commune": (
        gettext_lazy("Commune de résidence"),
        lambda r: _("Hors du territoire") if r.outside_territory else (r.home_commune.name if r.home_commune else ""),
    ),
    "mandate": (gettext_lazy("Mandat"), lambda r: r.mandate),
    "mandate_commune": (
        gettext_lazy("Commune du mandat"),
        lambda r: r.mandate_commune.name if r.mandate_commune else "",
    ),
    "structure_kind": (gettext_lazy("Type de structure"), lambda r: r.get_structure_kind_display()),
    "teacher_name": (gettext_lazy("Enseignant·e ou encadrant·e"), lambda r: r.teacher_name),
    "level": (gettext_lazy("Niveau"), lambda r: r.get_level_display()),
    "seats": (gettext_lazy("Places"), lambda r: r.seats),
    "source": (gettext_lazy("Origine"), lambda r: r.get_source_display()),
    "created_at": (gettext_lazy("Inscrit·e le"), lambda r: _local(r.created_at)),
    "cancelled_at": (gettext_lazy("Annulée le"), lambda r: _local(r.cancelled_at)),
}


# Listing ------------------------------------------------------------------------------------------


class RegistrationFilterSet(WagtailFilterSet):
    event = ModelChoiceFilter(
        label=gettext_lazy("Événement"),
        queryset=lambda request: events_taking_registrations().filter(registrations__isnull=False).distinct(),
    )
    status = ChoiceFilter(label=gettext_lazy("Statut"), choices=RegistrationStatus.choices)
    category = ChoiceFilter(label=gettext_lazy("Catégorie"), choices=AttendeeCategory.choices)
    source = ChoiceFilter(label=gettext_lazy("Origine"), choices=RegistrationSource.choices)

    class Meta:
        model = Registration
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["event"].field_class = EventChoiceField


class RegistrationIndexView(FoldedSearchMixin, generic.IndexView):
    """Searched in the database, ignoring case and accents (see FoldedSearchMixin)."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("event", "home_commune", "mandate_commune", "ticket")

    def to_row_dict(self, item):
        return {field: EXPORT[field][1](item) for field in self.list_export}

    def write_csv_row(self, writer, row_dict):
        return super().write_csv_row(writer, {field: neutralise_formula(value) for field, value in row_dict.items()})

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.permission_policy.user_has_permission(self.request.user, "change"):
            for name, label, icon, shown in ROW_ACTIONS:
                if shown(instance):
                    buttons.append(
                        MenuItem(
                            label,
                            url=reverse(f"events_registration:{name}", args=[instance.pk]),
                            icon_name=icon,
                            priority=25,
                        )
                    )
        return buttons

    @cached_property
    def add_item_label(self):
        return _("Ajouter une personne (sur place)")

    def get_add_url(self):
        url = super().get_add_url()
        # From the list of one event, the walk-in form opens on that event.
        event = self.request.GET.get("event")
        return f"{url}?event={event}" if url and event and event.isdigit() else url


# Walk-ins and edits ---------------------------------------------------------------------------------


class WalkInForm(WagtailAdminModelForm):
    """Someone added by the team, at the door or ahead of it. The service decides the status."""

    consent = forms.BooleanField(
        label=gettext_lazy("La personne accepte que ses informations servent à gérer sa venue"),
        required=False,
    )
    headcount = forms.IntegerField(
        label=gettext_lazy("Places"),
        min_value=1,
        max_value=500,
        initial=1,
        help_text=gettext_lazy("1 pour une personne ; l'effectif pour un groupe."),
    )

    class Meta:
        model = Registration
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.now()
        self.fields["event"] = EventChoiceField(
            label=_("Événement"),
            queryset=events_taking_registrations()
            .exclude(status=EventStatus.CANCELLED)
            .filter(end__gte=now - timezone.timedelta(days=31)),
        )
        self.fields["source"] = forms.ChoiceField(
            label=_("Origine"),
            choices=[
                (RegistrationSource.WALK_IN, RegistrationSource.WALK_IN.label),
                (RegistrationSource.ORGANISER, RegistrationSource.ORGANISER.label),
            ],
            initial=RegistrationSource.WALK_IN,
            help_text=_(
                "Sur place : confirmée même au-delà de la capacité. Par l'équipe : liste d'attente si complet."
            ),
        )

    def clean(self):
        data = super().clean()
        if data.get("category") == AttendeeCategory.ELECTED and not (
            data.get("mandate") and data.get("mandate_commune")
        ):
            self.add_error("mandate", _("Un·e élu·e indique son mandat et la commune où il s'exerce."))
        if data.get("is_group") and not data.get("organisation_name"):
            self.add_error("organisation_name", _("Indiquez la structure du groupe."))
        return data


class RegistrationEditForm(WagtailAdminModelForm):
    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        duplicate = (
            Registration.objects.active()
            .filter(event_id=self.instance.event_id, email_key=email.lower())
            .exclude(pk=self.instance.pk)
        )
        if self.instance.status != RegistrationStatus.CANCELLED and duplicate.exists():
            raise forms.ValidationError(_("Une autre inscription à cet événement utilise déjà cette adresse."))
        return email


PERSON_PANELS = [
    FieldRowPanel([FieldPanel("name"), FieldPanel("email"), FieldPanel("phone")]),
    FieldRowPanel([FieldPanel("home_commune"), FieldPanel("outside_territory")]),
    FieldRowPanel([FieldPanel("category"), FieldPanel("organisation_name")]),
    MultiFieldPanel(
        [FieldRowPanel([FieldPanel("mandate"), FieldPanel("mandate_commune")])], heading=gettext_lazy("Élu·e")
    ),
]
GROUP_PANELS = [FieldRowPanel([FieldPanel("structure_kind"), FieldPanel("teacher_name"), FieldPanel("level")])]

WALK_IN_PANEL = ObjectList(
    [
        FieldRowPanel([FieldPanel("event"), FieldPanel("source")]),
        *PERSON_PANELS,
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("is_group"), FieldPanel("headcount")]), *GROUP_PANELS],
            heading=gettext_lazy("Groupe"),
        ),
        FieldPanel("consent"),
    ],
    base_form_class=WalkInForm,
)
EDIT_PANEL = ObjectList(
    [*PERSON_PANELS, MultiFieldPanel(GROUP_PANELS, heading=gettext_lazy("Groupe"))],
    base_form_class=RegistrationEditForm,
)


class WalkInCreateView(generic.CreateView):
    page_title = gettext_lazy("Ajouter une personne")
    submit_button_label = gettext_lazy("Inscrire")
    success_message = gettext_lazy("%(object)s est inscrit·e.")

    def get_initial(self):
        initial = super().get_initial()
        event = self.request.GET.get("event", "")
        if event.isdigit():
            initial["event"] = int(event)
        return initial

    def form_valid(self, form):
        self.form = form
        data = form.cleaned_data
        try:
            registration, _code = service.register(
                data["event"],
                name=data["name"],
                email=data["email"],
                phone=data.get("phone", ""),
                home_commune=data.get("home_commune"),
                outside_territory=data.get("outside_territory", False),
                category=data["category"],
                mandate=data.get("mandate", ""),
                mandate_commune=data.get("mandate_commune"),
                organisation_name=data.get("organisation_name", ""),
                is_group=data.get("is_group", False),
                structure_kind=data.get("structure_kind", ""),
                teacher_name=data.get("teacher_name", ""),
                level=data.get("level", ""),
                headcount=data["headcount"],
                consent=data.get("consent", False),
                source=data["source"],
                by=self.request.user,
            )
        except RegistrationError as error:
            if error.code == "already_registered":
                existing = error.registration
                form.add_error(
                    "email",
                    _("Déjà inscrit·e à cet événement (%(status)s).") % {"status": existing.get_status_display()},
                )
            else:
                form.add_error(None, str(error))
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        self.object = registration
        log(instance=registration, action="wagtail.create", content_changed=True)
        return self.save_action()

    def get_success_message(self, instance):
        if instance.status == RegistrationStatus.WAITLISTED:
            return _("%(name)s est sur la liste d'attente : l'événement est complet.") % {"name": instance.name}
        return _("%(name)s est inscrit·e.") % {"name": instance.name}

    def get_success_url(self):
        return f"{reverse(self.index_url_name)}?event={self.object.event_id}"


class RegistrationInspectView(ReadableInspectView):
    field_labels = {"ticket_state": gettext_lazy("Billet"), "waitlist_position": gettext_lazy("Rang d'attente")}

    def get_object(self, queryset=None):
        return get_object_or_404(
            Registration.objects.select_related("event", "home_commune", "mandate_commune", "ticket"),
            pk=unquote(str(self.pk)),
        )

    def get_ticket_state_display_value(self):
        ticket = getattr(self.object, "ticket", None)
        if ticket is None:
            return "—"
        if ticket.revoked_at:
            return _("révoqué le %(date)s") % {"date": date_format(timezone.localtime(ticket.revoked_at), "j F Y H:i")}
        return _("valide")

    def get_waitlist_position_display_value(self):
        return service.waitlist_position(self.object) or "—"


class RegistrationActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Asks for confirmation (GET), then acts through the service (POST) and goes back to the list."""

    permission_policy = None
    permission_required = "change"
    template_name = "events/admin/registration_action.html"
    index_url_name = None
    consequence = ""
    button_label = ""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Registration.objects.select_related("event", "ticket"), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.object.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": capfirst(Registration._meta.verbose_name_plural)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            registration=self.object,
            event_label=_event_label(self.object.event),
            consequence=self.consequence,
            button_label=self.button_label,
            back_url=self.back_url,
        )
        return context

    @property
    def back_url(self) -> str:
        return f"{reverse(self.index_url_name)}?event={self.object.event_id}"

    def perform(self) -> str:
        """Act through the service; return the success message or raise RegistrationError."""
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.perform()
        except RegistrationError as error:
            messages.error(request, str(error))
        else:
            log(instance=self.object, action="wagtail.edit", content_changed=True)
            messages.success(request, message)
        return redirect(self.back_url)


class CancelRegistrationView(RegistrationActionView):
    page_title = gettext_lazy("Annuler l'inscription")
    consequence = gettext_lazy(
        "Ses places sont libérées et la liste d'attente avance ; la personne reçoit un courriel d'annulation."
    )
    button_label = gettext_lazy("Oui, annuler l'inscription")

    def perform(self) -> str:
        promoted = service.cancel_registration(self.object, by=self.request.user)
        message = _("L'inscription de %(name)s est annulée.") % {"name": self.object.name}
        if promoted:
            message += " " + _("Sorti·es de la liste d'attente : %(names)s.") % {
                "names": ", ".join(r.name for r in promoted)
            }
        return message


class ResendTicketView(RegistrationActionView):
    page_title = gettext_lazy("Renvoyer le billet")
    consequence = gettext_lazy(
        "Un nouveau lien vers le billet est envoyé par courriel ; l'ancien lien et l'ancien billet imprimé "
        "ne sont plus valables."
    )
    button_label = gettext_lazy("Oui, renvoyer le billet")

    def perform(self) -> str:
        service.resend_ticket_link(self.object)
        return _("Un nouveau billet a été envoyé à %(email)s.") % {"email": self.object.email}


class RevokeTicketView(RegistrationActionView):
    page_title = gettext_lazy("Révoquer le billet")
    consequence = gettext_lazy(
        "Le billet ne s'ouvre plus et son QR code est refusé à l'accueil (un lien qui a circulé, par exemple). "
        "L'inscription reste comptée ; annulez-la aussi pour libérer la place."
    )
    button_label = gettext_lazy("Oui, révoquer le billet")

    def perform(self) -> str:
        if not _has_valid_ticket(self.object):
            raise RegistrationError(_("Ce billet est déjà révoqué."), code="ticket_revoked")
        service.revoke_ticket(self.object.ticket, by=self.request.user)
        return _("Le billet de %(name)s est révoqué.") % {"name": self.object.name}


def _has_valid_ticket(registration) -> bool:
    ticket = getattr(registration, "ticket", None)  # None: a row made outside the service
    return ticket is not None and ticket.revoked_at is None


# Row actions: (URL name, label, icon, shown for this registration?)
ROW_ACTIONS = [
    ("cancel", gettext_lazy("Annuler l'inscription"), "cross", lambda r: r.status != RegistrationStatus.CANCELLED),
    (
        "resend",
        gettext_lazy("Renvoyer le billet"),
        "mail",
        lambda r: r.status != RegistrationStatus.CANCELLED and _has_valid_ticket(r),
    ),
    ("revoke", gettext_lazy("Révoquer le billet"), "lock", _has_valid_ticket),
]
ACTION_VIEWS = {"cancel": CancelRegistrationView, "resend": ResendTicketView, "revoke": RevokeTicketView}


# The viewset ------------------------------------------------------------------------------------------


def _event_column(registration) -> str:
    return _event_label(registration.event)


def _created_label(registration) -> str:
    return date_format(timezone.localtime(registration.created_at, PARIS), "j M Y, H:i")


class RegistrationViewSet(ModelViewSet):
    model = Registration
    icon = "group"
    menu_label = gettext_lazy("Inscriptions")
    menu_order = 160
    add_to_admin_menu = True
    name = "events_registration"
    url_prefix = "inscriptions"
    index_view_class = RegistrationIndexView
    add_view_class = WalkInCreateView
    inspect_view_enabled = True
    inspect_view_class = RegistrationInspectView
    copy_view_enabled = False
    filterset_class = RegistrationFilterSet
    search_fields = ["name", "email", "organisation_name"]
    list_per_page = 50
    ordering = "-created_at"
    list_display = [
        "name",
        Column("event", label=gettext_lazy("Événement"), accessor=_event_column),
        Column("category", label=gettext_lazy("Catégorie"), accessor="get_category_display", sort_key="category"),
        Column("status", label=gettext_lazy("Statut"), accessor="get_status_display", sort_key="status"),
        NumberColumn("seats", label=gettext_lazy("Places"), sort_key="seats"),
        Column("source", label=gettext_lazy("Origine"), accessor="get_source_display"),
        DateColumn("created_at", label=gettext_lazy("Inscrit·e le"), sort_key="created_at"),
    ]
    list_export = list(EXPORT)
    export_headings = {field: heading for field, (heading, _value) in EXPORT.items()}
    export_filename = "inscriptions"
    inspect_view_fields = [
        "event",
        "status",
        "waitlist_position",
        "ticket_state",
        "name",
        "email",
        "phone",
        "home_commune",
        "outside_territory",
        "category",
        "mandate",
        "mandate_commune",
        "organisation_name",
        "is_group",
        "structure_kind",
        "teacher_name",
        "level",
        "seats",
        "source",
        "consent_at",
        "created_at",
        "confirmed_at",
        "promoted_at",
        "cancelled_at",
        "cancelled_by",
    ]
    edit_handler = EDIT_PANEL

    def get_add_view_kwargs(self, **kwargs):
        panel = WALK_IN_PANEL.bind_to_model(Registration)
        return super().get_add_view_kwargs(panel=panel, form_class=panel.get_form_class(), **kwargs)

    def get_urlpatterns(self):
        actions = [
            path(
                f"{name}/<int:pk>/",
                view_class.as_view(permission_policy=self.permission_policy, index_url_name=self.get_url_name("index")),
                name=name,
            )
            for name, view_class in ACTION_VIEWS.items()
        ]
        return [*super().get_urlpatterns(), *actions]
