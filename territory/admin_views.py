"""Views of the admin snippets (registered in wagtail_hooks.py), shared with the other apps' admin."""

import datetime as dt
import functools

from django.contrib.admin.utils import unquote
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.views.snippets import IndexView, InspectView, SnippetViewSet

from cms.search import matching_words

from .models import Territory, Venue

UPCOMING_OCCURRENCES = 5
TIME_FORMAT = r"G \h i"  # "8 h 00", as French typography writes hours
DAY_AND_TIME_FORMAT = r"l j F Y, G \h i"


class FoldedSearchMixin:
    """Searches `search_fields` in the database, ignoring case and accents: "fetes" finds "Fêtes".

    Wagtail's database search is `icontains`, and SQLite's LIKE folds ASCII case only:
    "élus" would miss "Élus". The public directory folds both sides the same way
    (cms/search.py); the admin uses the same rule so both searches find the same rows.
    """

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return matching_words(queryset, self.search_query, list(self.search_fields))


class FoldedSearchIndexView(FoldedSearchMixin, IndexView):
    pass


class ReadableInspectView(InspectView):
    """Wagtail's inspect view, with French words where it would print Python values.

    The generic view shows True, False and None as such, and labels a computed row
    with its attribute name: `field_labels` names those rows instead.
    """

    field_labels: dict = {}

    def get_field_label(self, field_name, field):
        if field_name in self.field_labels:
            return self.field_labels[field_name]
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            # The generic template formats the value as given: without this, in UTC.
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, bool):
            return _("Oui") if value else _("Non")
        if value is None or value == "":
            return "—"
        return value


def occurrence_label(start, end) -> str:
    """ "samedi 28 novembre 2026, 8 h 00 – 13 h 00": both ends are already Paris wall-clock times."""
    return f"{date_format(start, DAY_AND_TIME_FORMAT)} – {time_format(end, TIME_FORMAT)}"


class VenueInspectView(ReadableInspectView):
    """The venue, then the dates its recurrence gives: what an organiser checks before planning a stop."""

    field_labels = {"recurrence_label": _("Récurrence"), "next_occurrences": _("Prochaines dates")}

    def get_object(self, queryset=None):
        return get_object_or_404(Venue.objects.select_related("commune"), pk=unquote(str(self.pk)))

    def get_next_occurrences_display_value(self):
        occurrences = self.object.next_occurrences(count=UPCOMING_OCCURRENCES)
        if not occurrences:
            return _("Ce lieu n'a pas de récurrence.")
        return format_html(
            '<ol class="venue-occurrences">{}</ol>',
            format_html_join("", "<li>{}</li>", ((occurrence_label(start, end),) for start, end in occurrences)),
        )


class OrganisationInspectView(ReadableInspectView):
    field_labels = {"updated_at": _("Dernière mise à jour")}


# Several territories: snippets narrowed to the user's territories ---------------------------------


class TerritoryScopedSnippetViewSet(SnippetViewSet):
    """A snippet narrowed to the territories the user acts for (territory/access.py).

    `territory_lookup` leads from the model to its territory ("commune__territory", "pk" for
    territories themselves). The list reads get_queryset; Wagtail's views of one object (edit,
    delete, inspect, history, usage) look it up in the whole table, so each answers 404 first
    for an object of another territory; bulk deletion is refused by the hook below. Forms offer
    only the user's communes (admin_forms.TerritoryScopedChoicesMixin).
    """

    territory_lookup = ""

    def scoped(self, user):
        from .access import territories_for

        return self.model.objects.filter(**{f"{self.territory_lookup}__in": territories_for(user)})

    def get_queryset(self, request):
        return self.scoped(request.user)

    def construct_view(self, view_class, **kwargs):
        view = super().construct_view(view_class, **kwargs)

        @functools.wraps(view)
        def scoped_view(request, *args, **kwargs):
            pk = kwargs.get("pk")
            if pk is not None and not self.scoped(request.user).filter(pk=unquote(str(pk))).exists():
                raise Http404
            return view(request, *args, **kwargs)

        return scoped_view


@hooks.register("before_delete_snippet")
def refuse_deleting_other_territories(request, instances):
    """Snippet deletion, one or in bulk: Wagtail's bulk action checks the model permission only,
    so an id of another territory typed in the address is refused here (404), for every snippet
    whose viewset is narrowed by territory (a `scoped(user)` queryset)."""
    for instance in instances:
        viewset = getattr(type(instance), "snippet_viewset", None)
        scoped = getattr(viewset, "scoped", None)
        if scoped is not None and not scoped(request.user).filter(pk=instance.pk).exists():
            raise Http404


def user_communes(request):
    """The communes a list filter offers: those of the user's territories."""
    from .access import territories_for
    from .models import Commune

    if request is None:
        return Commune.objects.none()
    return Commune.objects.filter(territory__in=territories_for(request.user)).order_by("name")


def user_territories(request):
    from .access import territories_for

    return territories_for(request.user) if request is not None else Territory.objects.none()
