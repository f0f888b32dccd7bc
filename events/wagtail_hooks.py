"""The "Événements" menu item: every event of every kind in one flat, filterable list.

The page explorer shows the agenda's children in tree order; organisers rather ask
"what is on in Anzin in March" or "which village stops are postponed", across kinds.
"""

from django.forms import CheckboxSelectMultiple
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_filters import DateFromToRangeFilter, ModelChoiceFilter, MultipleChoiceFilter
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.ui.tables import Column
from wagtail.admin.ui.tables.pages import BulkActionsColumn, PageStatusColumn, PageTitleColumn
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import DeleteView, EditView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.views.pages.listing import IndexView, PageFilterSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.viewsets.pages import PageListingViewSet

from territory.access import territories_for
from territory.admin_views import FoldedSearchMixin
from territory.models import PARIS, Commune

from . import admin_registrations as registrations_admin
from .models import AgendaPage, EventKind, EventPage, EventStatus, Registration
from .services.registrations import promote_waitlist


def _start_label(event) -> str:
    return date_format(timezone.localtime(event.start, PARIS), "j F Y, H:i")


class EventFilterSet(PageFilterSet):
    kind = MultipleChoiceFilter(label=_("Type"), choices=EventKind.choices, widget=CheckboxSelectMultiple)
    status = MultipleChoiceFilter(label=_("Statut"), choices=EventStatus.choices, widget=CheckboxSelectMultiple)
    commune = ModelChoiceFilter(
        label=_("Commune"),
        queryset=lambda request: (
            Commune.objects.filter(events__isnull=False, territory__in=territories_for(request.user))
            .distinct()
            .order_by("name")
        ),
    )
    start_date = DateFromToRangeFilter(label=_("Date (heure de Paris)"), widget=DateRangePickerWidget)
    # One site, and event pages have no children: these page filters would only add noise.
    site = None
    has_child_pages = None

    class Meta:
        model = EventPage
        fields = []


class EventIndexView(FoldedSearchMixin, IndexView):
    """Searched in the database rather than the search index, which declares only `kind`
    as a filter field and so would refuse a search combined with the other filters."""

    page_title = _("Tous les événements")
    search_fields = ["title", "summary"]

    def get_base_queryset(self):
        # The specific pages are fetched per kind after the base query: ask for the
        # venue and commune in those queries too, or each row would fetch its own.
        # Only the events of the territories the organiser acts for.
        return (
            super()
            .get_base_queryset()
            .filter(commune__territory__in=territories_for(self.request.user))
            .select_related("venue", "commune", for_specific_subqueries=True)
        )

    def get_ordering(self):
        ordering = super().get_ordering()
        # Wagtail leaves a search unordered for the index's relevance ranking, which
        # the database search (FoldedSearchMixin) does not have.
        return ordering or self.default_ordering

    def get_add_url(self):
        # "Add" on a listing of the base EventPage would open a form for EventPage,
        # which is not creatable: send organisers to the agenda's choice of kinds.
        agenda = AgendaPage.objects.first()
        if agenda and agenda.permissions_for_user(self.request.user).can_add_subpage():
            return reverse("wagtailadmin_pages:add_subpage", args=[agenda.pk])
        return None


class EventListingViewSet(PageListingViewSet):
    model = EventPage
    index_view_class = EventIndexView
    icon = "date"
    menu_label = _("Événements")
    menu_order = 150
    add_to_admin_menu = True
    name = "events"
    filterset_class = EventFilterSet
    ordering = "-start"
    columns = [
        BulkActionsColumn("bulk_actions"),
        PageTitleColumn("title", label=_("Titre"), sort_key="title", classname="title"),
        Column("kind", label=_("Type"), accessor="get_kind_display", sort_key="kind"),
        Column("start", label=_("Début"), accessor=_start_label, sort_key="start"),
        Column("place", label=_("Lieu"), accessor="place_label"),
        Column("event_status", label=_("Statut"), accessor="get_status_display", sort_key="status"),
        PageStatusColumn("status", label=_("Publication"), sort_key="live"),
    ]


@hooks.register("register_admin_viewset")
def register_event_listing():
    return EventListingViewSet()


# Registrations ---------------------------------------------------------------------------
# The views of events/admin_registrations.py, each narrowed to the registrations of the events
# of the territories the organiser acts for: another territory's registration answers 404.


def registrations_for(user):
    return Registration.objects.filter(event__commune__territory__in=territories_for(user))


def registration_events_for(user):
    return registrations_admin.events_taking_registrations().filter(commune__territory__in=territories_for(user))


class RegistrationOfUserMixin:
    """Looks the registration up like the view it extends, then answers 404 outside the user's territories."""

    def get_object(self, *args, **kwargs):
        registration = super().get_object(*args, **kwargs)
        if not registrations_for(self.request.user).filter(pk=registration.pk).exists():
            raise Http404
        return registration


class ScopedRegistrationFilterSet(registrations_admin.RegistrationFilterSet):
    event = registrations_admin.ModelChoiceFilter(
        label=_("Événement"),
        queryset=lambda request: registration_events_for(request.user).filter(registrations__isnull=False).distinct(),
    )


class ScopedRegistrationIndexView(registrations_admin.RegistrationIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(event__in=registration_events_for(self.request.user))


class TerritoryChoicesMixin:
    """The form offers only the events and communes of the territories the user acts for."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        territories = territories_for(self.request.user)
        if "event" in form.fields:
            form.fields["event"].queryset = form.fields["event"].queryset.filter(commune__territory__in=territories)
        for name in ("home_commune", "mandate_commune"):
            if name in form.fields:
                form.fields[name].queryset = form.fields[name].queryset.filter(territory__in=territories)
        return form


class ScopedWalkInCreateView(TerritoryChoicesMixin, registrations_admin.WalkInCreateView):
    pass


class ScopedRegistrationInspectView(RegistrationOfUserMixin, registrations_admin.RegistrationInspectView):
    pass


class ScopedRegistrationEditView(RegistrationOfUserMixin, TerritoryChoicesMixin, EditView):
    pass


class ScopedRegistrationDeleteView(RegistrationOfUserMixin, DeleteView):
    pass


class ScopedRegistrationHistoryView(RegistrationOfUserMixin, HistoryView):
    pass


class ScopedRegistrationUsageView(RegistrationOfUserMixin, UsageView):
    pass


def _scoped_action(view_class):
    class ScopedAction(view_class):
        def setup(self, request, *args, **kwargs):
            super().setup(request, *args, **kwargs)
            if not registrations_for(request.user).filter(pk=self.object.pk).exists():
                raise Http404

    ScopedAction.__name__ = f"Scoped{view_class.__name__}"
    return ScopedAction


SCOPED_ACTION_VIEWS = {name: _scoped_action(view) for name, view in registrations_admin.ACTION_VIEWS.items()}


class ScopedRegistrationViewSet(registrations_admin.RegistrationViewSet):
    index_view_class = ScopedRegistrationIndexView
    add_view_class = ScopedWalkInCreateView
    inspect_view_class = ScopedRegistrationInspectView
    edit_view_class = ScopedRegistrationEditView
    delete_view_class = ScopedRegistrationDeleteView
    history_view_class = ScopedRegistrationHistoryView
    usage_view_class = ScopedRegistrationUsageView
    filterset_class = ScopedRegistrationFilterSet

    def get_urlpatterns(self):
        # The parent's patterns with each row action swapped for its scoped twin.
        actions = [
            path(
                f"{name}/<int:pk>/",
                view_class.as_view(permission_policy=self.permission_policy, index_url_name=self.get_url_name("index")),
                name=name,
            )
            for name, view_class in SCOPED_ACTION_VIEWS.items()
        ]
        return [*ModelViewSet.get_urlpatterns(self), *actions]


@hooks.register("register_admin_viewset")
def register_registrations():
    return ScopedRegistrationViewSet()


@hooks.register("after_publish_page")
def promote_waitlist_after_publish(request, page):
    """A capacity raised (or removed) in the page editor frees seats: give them to the people
    waiting right away, rather than at the next registration or cancellation."""
    if isinstance(page, EventPage) and page.takes_registrations:
        promoted = promote_waitlist(page)
        if promoted:
            messages.success(
                request,
                _(
                    "Places libérées : %(count)s inscription(s) sortie(s) de la liste d'attente, prévenue(s) par courriel."
                )
                % {"count": len(promoted)},
            )


# The village's back office registers its own menu items and views (at import).
from . import admin_stands, admin_village, admin_visits  # noqa: E402, F401
