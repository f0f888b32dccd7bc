"""The organisers' stands in the admin: the "Stands" list, each stop's stands page, its PDFs, contact invitations.

/admin/stands/                                   every stand, filtered by stop, status, organisation
/admin/stands/etape/<stop>/                      the stop's pitches, who holds them, the applications;
                                                 confirm, refuse, move, place an organisation directly
/admin/stands/etape/<stop>/plan-des-stands.pdf   the day's stand plan, with the volunteers on shifts
/admin/stands/etape/<stop>/badges.pdf            the exhibitors' badges, 8 per A4 page
/admin/structures/<organisation>/inviter/        "Inviter un contact": an account for the organisation space

Every decision goes through events/services/village.py (pitches, overlaps and emails are
its business): a refusal is shown as a message and nothing changes. Reading needs
`events.view_stand`, deciding `events.change_stand`; an organiser without them gets a 403.
Stands are never created or edited through a model form, which would bypass those rules.
"""

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import MenuItem

from territory.access import territories_for
from territory.admin_views import FoldedSearchMixin
from territory.models import PARIS, Organisation

from . import dates
from .forms_stands import InviteContactForm, PitchForm, PlaceStandForm, RefuseStandForm, pitch_label
from .models import ACTIVE_STAND_STATUSES, Pitch, Stand, StandStatus, VillageStopPage
from .pdf.badges import badges_pdf
from .pdf.stand_plan import stand_plan_pdf
from .services import village as service
from .services.contacts import invite_contact
from .services.village import VillageError
from .signals import volunteers_of

VIEW_PERMISSION = "events.view_stand"
CHANGE_PERMISSION = "events.change_stand"
INVITE_PERMISSION = "territory.change_organisation"
NAMESPACE = "events_stands"


def stops_for(user):
    """The village stops of the territories the user acts for: the root of every view below, so a
    stop of another territory answers 404 and its stands never show in a list or a filter."""
    return VillageStopPage.objects.filter(commune__territory__in=territories_for(user))


def organisations_for(user):
    return Organisation.objects.filter(commune__territory__in=territories_for(user))


def stop_label(stop) -> str:
    return f"{stop.title} ({date_format(timezone.localtime(stop.start, PARIS), 'j F Y')})"


def stop_stands_url(stop_id: int) -> str:
    return reverse(f"{NAMESPACE}:stop", args=[stop_id])


def forbidden(request, message=""):
    """A 403 in the admin's layout: Wagtail would turn PermissionDenied into a redirect home."""
    return render(
        request,
        "events/admin/stands_forbidden.html",
        {"page_title": _("Accès refusé"), "message": message or _("Votre compte n'a pas accès aux stands.")},
        status=403,
    )


def missing_on(stand: Stand, pitch: Pitch) -> list[str]:
    """What the stand asked for that this pitch would not offer (Stand.unmet_needs, before choosing)."""
    return [
        str(label)
        for needed, offered, label in (
            (stand.needs_power, pitch.has_power, gettext_lazy("électricité")),
            (stand.needs_table, pitch.has_table, gettext_lazy("table")),
            (stand.needs_shelter, pitch.has_shelter, gettext_lazy("abri")),
        )
        if needed and not offered
    ]


def needs_of(stand: Stand) -> list[str]:
    return [
        str(label)
        for needed, label in (
            (stand.needs_power, gettext_lazy("électricité")),
            (stand.needs_table, gettext_lazy("table")),
            (stand.needs_shelter, gettext_lazy("abri")),
        )
        if needed
    ]


# The "Stands" list ------------------------------------------------------------------------------------


class StopChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return stop_label(obj)


class StandFilterSet(WagtailFilterSet):
    stop = ModelChoiceFilter(
        label=gettext_lazy("Étape"),
        queryset=lambda request: stops_for(request.user).filter(stands__isnull=False).distinct().order_by("-start"),
    )
    status = ChoiceFilter(label=gettext_lazy("Statut"), choices=StandStatus.choices)
    organisation = ModelChoiceFilter(
        label=gettext_lazy("Structure"),
        queryset=lambda request: (
            Organisation.objects.filter(stands__stop__in=stops_for(request.user)).distinct().order_by("name")
        ),
    )

    class Meta:
        model = Stand
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["stop"].field_class = StopChoiceField


class StandIndexView(FoldedSearchMixin, generic.IndexView):
    """Stands are decided on their stop's page: each row leads there, nothing is edited here.
    Searched in the database, ignoring case and accents (see FoldedSearchMixin)."""

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(stop__in=stops_for(self.request.user))
            .select_related("stop", "organisation", "pitch")
        )

    def get_edit_url(self, instance):
        return f"{stop_stands_url(instance.stop_id)}#stand-{instance.pk}"

    def get_add_url(self):
        return None

    def get_copy_url(self, instance):
        return None

    def get_inspect_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    def get_list_more_buttons(self, instance):
        return [
            MenuItem(_("Stands de l'étape"), url=stop_stands_url(instance.stop_id), icon_name="list-ul", priority=10),
            MenuItem(
                _("Plan des stands (PDF)"),
                url=reverse(f"{NAMESPACE}:plan_pdf", args=[instance.stop_id]),
                icon_name="doc-full",
                priority=20,
            ),
        ]


def _stop_column(stand) -> str:
    return stop_label(stand.stop)


def _pitch_column(stand) -> str:
    return str(stand.pitch.number) if stand.pitch_id else "—"


def _status_column(stand) -> str:
    if stand.status == StandStatus.REFUSED and stand.decision_note:
        return f"{stand.get_status_display()} : {stand.decision_note}"
    return stand.get_status_display()


def edit_redirect(request, pk):
    stand = get_object_or_404(Stand.objects.filter(stop__in=stops_for(request.user)), pk=pk)
    return redirect(f"{stop_stands_url(stand.stop_id)}#stand-{stand.pk}")


# A stop's stands ----------------------------------------------------------------------------------------


class StopStandsView(WagtailAdminTemplateMixin, TemplateView):
    """The stop's pitches and who holds them, the applications to decide, and direct placement.

    POST places an organisation (the form is shown again with what was typed if refused);
    the other decisions post to their own small views below.
    """

    template_name = "events/admin/stands_stop.html"
    header_icon = "group"
    page_title = gettext_lazy("Stands de l'étape")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_PERMISSION):
            return forbidden(request)
        if request.method == "POST" and not request.user.has_perm(CHANGE_PERMISSION):
            return forbidden(request, _("Votre compte peut consulter les stands, pas en décider."))
        self.stop = get_object_or_404(stops_for(request.user).select_related("venue", "commune"), pk=kwargs["stop_id"])
        self.place_form = None
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.stop.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{NAMESPACE}:index"), "label": capfirst(Stand._meta.verbose_name_plural)},
            {"url": "", "label": stop_label(self.stop)},
        ]

    def post(self, request, *args, **kwargs):
        form = PlaceStandForm(
            request.POST, stop=self.stop, organisations=organisations_for(request.user).select_related("commune")
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                stand = service.place_stand(
                    self.stop,
                    data["organisation"],
                    data["pitch"],
                    by=request.user,
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    activity=data["activity"],
                )
            except VillageError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "%(organisation)s est placée sur l'emplacement %(number)s ; son contact est prévenu par courriel."
                    )
                    % {"organisation": stand.organisation.name, "number": stand.pitch.number},
                )
                return redirect(f"{stop_stands_url(self.stop.pk)}#stand-{stand.pk}")
        else:
            messages.error(request, _("La structure n'a pas été placée : corrigez le formulaire."))
        self.place_form = form
        return self.render_to_response(self.get_context_data(**kwargs))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stop = self.stop
        stands = list(
            Stand.objects.filter(stop=stop).select_related("organisation", "pitch").order_by("created_at", "pk")
        )
        pitches = list(Pitch.objects.filter(stop_id=stop.pk).order_by("number"))
        holders = {stand.pitch_id: stand for stand in stands if stand.status == StandStatus.CONFIRMED}
        free = [pitch for pitch in pitches if pitch.pk not in holders]
        pending = [stand for stand in stands if stand.status == StandStatus.APPLIED]
        for stand in pending:
            stand.needs = needs_of(stand)
            stand.choices = [(pitch, missing_on(stand, pitch)) for pitch in free]
            stand.suits_none = bool(free) and all(missing for _pitch, missing in stand.choices)
        active_organisations = {stand.organisation_id for stand in stands if stand.status in ACTIVE_STAND_STATUSES}
        place_form = self.place_form or PlaceStandForm(
            stop=stop,
            pitches=service.free_pitches(stop),
            organisations=organisations_for(self.request.user)
            .exclude(pk__in=active_organisations)
            .select_related("commune")
            .order_by("name"),
        )
        context.update(
            stop=stop,
            when=dates.format_range(stop.start, stop.end),
            setup_from=dates.format_time(stop.setup_from) if stop.setup_from else "",
            teardown_until=dates.format_time(stop.teardown_until) if stop.teardown_until else "",
            rows=[(pitch, holders.get(pitch.pk)) for pitch in pitches],
            free=[(pitch, pitch_label(pitch)) for pitch in free],
            pending=pending,
            closed=[stand for stand in stands if stand.status not in ACTIVE_STAND_STATUSES],
            place_form=place_form,
            can_change=self.request.user.has_perm(CHANGE_PERMISSION),
            plan_url=reverse(f"{NAMESPACE}:plan_pdf", args=[stop.pk]),
            badges_url=reverse(f"{NAMESPACE}:badges_pdf", args=[stop.pk]),
            edit_stop_url=reverse("wagtailadmin_pages:edit", args=[stop.pk]),
            list_url=f"{reverse(f'{NAMESPACE}:index')}?stop={stop.pk}",
        )
        return context


def _decision(request, stop_id: int, stand_id: int):
    """The stop and one of its stands for a decision, or the response refusing it."""
    if request.method != "POST":
        return None, None, redirect(stop_stands_url(stop_id))
    if not request.user.has_perm(CHANGE_PERMISSION):
        return None, None, forbidden(request, _("Votre compte peut consulter les stands, pas en décider."))
    stop = get_object_or_404(stops_for(request.user), pk=stop_id)
    stand = get_object_or_404(Stand.objects.filter(stop=stop).select_related("organisation", "pitch"), pk=stand_id)
    return stop, stand, None


def _form_error(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _put_on_pitch(request, stop_id: int, stand_id: int, operation, success: str):
    """Confirm or move a stand onto the pitch the form names, through the service `operation`."""
    stop, stand, refusal = _decision(request, stop_id, stand_id)
    if refusal:
        return refusal
    form = PitchForm(request.POST, stop=stop)
    if not form.is_valid():
        messages.error(request, _form_error(form))
    else:
        try:
            stand = operation(stand, form.cleaned_data["pitch"], by=request.user)
        except VillageError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success % {"organisation": stand.organisation.name, "number": stand.pitch.number})
    return redirect(f"{stop_stands_url(stop.pk)}#stand-{stand.pk}")


def confirm_view(request, stop_id: int, stand_id: int):
    return _put_on_pitch(
        request,
        stop_id,
        stand_id,
        service.confirm_stand,
        _("Le stand de %(organisation)s est confirmé sur l'emplacement %(number)s ; son contact est prévenu."),
    )


def move_view(request, stop_id: int, stand_id: int):
    return _put_on_pitch(
        request,
        stop_id,
        stand_id,
        service.move_stand,
        _("%(organisation)s est maintenant sur l'emplacement %(number)s."),
    )


def refuse_view(request, stop_id: int, stand_id: int):
    stop, stand, refusal = _decision(request, stop_id, stand_id)
    if refusal:
        return refusal
    form = RefuseStandForm(request.POST)
    try:
        # The service words the missing reason itself: an empty form goes to it as well.
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        service.refuse_stand(stand, by=request.user, reason=reason)
    except VillageError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Le stand de %(organisation)s est refusé ; le motif lui est envoyé par courriel.")
            % {"organisation": stand.organisation.name},
        )
    return redirect(stop_stands_url(stop.pk))


# PDFs ------------------------------------------------------------------------------------------------------


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def plan_pdf_view(request, stop_id: int):
    if not request.user.has_perm(VIEW_PERMISSION):
        return forbidden(request)
    stop = get_object_or_404(stops_for(request.user).select_related("venue", "commune"), pk=stop_id)
    stands = Stand.objects.active().filter(stop=stop).select_related("organisation", "pitch").order_by("created_at")
    pitches = Pitch.objects.filter(stop_id=stop.pk).order_by("number")
    content = stand_plan_pdf(stop, pitches=pitches, stands=stands, volunteers=volunteers_of(stop))
    return _pdf_response(content, f"plan-des-stands-{stop.start_date:%Y-%m-%d}.pdf")


def badges_pdf_view(request, stop_id: int):
    if not request.user.has_perm(VIEW_PERMISSION):
        return forbidden(request)
    stop = get_object_or_404(stops_for(request.user).select_related("venue", "commune"), pk=stop_id)
    stands = Stand.objects.confirmed().filter(stop=stop).select_related("organisation", "pitch")
    content = badges_pdf(stop, stands.order_by("pitch__number"))
    return _pdf_response(content, f"badges-{stop.start_date:%Y-%m-%d}.pdf")


class StandViewSet(ModelViewSet):
    model = Stand
    icon = "group"
    menu_label = gettext_lazy("Stands")
    menu_order = 165
    add_to_admin_menu = True
    name = NAMESPACE
    url_prefix = "stands"
    index_view_class = StandIndexView
    filterset_class = StandFilterSet
    list_per_page = 50
    ordering = ["-stop__start", "pitch__number", "created_at"]
    list_display = [
        "organisation",
        Column("stop", label=gettext_lazy("Étape"), accessor=_stop_column),
        Column("pitch", label=gettext_lazy("Emplacement"), accessor=_pitch_column, sort_key="pitch__number"),
        Column("status", label=gettext_lazy("Statut"), accessor=_status_column, sort_key="status"),
        Column("contact_name", label=gettext_lazy("Sur le stand"), sort_key="contact_name"),
        DateColumn("created_at", label=gettext_lazy("Demandé le"), sort_key="created_at"),
    ]
    search_fields = ["organisation__name", "contact_name", "contact_email"]
    form_fields = ["contact_name"]  # never shown: there is no add or edit view

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            # Where Wagtail links a stand (its URL finder, logs): the stand on its stop's page.
            path("edit/<int:pk>/", edit_redirect, name="edit"),
            path("etape/<int:stop_id>/", StopStandsView.as_view(), name="stop"),
            path("etape/<int:stop_id>/stand/<int:stand_id>/confirmer/", confirm_view, name="confirm"),
            path("etape/<int:stop_id>/stand/<int:stand_id>/deplacer/", move_view, name="move"),
            path("etape/<int:stop_id>/stand/<int:stand_id>/refuser/", refuse_view, name="refuse"),
            path("etape/<int:stop_id>/plan-des-stands.pdf", plan_pdf_view, name="plan_pdf"),
            path("etape/<int:stop_id>/badges.pdf", badges_pdf_view, name="badges_pdf"),
        ]


@hooks.register("register_admin_viewset")
def register_stands():
    return StandViewSet()


def _is_stop(page) -> bool:
    # specific_class reads the cached content type: no query per row of the page explorer.
    return page.specific_class is not None and issubclass(page.specific_class, VillageStopPage)


@hooks.register("register_page_listing_more_buttons")
def stop_stands_listing_button(page, user, next_url=None):
    if _is_stop(page) and user.has_perm(VIEW_PERMISSION):
        yield MenuItem(_("Stands de l'étape"), url=stop_stands_url(page.pk), icon_name="group", priority=45)


@hooks.register("register_page_header_buttons")
def stop_stands_header_button(page, user, view_name=None, next_url=None):
    if _is_stop(page) and user.has_perm(VIEW_PERMISSION):
        yield MenuItem(_("Stands de l'étape"), url=stop_stands_url(page.pk), icon_name="group", priority=66)


# Inviting an organisation's contact -------------------------------------------------------------------------


class InviteContactView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "events/admin/stands_invite.html"
    header_icon = "mail"
    page_title = gettext_lazy("Inviter un contact")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(INVITE_PERMISSION):
            return forbidden(request, _("Votre compte ne peut pas modifier les structures."))
        self.organisation = get_object_or_404(organisations_for(request.user), pk=kwargs["pk"])
        self.form = InviteContactForm(request.POST or None)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.organisation.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailsnippets_territory_organisation:list"),
                "label": capfirst(Organisation._meta.verbose_name_plural),
            },
            {"url": "", "label": self.organisation.name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            organisation=self.organisation,
            form=self.form,
            contacts=self.organisation.contacts.order_by("last_name", "first_name", "username"),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.form.is_valid():
            return self.render_to_response(self.get_context_data(**kwargs))
        user, created = invite_contact(
            self.organisation, name=self.form.cleaned_data["name"], email=self.form.cleaned_data["email"]
        )
        if created:
            message = _("Compte créé pour %(email)s et rattaché à %(organisation)s ; l'invitation est envoyée.")
        else:
            message = _("%(email)s est contact de %(organisation)s ; un lien pour choisir un mot de passe est envoyé.")
        messages.success(request, message % {"email": user.email, "organisation": self.organisation.name})
        return redirect(reverse("events_invite_contact", args=[self.organisation.pk]))


@hooks.register("register_admin_urls")
def register_invitation_url():
    return [path("structures/<int:pk>/inviter/", InviteContactView.as_view(), name="events_invite_contact")]


@hooks.register("register_snippet_listing_buttons")
def invite_contact_button(snippet, user, next_url=None):
    if isinstance(snippet, Organisation) and user.has_perm(INVITE_PERMISSION):
        yield MenuItem(
            _("Inviter un contact"),
            url=reverse("events_invite_contact", args=[snippet.pk]),
            icon_name="mail",
            priority=50,
        )
