"""Event pages describe themselves to machines: schema.org Event JSON-LD and Open Graph tags."""

import datetime as dt
import json

import jsonschema
import pytest
from bs4 import BeautifulSoup
from wagtail.models import Site

from cms.models import SiteContact
from events.models import EventKind, EventStatus
from territory.models import PARIS

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)

pytestmark = pytest.mark.django_db

# The shape our event pages promise, after schema.org's Event and what search engines read
# (name, dates with their offset, status, attendance mode, a Place with a postal address).
EVENT_SCHEMA = {
    "type": "object",
    "required": [
        "@context",
        "@type",
        "name",
        "description",
        "url",
        "startDate",
        "endDate",
        "eventStatus",
        "eventAttendanceMode",
        "location",
    ],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "Event"},
        "name": {"type": "string", "minLength": 1},
        "url": {"type": "string", "pattern": "^https?://"},
        "startDate": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$"},
        "endDate": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$"},
        "eventStatus": {
            "enum": [
                "https://schema.org/EventScheduled",
                "https://schema.org/EventPostponed",
                "https://schema.org/EventCancelled",
            ]
        },
        "eventAttendanceMode": {"const": "https://schema.org/OfflineEventAttendanceMode"},
        "isAccessibleForFree": {"const": True},
        "image": {"type": "array", "items": {"type": "string", "pattern": r"^https?://.+\.png$"}, "minItems": 1},
        "location": {
            "type": "object",
            "required": ["@type", "name", "address"],
            "properties": {
                "@type": {"const": "Place"},
                "address": {
                    "type": "object",
                    "required": ["@type", "postalCode", "addressLocality", "addressCountry"],
                    "properties": {"@type": {"const": "PostalAddress"}, "addressCountry": {"const": "FR"}},
                },
                "geo": {
                    "type": "object",
                    "required": ["@type", "latitude", "longitude"],
                    "properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"}},
                },
            },
        },
        "organizer": {
            "type": "object",
            "required": ["@type", "name"],
            "properties": {"@type": {"const": "Organization"}},
        },
        "offers": {
            "type": "object",
            "required": ["@type", "price", "priceCurrency", "availability", "url"],
            "properties": {
                "@type": {"const": "Offer"},
                "price": {"const": "0"},
                "priceCurrency": {"const": "EUR"},
                "availability": {"enum": ["https://schema.org/InStock", "https://schema.org/SoldOut"]},
            },
        },
    },
}


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def site_contact(home_page):
    return SiteContact.objects.create(
        site=Site.objects.get(is_default_site=True), organisation_name="Valenciennes Métropole"
    )


def json_ld(response) -> list[dict]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [json.loads(script.string) for script in soup.find_all("script", type="application/ld+json")]


def open_graph(response) -> dict:
    soup = BeautifulSoup(response.content, "html.parser")
    return {meta["property"]: meta["content"] for meta in soup.find_all("meta", property=True)}


def test_a_breakfast_is_a_schema_org_event_with_its_place_dates_and_free_offer(client, make_event, venue, site_contact):
    venue.address = "12 rue de Paris"
    venue.save()
    page = make_event(venue=venue, capacity=30, title="Manger local", audience="Tout public")

    (data,) = json_ld(client.get(page.url))

    jsonschema.validate(data, EVENT_SCHEMA)
    assert data["name"] == "Manger local"
    assert data["url"] == f"http://testserver{page.url}"
    # 10 December is winter time: +01:00.
    assert data["startDate"] == "2026-12-10T08:30:00+01:00"
    assert data["endDate"] == "2026-12-10T10:00:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"]["name"] == "Salle des fêtes"
    assert data["location"]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "12 rue de Paris",
        "postalCode": "59300",
        "addressLocality": "Valenciennes",
        "addressCountry": "FR",
    }
    assert data["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 50.3579, "longitude": 3.5233}
    assert data["organizer"] == {"@type": "Organization", "name": "Valenciennes Métropole", "url": "http://testserver/"}
    assert data["offers"]["url"] == f"http://testserver/inscription/{page.pk}/"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["maximumAttendeeCapacity"] == 30
    assert data["remainingAttendeeCapacity"] == 30
    assert data["audience"] == {"@type": "Audience", "audienceType": "Tout public"}


def test_summer_time_dates_carry_the_summer_offset(client, make_event, site_contact):
    page = make_event(start=dt.datetime(2027, 6, 3, 8, 30, tzinfo=PARIS))

    (data,) = json_ld(client.get(page.url))

    assert data["startDate"] == "2027-06-03T08:30:00+02:00"
    jsonschema.validate(data, EVENT_SCHEMA)


def test_a_full_event_is_sold_out(client, make_event, site_contact, register_person):
    page = make_event(capacity=1)
    register_person(page)

    (data,) = json_ld(client.get(page.url))

    assert data["offers"]["availability"] == "https://schema.org/SoldOut"
    assert data["remainingAttendeeCapacity"] == 0


def test_a_cancelled_event_says_so_and_a_village_stop_has_no_offer(client, make_event, site_contact):
    cancelled = make_event(status=EventStatus.CANCELLED)
    stop = make_event(kind=EventKind.ITINERANT_VILLAGE, hours=5)

    (cancelled_data,) = json_ld(client.get(cancelled.url))
    (stop_data,) = json_ld(client.get(stop.url))

    assert cancelled_data["eventStatus"] == "https://schema.org/EventCancelled"
    jsonschema.validate(stop_data, EVENT_SCHEMA)
    assert "offers" not in stop_data
    # Without a venue the place is the commune, at its centre.
    assert stop_data["location"]["name"] == "Valenciennes"
    assert stop_data["location"]["address"]["postalCode"] == "59300"


def test_a_title_cannot_close_the_script_element(client, make_event, site_contact):
    page = make_event(title="Fin </script><script>alert(1)</script> & co")

    response = client.get(page.url)

    assert b"</script><script>alert(1)" not in response.content
    (data,) = json_ld(response)
    assert data["name"] == "Fin </script><script>alert(1)</script> & co"


def test_event_pages_have_open_graph_tags_for_link_previews(client, make_event, site_contact):
    page = make_event(title="Manger local", summary="Producteurs et épiceries solidaires racontent.")

    tags = open_graph(client.get(page.url))

    assert tags["og:title"] == "Manger local"
    assert tags["og:description"] == "Producteurs et épiceries solidaires racontent."
    assert tags["og:url"] == f"http://testserver{page.url}"
    assert tags["og:locale"] == "fr_FR"
    assert tags["og:site_name"] == "Le Village de l'ESS"
    assert tags["og:image"].startswith("http://testserver/static/img/partage")
    assert tags["og:image"].endswith(".png")


def test_pages_outside_wagtail_name_the_site_and_their_address(client, home_page):
    tags = open_graph(client.get("/accueillir-le-village/"))

    assert tags["og:title"] == "Le Village de l'ESS"
    assert tags["og:url"] == "http://testserver/accueillir-le-village/"
