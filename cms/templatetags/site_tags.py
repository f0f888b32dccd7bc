"""Site-wide template helpers: the main navigation, the link previews (Open Graph)."""

from django import template
from django.templatetags.static import static
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

register = template.Library()

# These paths are part of the stable public contract (DESIGN.md): they are printed on
# posters, so the navigation names them directly instead of looking pages up.
MAIN_NAVIGATION = [
    ("/agenda/", _("Agenda")),
    ("/acteurs/", _("Acteurs de l'ESS")),
    ("/benevolat/", _("Bénévolat")),
    ("/accueillir-le-village/", _("Accueillir le village")),
]


@register.inclusion_tag("includes/main_nav.html", takes_context=True)
def main_nav(context):
    """The header's links, with aria-current on the section the visitor is in."""
    request = context.get("request")
    path = request.path if request is not None else ""
    items = []
    for url, label in MAIN_NAVIGATION:
        if path == url:
            current = "page"
        elif path.startswith(url):
            current = "true"
        else:
            current = ""
        items.append({"url": url, "label": label, "current": current})
    return {"items": items}


# A raster image, since the social networks' link previews do not show SVG (1200 x 630, their size).
SHARE_IMAGE = "img/partage.png"
SITE_NAME = _("Le Village de l'ESS")


def _plain(text) -> str:
    return " ".join(strip_tags(str(text or "")).split())


@register.inclusion_tag("includes/open_graph.html", takes_context=True)
def open_graph(context):
    """Open Graph tags (and the canonical address) for the link previews of messaging apps and social networks.

    A Wagtail page gives its title and its description (the SEO one, else its summary or
    introduction); a Django view gives only the site's name and the address.
    """
    request = context.get("request")
    if request is None:
        return {}
    page = context.get("page")
    title = description = ""
    if page is not None and hasattr(page, "get_full_url"):
        url = page.get_full_url(request)
        title = page.seo_title or page.title
        description = page.search_description or getattr(page, "summary", "") or getattr(page, "intro", "")
    else:
        url = request.build_absolute_uri(request.path)
    return {
        "url": url,
        "title": title or SITE_NAME,
        "description": Truncator(_plain(description)).chars(300),
        "site_name": SITE_NAME,
        "image": request.build_absolute_uri(static(SHARE_IMAGE)),
        "image_alt": _("Le Village de l'ESS : l'économie sociale et solidaire près de chez vous, de marché en marché."),
    }


@register.inclusion_tag("includes/legal_links.html", takes_context=True)
def legal_links(context):
    """The footer's legal links, from the site's LegalPages setting and its pages in one query.

    Read directly rather than through LegalPages.for_request, which would write a row on a
    GET for a site that has none; without a row the status is the default, "non conforme".
    """
    from wagtail.models import Site

    from cms.models import AccessibilityStatus, LegalPages

    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return {}
    legal = (
        LegalPages.objects.select_related("legal_notice", "privacy", "accessibility").filter(site_id=site.pk).first()
    )
    if legal is None:
        return {"accessibility_status": AccessibilityStatus.NOT_COMPLIANT.label}

    def live(page):
        return page if page is not None and page.live else None

    return {
        "request": request,
        "accessibility": live(legal.accessibility),
        "accessibility_status": legal.get_accessibility_status_display(),
        "legal_notice": live(legal.legal_notice),
        "privacy": live(legal.privacy),
    }
