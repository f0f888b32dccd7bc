"""The village's back office: the kits, cancelling or moving an event, a market's next dates.

- "Kits du village" (menu): the territory's usual number of kits and the days with more
  (or fewer), the KitDay rows. The kit rule itself lives in events/services/village.py.
- "Annuler ou reporter" (a button in the header of every event page's editor): one form
  to cancel, one to move, both calling the services, which tell everyone concerned.
- /admin/village/venue/<id>/occurrences/: a recurring market's next dates as JSON, read by
  static/js/admin-stop-occurrences.js in a stop's editor to fill its start and end.

The village's menu items sit next to each other: stands (165, events/admin_stands.py),
commune requests (170, events/admin_visits.py), kits (172).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from django_filters import ModelChoiceFilter
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.permission_policies.pages import PagePermissionPolicy

from territory.access import territories_for
from territory.admin_views import occurrence_label
from territory.models import PARIS, Territory, Venue

from .models import (
    EventPage,
    EventStatus,
    KitDay,
    VillageStopPage,
)
from .services import village as service
from .services.village import VillageError

MAX_KITS = 20
# A select is as wide as its longest option ("samedi 28 novembre 2026, 8 h 00 – 13 h 00"):
# on a 390 px phone it would overflow the form.
FITS_THE_SCREEN = {"style": "max-width: 100%"}
NEXT_OCCURRENCES = 8
HOUR = r"G \h i"  # "8 h 00", as French typography writes hours
DAY_AND_HOUR = r"l j F Y, G \h i"

# A VillageError carries no field: where each code belongs on a form with start and end.
ERROR_FIELDS = {
    "kit_unavailable": "start",
    "times_required": "start",
    "date_in_past": "start",
    "end_before_start": "end",
    "several_days": "end",
    "reason_required": "reason",
}


def show_service_error(form, error) -> None:
    """Put a service's refusal (VillageError, VisitRequestError) on the field it is about."""
    field = getattr(error, "field", None) or ERROR_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, error.message)


def local_label(value: dt.datetime, fmt: str = DAY_AND_HOUR) -> str:
    return date_format(timezone.localtime(value, PARIS), fmt)


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.commune.name})"


def venue_choices(user):
    return (
        Venue.objects.filter(commune__territory__in=territories_for(user))
        .select_related("commune")
        .order_by("commune__name", "name")
    )


def events_for(user):
    """The events of the territories the user acts for: another territory's event answers 404."""
    return EventPage.objects.filter(commune__territory__in=territories_for(user))


# Kits ------------------------------------------------------------------------------------------


class UsualKitsForm(forms.ModelForm):
    village_kits = forms.IntegerField(
        label=gettext_lazy("Kits habituels"),
        min_value=0,
        max_value=MAX_KITS,
        error_messages={"max_value": gettext_lazy("%(limit_value)s kits au plus.")},
        help_text=gettext_lazy(
            "Combien d'étapes du village peuvent avoir lieu le même jour, hors journées particulières."
        ),
    )

    class Meta:
        model = Territory
        fields = ["village_kits"]


class KitDayForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kits"].widget.attrs["max"] = MAX_KITS
        # Wagtail's model views pass the acting user (for_user): a day is set for one of their territories only.
        territories = territories_for(self.for_user).order_by("name")
        self.fields["territory"].queryset = territories
        if not self.instance.pk and not self.initial.get("territory"):
            default = Territory.default()
            first = default if default is not None and default in territories else territories.first()
            self.initial["territory"] = getattr(first, "pk", None)

    def clean_kits(self):
        kits = self.cleaned_data["kits"]
        if kits > MAX_KITS:
            raise forms.ValidationError(_("%(max)s kits au plus.") % {"max": MAX_KITS})
        return kits

    def clean(self):
        data = super().clean()
        territory, day = data.get("territory"), data.get("date")
        if territory and day:
            taken = KitDay.objects.filter(territory=territory, date=day).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(
                    "date",
                    _("Le %(day)s a déjà son nombre de kits : modifiez cette journée plutôt.")
                    % {"day": date_format(day, "j F Y")},
                )
        return data

    def validate_constraints(self):
        # The unique (territory, date) constraint is checked in clean(), with a message in French.
        pass


def overbooked_days(territory: Territory) -> list[str]:
    """The coming days with more scheduled stops than kits: what a lowered number leaves to sort out."""
    today = timezone.localtime(timezone.now(), PARIS).date()
    counts = (
        VillageStopPage.objects.filter(
            commune__territory=territory, status=EventStatus.SCHEDULED, start_date__gte=today
        )
        .values("start_date")
        .annotate(stops=Count("pk"))
        .order_by("start_date")
    )
    special = dict(KitDay.objects.filter(territory=territory, date__gte=today).values_list("date", "kits"))
    return [
        _("%(day)s : %(stops)s étapes pour %(kits)s kit(s)")
        % {"day": date_format(row["start_date"], "j F Y"), "stops": row["stops"], "kits": kits}
        for row in counts
        if row["stops"] > (kits := special.get(row["start_date"], territory.village_kits))
    ]


def kit_days_for(user):
    return KitDay.objects.filter(territory__in=territories_for(user))


class KitDayFilterSet(WagtailFilterSet):
    territory = ModelChoiceFilter(
        label=gettext_lazy("Territoire"), queryset=lambda request: territories_for(request.user).order_by("name")
    )

    class Meta:
        model = KitDay
        fields = []


class KitDayIndexView(generic.IndexView):
    """The days with more (or fewer) kits, under the territory's usual number, which the page also sets."""

    template_name = "events/admin/kit_days_index.html"
    page_title = gettext_lazy("Kits du village")

    @cached_property
    def add_item_label(self):
        return _("Ajouter une journée particulière")

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(territory__in=territories_for(self.request.user))
            .select_related("territory")
        )

    def get_table(self, object_list):
        rows = list(object_list)
        # How many stops already hold a kit each day of the page: one query for every row.
        held = {
            (row["commune__territory"], row["start_date"]): row["stops"]
            for row in VillageStopPage.objects.filter(
                status=EventStatus.SCHEDULED, start_date__in={kit_day.date for kit_day in rows}
            )
            .values("commune__territory", "start_date")
            .annotate(stops=Count("pk"))
            .order_by()
        }
        for kit_day in rows:
            kit_day.stops_held = held.get((kit_day.territory_id, kit_day.date), 0)
        return super().get_table(rows)

    def kits_forms(self, bound=None):
        forms_ = [
            UsualKitsForm(instance=territory, prefix=f"territory-{territory.pk}")
            for territory in territories_for(self.request.user).order_by("name")
        ]
        if bound is not None:
            forms_ = [bound if form.instance.pk == bound.instance.pk else form for form in forms_]
        return forms_

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kits_forms"] = self.kits_forms(getattr(self, "bound_kits_form", None))
        context["can_set_kits"] = self.user_has_permission("change")
        return context

    def post(self, request, *args, **kwargs):
        """Sets a territory's usual number of kits."""
        if not self.user_has_permission("change"):
            raise PermissionDenied
        territory = get_object_or_404(territories_for(request.user), pk=request.POST.get("territory"))
        form = UsualKitsForm(request.POST, instance=territory, prefix=f"territory-{territory.pk}")
        if not form.is_valid():
            self.bound_kits_form = form
            return self.get(request, *args, **kwargs)
        form.save()
        messages.success(
            request,
            ngettext(
                "%(territory)s : %(kits)s kit habituel.",
                "%(territory)s : %(kits)s kits habituels.",
                territory.village_kits,
            )
            % {"territory": territory.name, "kits": territory.village_kits},
        )
        overbooked = overbooked_days(territory)
        if overbooked:
            messages.warning(
                request,
                _(
                    "Plus d'étapes que de kits ces jours-là : %(days)s. Ajoutez une journée à plusieurs kits ou déplacez une étape."
                )
                % {"days": " ; ".join(overbooked)},
            )
        return redirect(self.index_url)


class KitDaysOfUserMixin:
    """Another territory's kit day answers 404 in the edit, delete, history and usage views."""

    def get_queryset(self):  # edit, delete (Django's SingleObjectMixin)
        return kit_days_for(self.request.user)

    def get_base_object_queryset(self):  # history (Wagtail's BaseObjectMixin)
        return kit_days_for(self.request.user)


class KitDayEditView(KitDaysOfUserMixin, generic.EditView):
    pass


class KitDayDeleteView(KitDaysOfUserMixin, generic.DeleteView):
    pass


class KitDayHistoryView(KitDaysOfUserMixin, HistoryView):
    pass


class KitDayUsageView(KitDaysOfUserMixin, UsageView):
    pass


def _stops_held(kit_day) -> str:
    return ngettext("%(count)s étape programmée", "%(count)s étapes programmées", kit_day.stops_held) % {
        "count": kit_day.stops_held
    }


class KitDayViewSet(ModelViewSet):
    model = KitDay
    icon = "table"
    menu_label = gettext_lazy("Kits du village")
    menu_order = 172
    add_to_admin_menu = True
    name = "village_kits"
    url_prefix = "kits-du-village"
    index_view_class = KitDayIndexView
    edit_view_class = KitDayEditView
    delete_view_class = KitDayDeleteView
    history_view_class = KitDayHistoryView
    usage_view_class = KitDayUsageView
    copy_view_enabled = False
    list_display = [
        "date",
        Column("kits", label=gettext_lazy("Kits ce jour-là"), sort_key="kits"),
        Column("stops_held", label=gettext_lazy("Déjà pris"), accessor=_stops_held),
        "reason",
        "territory",
    ]
    filterset_class = KitDayFilterSet
    ordering = "date"
    edit_handler = ObjectList(
        [FieldPanel("territory"), FieldRowPanel([FieldPanel("date"), FieldPanel("kits")]), FieldPanel("reason")],
        base_form_class=KitDayForm,
    )


@hooks.register("register_admin_viewset")
def register_kit_days():
    return KitDayViewSet()


# Cancel or move an event -------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleToTell:
    registrants: int
    stand_holders: int
    volunteers: int
    commune: int
    # Each address once, whatever its parts (a volunteer who also holds a stand gets one email).
    total: int


def people_to_tell(event: EventPage) -> PeopleToTell:
    """Who services.village.cancel_event / move_event will write to, counted before asking."""
    people = service.people_concerned(event)
    by_audience = Counter(person.audience for person in people)
    return PeopleToTell(
        registrants=by_audience["registration"],
        stand_holders=by_audience["stand"],
        volunteers=by_audience["volunteer"],
        commune=by_audience["commune"],
        total=len(people),
    )


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif de l'annulation"),
        # Required by the service (its message is shown); the attribute lets the browser say so first.
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        help_text=gettext_lazy("Envoyé aux personnes prévenues et affiché sur la page de l'événement."),
    )


class MoveEventForm(forms.Form):
    """The venues offered are those of the territories the user acts for."""

    start = forms.DateTimeField(label=gettext_lazy("Nouveau début"), widget=AdminDateTimeInput)
    end = forms.DateTimeField(label=gettext_lazy("Nouvelle fin"), widget=AdminDateTimeInput)
    venue = VenueChoiceField(
        label=gettext_lazy("Nouveau lieu"),
        queryset=Venue.objects.none(),
        required=False,
        empty_label=gettext_lazy("— Le même lieu —"),
        widget=forms.Select(attrs=FITS_THE_SCREEN),
    )
    note = forms.CharField(
        label=gettext_lazy("Message aux personnes prévenues"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venue_choices(user)


class CancelOrMoveView(WagtailAdminTemplateMixin, TemplateView):
    """Cancel or move an event in one action: the page, the feeds and every person concerned follow."""

    template_name = "events/admin/cancel_or_move.html"
    page_title = gettext_lazy("Annuler ou reporter")
    header_icon = "date"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.event = get_object_or_404(events_for(request.user), pk=kwargs["page_id"]).specific

    def dispatch(self, request, *args, **kwargs):
        # The page changes and is republished: the same right as the editor's "Publish".
        if not self.event.permissions_for_user(request.user).can_publish():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.event.title

    @cached_property
    def edit_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.event.pk])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("events:index"), "label": _("Événements")},
            {"url": self.edit_url, "label": self.event.title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, cancel_form=None, move_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.event
        request = getattr(event, "visit_request", None) if isinstance(event, VillageStopPage) else None
        context.update(
            event=event,
            when=f"{local_label(event.start)} – {local_label(event.end, HOUR)}",
            people=people_to_tell(event),
            visit_request=request,
            cancel_form=cancel_form or CancelEventForm(prefix="cancel"),
            move_form=move_form or MoveEventForm(prefix="move", user=self.request.user),
            edit_url=self.edit_url,
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "cancel":
            form = CancelEventForm(request.POST, prefix="cancel")
            perform = self._cancel
        elif action == "move":
            form = MoveEventForm(request.POST, prefix="move", user=request.user)
            perform = self._move
        else:
            return redirect(request.path)
        if form.is_valid():
            try:
                told, done = perform(form.cleaned_data)
            except VillageError as error:
                show_service_error(form, error)
            else:
                messages.success(
                    request,
                    done
                    + " "
                    + ngettext("%(count)s personne prévenue.", "%(count)s personnes prévenues.", told)
                    % {"count": told},
                )
                return redirect(self.edit_url)
        return self.render_to_response(self.get_context_data(**{f"{action}_form": form}))

    def _cancel(self, data):
        told = service.cancel_event(self.event, by=self.request.user, reason=data["reason"])
        return told, _("Événement annulé.")

    def _move(self, data):
        told = service.move_event(
            self.event,
            start=data["start"],
            end=data["end"],
            venue=data.get("venue"),
            note=data.get("note", ""),
            by=self.request.user,
        )
        return told, _("Événement déplacé au %(day)s.") % {"day": local_label(data["start"])}


class CancelOrMoveMenuItem(PageMenuItem):
    label = gettext_lazy("Annuler ou reporter")
    icon_name = "date"
    url_name = "events_cancel_or_move"
    priority = 55

    def is_shown(self, user):
        return self.page.permissions_for_user(user).can_publish()


class VisitRequestMenuItem(PageMenuItem):
    icon_name = "mail"
    priority = 56

    def __init__(self, *, page, visit_request):
        super().__init__(
            label=_("Demande de la commune : %(status)s") % {"status": visit_request.get_status_display()},
            url=reverse("visit_requests:inspect", args=[visit_request.pk]),
            page=page,
        )

    def is_shown(self, user):
        return user.has_perm("events.view_visitrequest")


@hooks.register("register_page_header_buttons")
def event_header_buttons(page, user, view_name, next_url=None):
    page_class = page.specific_class
    if page_class is None or not issubclass(page_class, EventPage):
        return
    yield CancelOrMoveMenuItem(page=page)
    if issubclass(page_class, VillageStopPage):
        from .models import VisitRequest

        request = VisitRequest.objects.filter(stop_id=page.pk).only("pk", "status").first()
        if request is not None:
            yield VisitRequestMenuItem(page=page, visit_request=request)


# A market's next dates, for the stop's editor ----------------------------------------------------


@require_GET
def venue_occurrences(request, pk):
    """The venue's next dates as local wall-clock times: what the stop's start and end inputs take."""
    can_plan = PagePermissionPolicy().user_has_any_permission(request.user, ["add", "change", "publish"])
    if not (can_plan or request.user.has_perm("events.decide_visitrequest")):
        raise PermissionDenied
    venue = get_object_or_404(venue_choices(request.user), pk=pk)
    input_format = settings.WAGTAIL_DATETIME_FORMAT
    occurrences = []
    for start, end in venue.next_occurrences(NEXT_OCCURRENCES):
        occurrences.append(
            {
                "start": start.strftime("%Y-%m-%d %H:%M"),
                "end": end.strftime("%Y-%m-%d %H:%M"),
                # As the editor's date inputs show and read them (WAGTAIL_DATETIME_FORMAT).
                "start_input": start.strftime(input_format),
                "end_input": end.strftime(input_format),
                "label": occurrence_label(start, end),
            }
        )
    return JsonResponse({"venue": venue.name, "recurrence": venue.recurrence_label, "occurrences": occurrences})


@hooks.register("register_admin_urls")
def village_admin_urls():
    return [
        path("village/venue/<int:pk>/occurrences/", venue_occurrences, name="events_venue_occurrences"),
        path(
            "evenements/<int:page_id>/annuler-ou-reporter/",
            CancelOrMoveView.as_view(),
            name="events_cancel_or_move",
        ),
    ]


@hooks.register("insert_editor_js")
def stop_occurrences_js():
    return format_html(
        '<script src="{}" data-occurrences-url="{}" data-label="{}" data-help="{}" data-empty="{}" data-filled="{}" defer></script>',
        static("js/admin-stop-occurrences.js"),
        reverse("events_venue_occurrences", args=[0]),
        _("Prochaines dates du marché"),
        _("Choisir une date remplit le début et la fin ci-dessus."),
        _("— Choisir une date du marché —"),
        _("Début et fin remplis : %(label)s"),
    )
