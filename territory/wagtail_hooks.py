"""The "Territoire" menu of the admin: reference data, venues and the ESS directory.

Who may do what is decided by Django permissions, granted to the "Organisateurs" group
by cms/migrations/0002_organiser_group.py: territories and communes are
reference data loaded from territory/data/communes/, so organisers only view them and only
superusers edit them; venues, sectors and organisations are the organisers' own.
"""

from django import forms
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, NumberColumn, StatusFlagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_forms import SlugFromNameForm, VenueForm
from .admin_views import FoldedSearchIndexView, OrganisationInspectView, ReadableInspectView, VenueInspectView
from .models import Commune, Organisation, Sector, Territory, Venue


class TerritoryViewSet(SnippetViewSet):
    model = Territory
    icon = "globe"
    menu_label = _("Territoires")
    list_display = ["name", "siren", NumberColumn("commune_count", label=_("Communes"))]
    index_view_class = FoldedSearchIndexView
    search_fields = ["name", "siren"]
    inspect_view_enabled = True
    inspect_view_class = ReadableInspectView
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("siren")]

    def get_queryset(self, request):
        return Territory.objects.annotate(commune_count=Count("communes"))


class CommuneViewSet(SnippetViewSet):
    model = Commune
    icon = "home"
    menu_label = _("Communes")
    list_display = [
        "name",
        "insee_code",
        Column("postcodes", label=_("Codes postaux"), accessor=lambda commune: ", ".join(commune.postcode_list)),
        NumberColumn("population", label=_("Population"), sort_key="population"),
    ]
    list_filter = ["territory"]
    list_per_page = 50
    index_view_class = FoldedSearchIndexView
    search_fields = ["name", "insee_code", "postcodes"]
    inspect_view_enabled = True
    inspect_view_class = ReadableInspectView
    panels = [
        FieldPanel("territory"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("insee_code")]),
        FieldRowPanel([FieldPanel("postcodes"), FieldPanel("population")]),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
    ]


class VenueViewSet(SnippetViewSet):
    model = Venue
    icon = "pick"
    menu_label = _("Lieux")
    list_display = ["name", "kind", "commune", Column("recurrence_label", label=_("Récurrence"))]
    list_filter = ["kind", "commune"]
    index_view_class = FoldedSearchIndexView
    search_fields = ["name", "address", "commune__name"]
    inspect_view_enabled = True
    inspect_view_class = VenueInspectView
    inspect_view_fields = [
        "name",
        "kind",
        "commune",
        "address",
        "recurrence_label",
        "recurrence_start",
        "next_occurrences",
        "accessibility",
        "latitude",
        "longitude",
        "is_example",
    ]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
            FieldPanel("commune"),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("recurrence"), FieldPanel("recurrence_start")]),
                    FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                ],
                heading=_("Marché ou lieu récurrent"),
            ),
            FieldPanel("accessibility"),
            FieldPanel("is_example"),
        ],
        base_form_class=VenueForm,
    )

    def get_queryset(self, request):
        return Venue.objects.select_related("commune")


class SectorViewSet(SnippetViewSet):
    model = Sector
    icon = "tag"
    menu_label = _("Secteurs")
    list_display = ["name", NumberColumn("organisation_count", label=_("Structures"))]
    index_view_class = FoldedSearchIndexView
    search_fields = ["name"]
    edit_handler = ObjectList([FieldPanel("name"), FieldPanel("slug")], base_form_class=SlugFromNameForm)

    def get_queryset(self, request):
        return Sector.objects.annotate(organisation_count=Count("organisations"))


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Structures de l'ESS")
    list_display = [
        "name",
        "legal_form",
        "commune",
        StatusFlagColumn(
            "is_published",
            label=_("Annuaire"),
            true_label=_("Publiée"),
            false_label=_("Masquée"),
            sort_key="is_published",
        ),
    ]
    list_filter = ["legal_form", "sectors", "commune", "is_published"]
    # Searched in the database (FoldedSearchIndexView) rather than the search index: the
    # index declares only legal_form and is_published as filter fields, so it would refuse
    # a search combined with the commune or sector filter.
    index_view_class = FoldedSearchIndexView
    search_fields = ["name", "summary"]
    inspect_view_enabled = True
    inspect_view_class = OrganisationInspectView
    inspect_view_fields = [
        "name",
        "legal_form",
        "sectors",
        "commune",
        "address",
        "summary",
        "website",
        "contact_email",
        "contact_phone",
        "is_published",
        "is_example",
        "updated_at",
    ]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
                    FieldPanel("legal_form"),
                    FieldPanel("sectors", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("logo"),
                ],
                heading=_("Identité"),
            ),
            FieldPanel("summary"),
            FieldPanel("description"),
            MultiFieldPanel(
                [
                    FieldPanel("commune"),
                    FieldPanel("address"),
                    FieldPanel("website"),
                    FieldRowPanel([FieldPanel("contact_email"), FieldPanel("contact_phone")]),
                ],
                heading=_("Coordonnées"),
            ),
            MultiFieldPanel([FieldPanel("is_published"), FieldPanel("is_example")], heading=_("Publication")),
        ],
        base_form_class=SlugFromNameForm,
    )

    def get_queryset(self, request):
        return Organisation.objects.select_related("commune")


class TerritoryGroup(SnippetViewSetGroup):
    menu_label = _("Territoire")
    menu_icon = "site"
    menu_order = 200
    items = (OrganisationViewSet, VenueViewSet, SectorViewSet, CommuneViewSet, TerritoryViewSet)


register_snippet(TerritoryGroup)
