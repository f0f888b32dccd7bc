"""The "Ajouter à mon agenda" block of an event page, and the addresses of the market feeds."""

from django import template

from events.calendar_links import links_for, subscription
from events.models import AgendaPage
from territory.models import VenueKind

register = template.Library()


def market_feed_path(agenda_url: str, venue) -> str:
    return f"{agenda_url}marches/{venue.pk}/marche.ics"


def is_recurring_market(venue) -> bool:
    return venue is not None and venue.kind == VenueKind.MARKET and bool(venue.recurrence)


@register.inclusion_tag("events/includes/add_to_calendar_links.html", takes_context=True)
def add_to_calendar(context, page):
    request = context.get("request")
    url = page.get_full_url(request)
    market_url = None
    if is_recurring_market(page.venue):
        agenda = AgendaPage.objects.ancestor_of(page).first()
        if agenda is not None:
            market_url = market_feed_path(agenda.get_full_url(request), page.venue)
    return {
        "page": page,
        "links": links_for(page, url=url, ics_url=f"{url}evenement.ics"),
        "market_url": market_url,
    }


@register.simple_tag
def market_feed_url(agenda_url: str, venue) -> str:
    """The feed of a stop's market, or "" when the venue is no recurring market."""
    return market_feed_path(agenda_url, venue) if is_recurring_market(venue) else ""


@register.inclusion_tag("events/includes/calendar_subscription.html")
def calendar_subscription(feed_url: str, *, field_id: str, button_label: str = "", private: bool = False):
    """Subscribe buttons (calendar application, Google Agenda) and the address to paste elsewhere.

    `private`: the address holds a token; the block says not to share it.
    """
    return {
        "subscription": subscription(feed_url),
        "field_id": field_id,
        "button_label": button_label,
        "private": private,
    }
