"""The "Territoire" menu of the admin: reference data, venues and the ESS directory.

Every list and object is narrowed to the territories the user acts for (territory/access.py,
admin_views.TerritoryScopedSnippetViewSet); sectors are shared by the installation.
Who may do what is decided by Django permissions, granted to the "Organisateurs" group
by cms/migrations/0002_organiser_group.py: territories and communes are
reference data loaded from territory/data/communes/, so organisers only view them and only
superusers edit them; venues, sectors and organisations are the organisers' own.
"""

from django import forms
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_filters import ModelChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, NumberColumn, StatusFlagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_forms import SlugFromNameForm, VenueForm
from .admin_views import (
    FoldedSearchIndexView,
    OrganisationInspectView,
    ReadableInspectView,
    TerritoryScopedSnippetViewSet,
    VenueInspectView,
    user_communes,
    user_territories,
)
from .models import Commune, Organisation, Sector, Territory, Venue


class CommuneFilterSet(WagtailFilterSet):
    territory = ModelChoiceFilter(label=_("Territoire"), queryset=user_territories)

    class Meta:
        model = Commune
        fields = ["territory"]


class VenueFilterSet(WagtailFilterSet):
    commune = ModelChoiceFilter(label=_("Commune"), queryset=user_communes)

    class Meta:
        model = Venue
        fields = ["kind", "commune"]


class OrganisationFilterSet(WagtailFilterSet):
    # The communes of the user's territories only: another territory's are nobody's business here.
    commune = ModelChoiceFilter(label=_("Commune"), queryset=user_communes)

    class Meta:
        model = Organisation
        fields = ["legal_form", "sectors", "commune", "is_published"]


class TerritoryViewSet(TerritoryScopedSnippetViewSet):
    model = Territory
    territory_lookup = "pk"
    icon = "globe"
    menu_label = _("Territoires")
    list_display = ["name", "siren", NumberColumn("commune_count", label=_("Communes"))]
    index_view_class = FoldedSearchIndexView
    search_fields = ["name", "siren"]
    inspect_view_enabled = True
    inspect_view_class = ReadableInspectView
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("siren"),
        FieldPanel("village_kits"),
        FieldPanel("site"),
        FieldPanel("team", widget=forms.CheckboxSelectMultiple),
    ]

    def get_queryset(self, request):
        return self.scoped(request.user).annotate(commune_count=Count("communes"))


class CommuneViewSet(TerritoryScopedSnippetViewSet):
    model = Commune
    territory_lookup = "territory"
    icon = "home"
    menu_label = _("Communes")
    list_display = [
        "name",
        "insee_code",
        Column("postcodes", label=_("Codes postaux"), accessor=lambda commune: ", ".join(commune.postcode_list)),
        NumberColumn("population", label=_("Population"), sort_key="population"),
    ]
    filterset_class = CommuneFilterSet
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


class VenueViewSet(TerritoryScopedSnippetViewSet):
    model = Venue
    territory_lookup = "commune__territory"
    icon = "pick"
    menu_label = _("Lieux")
    list_display = ["name", "kind", "commune", Column("recurrence_label", label=_("Récurrence"))]
    filterset_class = VenueFilterSet
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
            InlinePanel(
                "closures",
                heading=_("Jours sans marché"),
                label=_("Jour sans marché"),
                help_text=_("Les jours où le marché n'a pas lieu : ils disparaissent de son calendrier."),
            ),
            FieldPanel("accessibility"),
            FieldPanel("is_example"),
        ],
        base_form_class=VenueForm,
    )

    def get_queryset(self, request):
        return self.scoped(request.user).select_related("commune")


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


class OrganisationViewSet(TerritoryScopedSnippetViewSet):
    model = Organisation
    territory_lookup = "commune__territory"
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
    filterset_class = OrganisationFilterSet
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
        return self.scoped(request.user).select_related("commune")


class TerritoryGroup(SnippetViewSetGroup):
    menu_label = _("Territoire")
    menu_icon = "site"
    menu_order = 200
    items = (OrganisationViewSet, VenueViewSet, SectorViewSet, CommuneViewSet, TerritoryViewSet)


register_snippet(TerritoryGroup)
