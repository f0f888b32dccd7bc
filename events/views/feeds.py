"""The public calendar feeds, answered under the pages they belong to.

<agenda>/calendrier.ics              the agenda of the agenda's site, same filters as the page
<tour>/calendrier.ics                the season's stops
<event>/evenement.ics                one event, for "add to my calendar" and subscribing
<agenda>/marches/<venue>/marche.ics  a market of the site's territory, repeating, with its closures

Wagtail's serve view takes no path with a dot in it (its pattern allows letters, digits,
- and _), so `page_feed_at` finds the page the way Wagtail's serve view does (same
routing, same view restrictions and hooks), then asks FEEDS for what that page class
answers under that name: another territory's agenda, on its own site, has its own feed.
"""

import datetime as dt

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page

from events.agenda import with_kind_and_commune
from events.forms import AgendaFilterForm
from events.ical import cached_event_calendar, calendar_response, market_calendar
from events.models import AgendaPage, EventKind, EventPage, TourPage
from territory.models import Territory, Venue, VenueKind

# How far back the agenda's feed goes: a subscribed calendar keeps the last year's events
# (calendar applications drop those that leave the feed).
PAST_DAYS = 365


def agenda_feed(request, agenda: AgendaPage):
    """Live public events under the agenda: the last year's and all upcoming, cancelled ones struck out."""
    form = AgendaFilterForm(request.GET, territory=Territory.for_request(request))
    if not form.is_valid():
        messages = [f"{form.fields[name].label} : {' '.join(errors)}" for name, errors in form.errors.items()]
        return HttpResponseBadRequest(
            "\n".join([_("Filtre du calendrier invalide."), *messages]), content_type="text/plain; charset=utf-8"
        )
    data = form.cleaned_data
    events = with_kind_and_commune(EventPage.objects.live().public().descendant_of(agenda), data)
    if data.get("month"):
        events = events.in_month(data["month"].year, data["month"].month)
    else:
        today = timezone.localdate()
        events = events.filter(start_date__gte=today - dt.timedelta(days=PAST_DAYS))
    body, modified = cached_event_calendar(events.order_by("start", "pk"), name=agenda_calendar_name(agenda, data))
    return calendar_response(request, body, filename="agenda.ics", last_modified=modified)


def agenda_calendar_name(agenda, data) -> str:
    """What a calendar application lists the subscription as: "Le Village de l'ESS · Agenda · Anzin"."""
    parts = [_("Le Village de l'ESS"), agenda.title]
    if data.get("kind"):
        parts.append(str(EventKind(data["kind"]).label))
    if data.get("commune"):
        parts.append(data["commune"].name)
    if data.get("month"):
        parts.append(f"{data['month']:%m/%Y}")
    return " · ".join(parts)


def tour_feed(request, tour: TourPage):
    """Every live stop of the tour, cancelled ones included (STATUS:CANCELLED strikes them out)."""
    body, modified = cached_event_calendar(
        tour.stops().order_by("start", "pk"),
        name=_("Tournée du Village de l'ESS %(season)s") % {"season": tour.season},
    )
    return calendar_response(request, body, filename=f"tournee-{tour.season}.ics", last_modified=modified)


def event_feed(request, event: EventPage):
    body, modified = cached_event_calendar(EventPage.objects.filter(pk=event.pk), name=event.title)
    return calendar_response(request, body, filename="evenement.ics", last_modified=modified)


def market_feed(request, agenda: AgendaPage, venue_id: int):
    territory = Territory.for_request(request)
    venue = get_object_or_404(
        Venue.objects.select_related("commune").prefetch_related("closures").exclude(recurrence=""),
        pk=venue_id,
        kind=VenueKind.MARKET,
        commune__territory=territory,
    )
    return calendar_response(request, market_calendar(venue), filename="marche.ics")


# A page class and a file name -> the view; the most specific class first.
FEEDS = [
    (TourPage, "calendrier.ics", tour_feed),
    (AgendaPage, "calendrier.ics", agenda_feed),
    (EventPage, "evenement.ics", event_feed),
]


def routed_page(request, page_path: str) -> Page:
    route = Page.route_for_request(request, page_path)
    if route is None:
        raise Http404
    page = route[0]
    # The page itself, not a sub-route of a routable page that happened to match.
    if page.get_url(request) != f"/{page_path}":
        raise Http404
    return page


def serve_page_feed(request, page: Page, view, *args):
    """Answer with `view(request, page, *args)` as Wagtail's serve view would serve the page."""

    def serve_feed(page, request, route_args, route_kwargs):
        return view(request, page, *args)

    # As wagtail.views.serve does: a private page's feed stays private (Wagtail checks view
    # restrictions in an on_serve_page hook), and the other hooks run as for the page.
    chain = serve_feed
    for hook in reversed(hooks.get_hooks("on_serve_page")):
        chain = hook(chain)
    for hook in hooks.get_hooks("before_serve_page"):
        result = hook(page, request, (), {})
        if isinstance(result, HttpResponse):
            return result
    return chain(page, request, (), {})


def page_feed_at(request, page_path: str, feed: str):
    page = routed_page(request, page_path)
    for page_class, name, view in FEEDS:
        if name == feed and isinstance(page, page_class):
            return serve_page_feed(request, page, view)
    raise Http404


def market_feed_at(request, page_path: str, venue_id: str):
    page = routed_page(request, page_path)
    if not isinstance(page, AgendaPage):
        raise Http404
    return serve_page_feed(request, page, market_feed, int(venue_id))


urlpatterns = [
    re_path(r"^(?P<page_path>(?:[\w\-]+/)+)(?P<feed>calendrier\.ics|evenement\.ics)$", page_feed_at, name="page_feed"),
    re_path(
        r"^(?P<page_path>(?:[\w\-]+/)+)marches/(?P<venue_id>[0-9]+)/marche\.ics$", market_feed_at, name="market_feed"
    ),
]
