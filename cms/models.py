"""Site content: the home page, editorial pages and the site-wide settings.

Pages read domain data (events, organisations) in get_context(); they do not own it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """/: what the village is, the next events, how to get involved."""

    tagline = models.CharField(_("accroche"), max_length=255, blank=True)
    intro = RichTextField(_("présentation"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("tagline"), FieldPanel("intro")]
    # One home per territory's site, at the root of the tree (territory/sites.py creates them).
    parent_page_types = ["wagtailcore.Page"]
    upcoming_count = 6

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request, *args, **kwargs):
        from events.models import EventPage
        from territory.models import Organisation

        context = super().get_context(request, *args, **kwargs)
        from territory.models import Territory

        # This site's events and organisations: each territory has its own site.
        context["upcoming_events"] = list(
            EventPage.objects.live().public().upcoming().descendant_of(self).for_listing()[: self.upcoming_count]
        )
        territory = Territory.for_request(request)
        context["organisation_count"] = Organisation.objects.published().in_territory(territory).count()
        return context


class StandardPage(Page):
    """An editorial page: about, legal notice, accessibility statement..."""

    intro = models.CharField(_("chapô"), max_length=300, blank=True)
    body = RichTextField(_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("page de contenu")
        verbose_name_plural = _("pages de contenu")


@register_setting(icon="site")
class SiteContact(BaseSiteSetting):
    """Who runs the site: shown in the footer and as the fallback contact of events."""

    organisation_name = models.CharField(_("structure porteuse"), max_length=160, default="Valenciennes Métropole")
    team_name = models.CharField(_("équipe"), max_length=160, blank=True, default="Service ESS")
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("team_name"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("address"),
    ]

    class Meta:
        verbose_name = _("contact du site")


class AccessibilityStatus(models.TextChoices):
    """The compliance a French public site must state on every page (RGAA 4.1, "mention" in the footer)."""

    NOT_COMPLIANT = "non_conforme", _("non conforme")
    PARTIALLY_COMPLIANT = "partiellement_conforme", _("partiellement conforme")
    FULLY_COMPLIANT = "totalement_conforme", _("totalement conforme")


@register_setting(icon="doc-full")
class LegalPages(BaseSiteSetting):
    """The pages every public page links to in its footer: legal notice, personal data, accessibility.

    French law requires them to be reachable from every page, and the accessibility
    statement's link to say how compliant the site is ("Accessibilité : non conforme"),
    until an audit gives a rate.
    """

    legal_notice = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("mentions légales"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privacy = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("données personnelles"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accessibility = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("déclaration d'accessibilité"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accessibility_status = models.CharField(
        _("état de conformité (RGAA)"),
        max_length=30,
        choices=AccessibilityStatus.choices,
        default=AccessibilityStatus.NOT_COMPLIANT,
        help_text=_("Tant qu'aucun audit n'a été mené, la réglementation impose « non conforme »."),
    )

    panels = [
        FieldPanel("legal_notice"),
        FieldPanel("privacy"),
        FieldPanel("accessibility"),
        FieldPanel("accessibility_status"),
    ]

    class Meta:
        verbose_name = _("pages légales")
