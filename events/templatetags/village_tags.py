"""Village helpers for templates that do not own the tour: the agenda links to the current tour."""

from django import template

from events.village import current_tour as find_current_tour

register = template.Library()


@register.simple_tag
def current_tour():
    """{% current_tour as tour %}: this season's live tour page (else the next, else the latest), or None."""
    return find_current_tour()
