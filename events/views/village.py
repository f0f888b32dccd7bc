"""The tour's calendar feed: /agenda/<tour>/calendrier.ics.

TourPage (events/models/village.py) declares the route, but Wagtail's serve view takes
no path with a dot in it (its pattern allows letters, digits, - and _), so the address is
answered here: `tour_calendar_at` finds the tour page the way Wagtail's serve view does
(same routing, same view restrictions), then hands it to `tour_calendar`.

Calendar applications poll a subscribed feed every few hours: the ETag (a hash of the
bytes) and Last-Modified (the latest publication of a stop) let them ask "has it
changed?" and get an empty 304 answer when it has not. The document is built before
comparing, since the stops' query is what tells; it is one query and a few kilobytes.
"""

import hashlib

from django.http import Http404, HttpResponse
from django.urls import re_path
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.http import http_date
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page

from events.ical import event_calendar, last_modified
from events.models import TourPage


def tour_calendar(request, tour):
    """Every live stop of the tour, cancelled ones included (STATUS:CANCELLED strikes them out)."""
    stops = list(tour.stops())
    body = event_calendar(
        stops,
        name=_("Tournée du Village de l'ESS %(season)s") % {"season": tour.season},
        urls={stop.pk: stop.get_full_url(request) for stop in stops},
    )
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    modified = max((when for when in map(last_modified, stops) if when is not None), default=None)
    timestamp = int(modified.timestamp()) if modified else None

    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="tournee-{tour.season}.ics"'
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    # A 304 when If-None-Match names this ETag or If-Modified-Since is not older (RFC 9110, 13.2.2).
    return get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)


def tour_calendar_at(request, tour_path: str):
    route = Page.route_for_request(request, tour_path)
    if route is None:
        raise Http404
    page, args, kwargs = route
    if not isinstance(page, TourPage):
        raise Http404

    def serve_feed(page, request, args, kwargs):
        return tour_calendar(request, page)

    # As wagtail.views.serve does: a private tour's feed stays private (Wagtail checks view
    # restrictions in an on_serve_page hook), and the other hooks run as for the page.
    chain = serve_feed
    for hook in reversed(hooks.get_hooks("on_serve_page")):
        chain = hook(chain)
    for hook in hooks.get_hooks("before_serve_page"):
        result = hook(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return chain(page, request, args, kwargs)


urlpatterns = [
    re_path(r"^(?P<tour_path>(?:[\w\-]+/)+)calendrier\.ics$", tour_calendar_at, name="tour_calendar"),
]
