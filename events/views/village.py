"""The tour's calendar feed, /agenda/<tour>/calendrier.ics.

TourPage (events/models/village.py) declares the route for Wagtail's routable pages, but
Wagtail's serve view takes no path with a dot in it: the address is answered by
events/views/feeds.py, which finds the page as Wagtail does and calls `tour_calendar`.
"""

from events.views.feeds import tour_feed


def tour_calendar(request, tour):
    return tour_feed(request, tour)
