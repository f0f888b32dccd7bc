"""An event as schema.org JSON-LD (https://schema.org/Event): a pure function from an event to a dict.

Search engines and the territory's open-data portal read it to list the events with their
date, place and status. Times carry their offset (Europe/Paris), so 8:30 stays 8:30 on both
sides of the change of hour. A cancelled event keeps its page and says so
(EventCancelled); a postponed one, whose new date is not known yet, is EventPostponed.

Registrations are free: each event that takes them has an Offer at 0 EUR whose availability
follows the seats left, so "complet" is machine-readable too. A village stop takes no
registration: it has no Offer.
"""

import json

from django.utils import timezone

from territory.models import PARIS

from .models import EventStatus

SCHEMA_STATUS = {
    EventStatus.SCHEDULED: "https://schema.org/EventScheduled",
    EventStatus.POSTPONED: "https://schema.org/EventPostponed",
    EventStatus.CANCELLED: "https://schema.org/EventCancelled",
}

# json.dumps leaves "<", ">" and "&" as they are: inside a <script> element, "</script>" in an
# organiser's title would end the element. The same escapes as Django's json_script.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _iso(moment) -> str:
    return timezone.localtime(moment, PARIS).isoformat()


def place(event) -> dict | None:
    """The event's Place: the venue (with its address) or else the commune."""
    if not event.commune_id:
        return None
    address = {
        "@type": "PostalAddress",
        "postalCode": event.commune.main_postcode,
        "addressLocality": event.commune.name,
        "addressCountry": "FR",
    }
    venue = event.venue if event.venue_id else None
    if venue is not None and venue.address:
        address["streetAddress"] = venue.address
    latitude, longitude = venue.coordinates if venue is not None else (event.commune.latitude, event.commune.longitude)
    location = {"@type": "Place", "name": venue.name if venue is not None else event.commune.name, "address": address}
    if latitude is not None and longitude is not None:
        location["geo"] = {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}
    return location


def event_json_ld(
    event,
    *,
    url: str,
    organizer_name: str = "",
    organizer_url: str = "",
    registration_url: str = "",
    image_url: str = "",
) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "url": url,
        "startDate": _iso(event.start),
        "endDate": _iso(event.end),
        "eventStatus": SCHEMA_STATUS.get(event.status, SCHEMA_STATUS[EventStatus.SCHEDULED]),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "isAccessibleForFree": True,
        "inLanguage": "fr",
    }
    location = place(event)
    if location is not None:
        data["location"] = location
    if image_url:
        data["image"] = [image_url]
    if organizer_name:
        organizer = {"@type": "Organization", "name": organizer_name}
        if organizer_url:
            organizer["url"] = organizer_url
        data["organizer"] = organizer
    if event.audience:
        data["audience"] = {"@type": "Audience", "audienceType": event.audience}
    if event.takes_registrations and registration_url:
        seats_left = event.seats_left
        data["offers"] = {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "EUR",
            "url": registration_url,
            "availability": "https://schema.org/SoldOut" if seats_left == 0 else "https://schema.org/InStock",
        }
        if event.capacity is not None:
            data["maximumAttendeeCapacity"] = event.capacity
            data["remainingAttendeeCapacity"] = seats_left
    return data


def as_script(data: dict) -> str:
    """The JSON-LD as the text of a <script type="application/ld+json"> element, safe to embed."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
