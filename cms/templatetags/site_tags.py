"""Site-wide template helpers: the main navigation."""

from django import template
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
