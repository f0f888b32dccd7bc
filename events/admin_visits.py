"""The organisers' "Demandes des communes": the list, one request with the commune's history, the decisions.

A request is the commune's own words: the admin reads it and never edits it (the
permission policy below refuses adding, changing and deleting to everyone). Organisers
answer it with three actions, each a form posting to its own view that calls
events/services/visits.py: accept on a date (which creates the draft stop), propose another
date, decline with a reason. The services lock the request, record its history and queue
the commune's emails; a refusal (the kit is taken that day, the request was answered in
the meantime) comes back as the service's message on the form, and nothing changes.
"""

import datetime as dt

from django import forms
from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.permission_policies import ModelPermissionPolicy

from territory.access import territories_for
from territory.admin_views import FoldedSearchMixin, ReadableInspectView, occurrence_label
from territory.models import PARIS, Commune, Venue

from .admin_village import FITS_THE_SCREEN, NEXT_OCCURRENCES, show_service_error
from .models import VillageFormat, VisitRequest, VisitRequestStatus
from .services import visits as service
from .services.village import VillageError
from .services.visits import VisitRequestError

SHORT_DATE = "j N Y"  # "6 juin 2026", "23 nov. 2026": French abbreviations ("M" gives "Jui" for June and July)


class VisitRequestPermissionPolicy(ModelPermissionPolicy):
    """Viewing needs view_visitrequest and answering decide_visitrequest; the commune's
    request itself is never added, changed or deleted from the admin."""

    READ_ONLY = {"add", "change", "delete"}

    def user_has_permission(self, user, action):
        return action not in self.READ_ONLY and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a not in self.READ_ONLY])


def visit_requests_for(user):
    """The requests of the communes of the territories the user acts for: every view starts here,
    so another territory's request answers 404 and never shows in the list or its filters."""
    return VisitRequest.objects.filter(commune__territory__in=territories_for(user))


# Listing ----------------------------------------------------------------------------------------


def _months_received(requests=None):
    requests = VisitRequest.objects.all() if requests is None else requests
    months = requests.datetimes("created_at", "month", order="DESC", tzinfo=PARIS)
    return [(f"{month:%Y-%m}", capfirst(date_format(month, "F Y"))) for month in months]


class VisitRequestFilterSet(WagtailFilterSet):
    status = ChoiceFilter(label=gettext_lazy("Statut"), choices=VisitRequestStatus.choices)
    commune = ModelChoiceFilter(
        label=gettext_lazy("Commune"),
        queryset=lambda request: (
            Commune.objects.filter(visit_requests__isnull=False, territory__in=territories_for(request.user))
            .distinct()
            .order_by("name")
        ),
    )
    month = ChoiceFilter(label=gettext_lazy("Reçue en"), choices=_months_received, method="filter_month")

    class Meta:
        model = VisitRequest
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # The months of the user's territories' requests only.
        if request is not None:
            self.filters["month"].extra["choices"] = _months_received(visit_requests_for(request.user))

    def filter_month(self, queryset, name, value):
        year, month = (int(part) for part in value.split("-"))
        first = dt.datetime(year, month, 1, tzinfo=PARIS)
        following = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=PARIS)
        return queryset.filter(created_at__gte=first, created_at__lt=following)


def _received_label(request) -> str:
    return date_format(timezone.localtime(request.created_at, PARIS), SHORT_DATE)


def _dates_label(request) -> str:
    parts = [date_format(day, SHORT_DATE) for day in request.preferred_dates]
    if request.flexible_from and request.flexible_until:
        parts.append(
            _("du %(start)s au %(end)s")
            % {
                "start": date_format(request.flexible_from, SHORT_DATE),
                "end": date_format(request.flexible_until, SHORT_DATE),
            }
        )
    return " · ".join(parts)


def _last_visit_label(request) -> str:
    if request.last_visit is None:
        return _("jamais")
    return date_format(timezone.localtime(request.last_visit, PARIS), SHORT_DATE)


class VisitRequestIndexView(FoldedSearchMixin, generic.IndexView):
    """Searched in the database, ignoring case and accents (see FoldedSearchMixin)."""

    def get_base_queryset(self):
        return visit_requests_for(self.request.user).select_related("commune")

    def get_table(self, object_list):
        requests = list(object_list)
        # The village's last visit of each commune: one query per territory on the page, not per row.
        last = {}
        for territory_id in {request.commune.territory_id for request in requests}:
            last.update(service.last_visits(territory_id))
        for request in requests:
            request.last_visit = last.get(request.commune_id)
        return super().get_table(requests)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for button in buttons:
            button.label = _("Ouvrir la demande")
        return buttons


# One request and the decisions ------------------------------------------------------------------


class VenueNameField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StopDatesForm(forms.Form):
    """When and where the village would come. A request naming a recurring market is offered
    the market's next dates: choosing one stands for the start and the end."""

    occurrence = forms.ChoiceField(
        label=gettext_lazy("Une date du marché"), required=False, widget=forms.Select(attrs=FITS_THE_SCREEN)
    )
    start = forms.DateTimeField(label=gettext_lazy("Début"), required=False, widget=AdminDateTimeInput)
    end = forms.DateTimeField(label=gettext_lazy("Fin"), required=False, widget=AdminDateTimeInput)
    venue = VenueNameField(
        label=gettext_lazy("Lieu"),
        queryset=Venue.objects.none(),
        required=False,
        widget=forms.Select(attrs=FITS_THE_SCREEN),
    )
    village_format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=VillageFormat.choices, initial=VillageFormat.FULL_VILLAGE
    )

    def __init__(self, *args, visit_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit_request = visit_request
        venue = self.fields["venue"]
        venue.queryset = Venue.objects.filter(commune_id=visit_request.commune_id).order_by("name")
        venue.initial = visit_request.venue_id
        # An empty choice keeps the request's own venue (the service's rule), or none if it named none.
        venue.empty_label = (
            _("— Le lieu demandé : %(venue)s —") % {"venue": visit_request.venue.name}
            if visit_request.venue_id
            else _("— Sans lieu précis : la commune —")
        )
        self.market = visit_request.venue if visit_request.venue_id and visit_request.venue.recurrence else None
        self.occurrences = {}
        if self.market is not None:
            self.occurrences = {
                f"{start:%Y-%m-%d %H:%M}": (start, end) for start, end in self.market.next_occurrences(NEXT_OCCURRENCES)
            }
        if self.occurrences:
            occurrence = self.fields["occurrence"]
            occurrence.choices = [
                ("", _("— Autre horaire : saisir le début et la fin —")),
                *((key, occurrence_label(start, end)) for key, (start, end) in self.occurrences.items()),
            ]
            occurrence.help_text = _("Les prochaines dates de « %(venue)s » ; le début et la fin en sont repris.") % {
                "venue": self.market.name
            }
        else:
            del self.fields["occurrence"]

    def clean(self):
        data = super().clean()
        chosen = data.get("occurrence")
        if chosen:
            venue = data.get("venue")
            if venue is not None and venue != self.market:
                self.add_error(
                    "occurrence",
                    _("Ces dates sont celles de « %(market)s » : choisissez ce lieu, ou saisissez le début et la fin.")
                    % {"market": self.market.name},
                )
            else:
                data["start"], data["end"] = self.occurrences[chosen]
                data["venue"] = self.market
        else:
            for name in ("start", "end"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(
                        name,
                        _("Indiquez le début et la fin, ou choisissez une date du marché.")
                        if self.occurrences
                        else _("Indiquez le début et la fin."),
                    )
        return data


class AcceptForm(StopDatesForm):
    note = forms.CharField(
        label=gettext_lazy("Précision (gardée dans l'historique)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposeForm(StopDatesForm):
    note = forms.CharField(
        label=gettext_lazy("Message à la commune"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Envoyé avec la date proposée : pourquoi cette date plutôt que les siennes."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif (envoyé à la commune)"),
        # The service requires it and says why; the attribute lets the browser say so first.
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )

    def __init__(self, *args, visit_request=None, **kwargs):
        # The same signature as the date forms; a reason needs nothing from the request.
        super().__init__(*args, **kwargs)


DECISION_FORMS = {"accept": AcceptForm, "propose": ProposeForm, "decline": DeclineForm}


class VisitRequestDetailView(ReadableInspectView):
    """Everything the commune wrote, the village's history in the commune, the request's own history,
    and the three decisions for whoever may take them."""

    template_name = "events/admin/visit_request.html"
    page_title = gettext_lazy("Demande de commune")
    field_labels = {
        "place": gettext_lazy("Lieu"),
        "preferred_dates": gettext_lazy("Dates souhaitées"),
        "flexible_period": gettext_lazy("Ou pendant la période"),
    }

    def get_object(self, queryset=None):
        return get_object_or_404(
            visit_requests_for(self.request.user).select_related("commune", "venue", "proposed_venue", "stop"),
            pk=unquote(str(self.pk)),
        )

    def get_page_subtitle(self):
        return _("%(commune)s, reçue le %(day)s") % {
            "commune": self.object.commune.name,
            "day": date_format(timezone.localtime(self.object.created_at, PARIS), "j F Y"),
        }

    def get_place_display_value(self):
        return self.object.place_label or "—"

    def get_preferred_dates_display_value(self):
        return ", ".join(date_format(day, "l j F Y") for day in self.object.preferred_dates) or "—"

    def get_flexible_period_display_value(self):
        if not (self.object.flexible_from and self.object.flexible_until):
            return "—"
        return _("du %(start)s au %(end)s") % {
            "start": date_format(self.object.flexible_from, "j F Y"),
            "end": date_format(self.object.flexible_until, "j F Y"),
        }

    def proposed_label(self) -> str:
        request = self.object
        if request.status != VisitRequestStatus.DATE_PROPOSED or not (request.proposed_start and request.proposed_end):
            return ""
        return occurrence_label(
            timezone.localtime(request.proposed_start, PARIS), timezone.localtime(request.proposed_end, PARIS)
        )

    def decision_forms(self, bound=None):
        if not (self.object.is_open and self.user_has_permission("decide")):
            return None
        forms_ = {
            name: form_class(visit_request=self.object, prefix=name) for name, form_class in DECISION_FORMS.items()
        }
        if bound is not None:
            forms_[bound.prefix] = bound
        return forms_

    def get_context_data(self, bound_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.object
        decision_forms = self.decision_forms(bound_form)
        media = forms.Media()
        for form in (decision_forms or {}).values():
            media += form.media
        context.update(
            visit_request=request,
            proposed_label=self.proposed_label(),
            commune_history=service.commune_history(request.commune, exclude_request=request),
            history=request.history.select_related("by"),
            forms=decision_forms,
            media=media,
            action_urls={name: reverse(f"visit_requests:{name}", args=[request.pk]) for name in DECISION_FORMS},
        )
        return context


class DecisionView(VisitRequestDetailView):
    """POST only: calls the service; a refusal shows on the request's page with the form as it was sent."""

    any_permission_required = None
    permission_required = "decide"
    http_method_names = ["post"]
    name = ""

    def post(self, request, *args, **kwargs):
        form = DECISION_FORMS[self.name](request.POST, visit_request=self.object, prefix=self.name)
        if form.is_valid():
            try:
                return self.decide(form.cleaned_data)
            except (VisitRequestError, VillageError) as error:
                if not self.object.is_open:
                    # Answered by someone else since the page was loaded: no form left to show the error on.
                    messages.error(request, error.message)
                    return redirect("visit_requests:inspect", self.object.pk)
                show_service_error(form, error)
        return self.render_to_response(self.get_context_data(bound_form=form))

    def decide(self, data):
        raise NotImplementedError

    def dates(self, data) -> dict:
        return {
            "start": data["start"],
            "end": data["end"],
            "venue": data.get("venue"),
            "village_format": data["village_format"],
            "note": data.get("note", ""),
        }


class AcceptView(DecisionView):
    name = "accept"

    def decide(self, data):
        stop = service.accept_visit_request(self.object, by=self.request.user, **self.dates(data))
        messages.success(
            self.request,
            _(
                "Demande acceptée : l'étape du %(day)s est créée en brouillon. "
                "Complétez-la puis publiez-la ; la commune est prévenue par courriel."
            )
            % {"day": date_format(timezone.localtime(stop.start, PARIS), "l j F Y")},
        )
        return redirect("wagtailadmin_pages:edit", stop.pk)


class ProposeView(DecisionView):
    name = "propose"

    def decide(self, data):
        service.propose_visit_date(self.object, by=self.request.user, **self.dates(data))
        messages.success(
            self.request,
            _("Date proposée à la commune : elle l'accepte ou la décline depuis son lien de suivi."),
        )
        return redirect("visit_requests:inspect", self.object.pk)


class DeclineView(DecisionView):
    name = "decline"

    def decide(self, data):
        service.decline_visit_request(self.object, by=self.request.user, reason=data["reason"])
        messages.success(self.request, _("Demande déclinée : la commune reçoit le motif par courriel."))
        return redirect("visit_requests:inspect", self.object.pk)


DECISION_VIEWS = {"accept": AcceptView, "propose": ProposeView, "decline": DeclineView}


# The viewset ------------------------------------------------------------------------------------


class VisitRequestViewSet(ModelViewSet):
    model = VisitRequest
    icon = "mail"
    menu_label = gettext_lazy("Demandes des communes")
    menu_order = 170
    add_to_admin_menu = True
    name = "visit_requests"
    url_prefix = "demandes-des-communes"
    index_view_class = VisitRequestIndexView
    inspect_view_enabled = True
    inspect_view_class = VisitRequestDetailView
    copy_view_enabled = False
    filterset_class = VisitRequestFilterSet
    search_fields = ["commune__name", "contact_name", "email"]
    list_per_page = 50
    ordering = "-created_at"
    list_display = [
        "commune",
        Column("created_at", label=gettext_lazy("Reçue le"), accessor=_received_label, sort_key="created_at"),
        Column("dates", label=gettext_lazy("Dates ou période souhaitées"), accessor=_dates_label),
        Column("occasion", label=gettext_lazy("Occasion"), accessor="get_occasion_display"),
        Column("status", label=gettext_lazy("Statut"), accessor="get_status_display", sort_key="status"),
        Column("last_visit", label=gettext_lazy("Dernier passage du village"), accessor=_last_visit_label),
    ]
    inspect_view_fields = [
        "commune",
        "contact_name",
        "contact_role",
        "email",
        "phone",
        "occasion",
        "occasion_detail",
        "place",
        "preferred_dates",
        "flexible_period",
        "expected_audience",
        "has_power",
        "space",
        "has_parking",
        "message",
    ]

    @property
    def permission_policy(self):
        return VisitRequestPermissionPolicy(self.model)

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().exclude(codename__in=["add_visitrequest", "delete_visitrequest"])

    def get_urlpatterns(self):
        # No add, edit, copy or delete: the request stays as the commune wrote it.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            *(
                path(f"{name}/<int:pk>/", self.construct_view(view_class, **self.get_inspect_view_kwargs()), name=name)
                for name, view_class in DECISION_VIEWS.items()
            ),
        ]


@hooks.register("register_admin_viewset")
def register_visit_requests():
    return VisitRequestViewSet()
