"""Views of the admin snippets (registered in wagtail_hooks.py), shared with the other apps' admin."""

import datetime as dt

from django.contrib.admin.utils import unquote
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import IndexView, InspectView

from cms.search import matching_words

from .models import Venue

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
