"""The season's tour: its itinerary and map, its calendar feed, and what a stop's page shows."""

import datetime as dt
import itertools
import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from events.models import EventStatus, Pitch, TourPage, VillageFormat, VillageStopPage
from events.services.village import cancel_event, move_event, place_stand
from territory.models import PARIS, LegalForm, Organisation, Venue, VenueKind
from tests.html import visible_text

pytestmark = pytest.mark.django_db

_slugs = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen(village_now):
    return village_now


@pytest.fixture
def tour(agenda_page):
    page = TourPage(title="Tournée 2026", slug="tournee-2026", season=2026, intro="<p>Le village sur les marchés.</p>")
    agenda_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def add_stop(tour, commune):
    """add_stop(day, **fields) -> a live stop of the tour from 9:00 to 13:00 on that day, published with a revision."""

    def add(day: dt.date, parent=None, **fields):
        n = next(_slugs)
        start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=PARIS)
        values = {
            "title": f"Le village, étape {n}",
            "slug": f"etape-{n}",
            "start": start,
            "end": start + dt.timedelta(hours=4),
            "summary": "Des stands de l'ESS au marché.",
            "village_format": VillageFormat.FULL_VILLAGE,
            **fields,
        }
        if "venue" not in values and "commune" not in values:
            values["commune"] = commune
        page = VillageStopPage(**values)
        (parent or tour).add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    return add


@pytest.fixture
def stops(add_stop, market, other_commune):
    """Three stops created out of date order: Anzin in January, Valenciennes in December, one past in October."""
    return {
        "anzin": add_stop(dt.date(2027, 1, 16), commune=other_commune, village_format=VillageFormat.MINI_VILLAGE),
        "valenciennes": add_stop(dt.date(2026, 12, 5), venue=market),
        "past": add_stop(dt.date(2026, 10, 10), commune=other_commune, title="Le village à la rentrée"),
    }


def get_tour(client, tour):
    return client.get(tour.url)


def map_data(response) -> list[dict]:
    match = re.search(r'<script id="tour-map-data" type="application/json">(.*?)</script>', response.content.decode())
    assert match, "the page has no map data"
    return json.loads(match.group(1))


def itinerary(response) -> list[str]:
    """The itinerary's links (hidden "Étape n :" prefix included), in page order."""
    items = re.findall(r'<h3 class="tour-stop__title">\s*<a href="([^"]+)">(.*?)</a>', response.content.decode(), re.S)
    return [(href, " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split())) for href, text in items]


# The tour page ---------------------------------------------------------------------------


def test_the_itinerary_lists_the_stops_in_date_order(client, tour, stops):
    response = get_tour(client, tour)

    assert itinerary(response) == [
        (stops["past"].url, "Étape 1 : Anzin"),
        (stops["valenciennes"].url, "Étape 2 : Valenciennes"),
        (stops["anzin"].url, "Étape 3 : Anzin"),
    ]
    text = visible_text(response)
    assert "Tournée 2026 Le village sur les marchés." in text
    assert "3 étapes, dont 2 à venir. Aller à la prochaine étape" in text
    assert (
        "Valenciennes samedi 5 décembre 2026, 9 h 00 – 13 h 00 Lieu : Marché de la place d'Armes "
        "Chaque samedi, 8 h 00 – 13 h 00 · Calendrier du marché Marché de la place d'Armes Village complet" in text
    )
    assert "Anzin samedi 16 janvier 2027, 9 h 00 – 13 h 00 Mini-village" in text
    assert 'href="#etape-2"' in response.content.decode()


def test_past_stops_are_marked_as_past(client, tour, stops):
    text = visible_text(get_tour(client, tour))

    assert "Anzin samedi 10 octobre 2026, 9 h 00 – 13 h 00 Village complet Passée" in text
    assert text.count("Passée") == 1


def test_a_cancelled_stop_is_shown_cancelled_with_its_reason(client, tour, stops, village_organiser):
    cancel_event(stops["anzin"], by=village_organiser, reason="La place est en travaux.")

    response = get_tour(client, tour)
    text = visible_text(response)

    assert "Étape 3 : Anzin samedi 16 janvier 2027, 9 h 00 – 13 h 00 Mini-village Annulée La place est en travaux." in (
        text
    )
    assert 'class="tour-stop tour-stop--cancelled" id="etape-3"' in response.content.decode()
    assert map_data(response)[2]["status"] == "cancelled"


def test_a_moved_stop_says_it_changed_and_when_it_was_first_planned(client, tour, stops, village_organiser):
    new_start = dt.datetime(2026, 12, 19, 9, 0, tzinfo=PARIS)
    move_event(stops["valenciennes"], start=new_start, end=new_start + dt.timedelta(hours=4), by=village_organiser)

    text = visible_text(get_tour(client, tour))

    assert (
        "samedi 19 décembre 2026, 9 h 00 – 13 h 00 Lieu : Marché de la place d'Armes "
        "Chaque samedi, 8 h 00 – 13 h 00 · Calendrier du marché Marché de la place d'Armes Village complet Changement"
        in text
    )
    assert "Nouvelle date (initialement le 5 décembre 2026 à 09h00)." in text


def test_the_list_works_without_javascript_and_comes_before_the_map(client, tour, stops):
    html = get_tour(client, tour).content.decode()

    # The map's section stays hidden until the script draws it: without JavaScript, the list is the page.
    assert re.search(r'<section class="tour-map" aria-labelledby="map-title" hidden>', html)
    assert html.index('<ol class="tour-stops">') < html.index('id="tour-map"')
    assert "Carte des 3 étapes ; la liste de l'itinéraire donne les mêmes informations." in visible_text(html)
    # Leaflet is served by the site itself, then the page's own script; no inline script.
    assert re.findall(r'<script src="([^"]+)"', html) == [
        "/static/vendor/leaflet/leaflet.js",
        "/static/js/village-map.js",
        "/static/js/tour-map.js",
    ]
    assert '<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">' in html
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_the_map_data_describes_each_stop(client, tour, stops, market):
    market.latitude, market.longitude = 50.3575, 3.5236
    market.save()

    points = map_data(get_tour(client, tour))

    assert [point["url"] for point in points] == [stops["past"].url, stops["valenciennes"].url, stops["anzin"].url]
    assert points[1] == {
        "number": 2,
        "label": "Étape 2 : Valenciennes, samedi 5 décembre 2026",
        "title": stops["valenciennes"].title,
        "url": stops["valenciennes"].url,
        "date": "samedi 5 décembre 2026, 9 h 00 – 13 h 00",
        "commune": "Valenciennes",
        "venue": "Marché de la place d'Armes",
        "lat": 50.3575,
        "lng": 3.5236,
        "format": "Village complet",
        "status": "scheduled",
        "status_label": "",
        "is_past": False,
    }
    # Without a venue, the marker goes to the commune's centre.
    assert (points[2]["lat"], points[2]["lng"], points[2]["venue"]) == (50.3754, 3.5111, "")
    assert points[0]["is_past"] is True


def test_the_map_reads_its_tiles_from_the_settings(client, tour, stops, settings):
    settings.MAP_TILE_URL = "https://tuiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© les contributeurs d'OpenStreetMap"

    html = get_tour(client, tour).content.decode()

    assert 'data-tile-url="https://tuiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-tile-attribution="© les contributeurs d&#x27;OpenStreetMap"' in html


def test_drafts_and_other_tours_stops_are_left_out(client, tour, stops, add_stop, agenda_page):
    draft = add_stop(dt.date(2026, 12, 12), title="Étape en préparation")
    draft.unpublish()
    other_tour = agenda_page.add_child(instance=TourPage(title="Tournée 2027", slug="tournee-2027", season=2027))
    add_stop(dt.date(2027, 3, 6), parent=other_tour, title="Étape de l'an prochain")

    response = get_tour(client, tour)

    assert [point["title"] for point in map_data(response)] == [
        stops["past"].title,
        stops["valenciennes"].title,
        stops["anzin"].title,
    ]
    assert "Étape en préparation" not in visible_text(response)


def test_a_tour_without_stops_says_they_are_coming(client, tour):
    response = get_tour(client, tour)

    assert "Les étapes de cette saison seront bientôt annoncées." in visible_text(response)
    assert 'id="tour-map"' not in response.content.decode()


def test_the_page_offers_the_calendar_subscription(client, tour, stops):
    html = get_tour(client, tour).content.decode()

    assert (
        '<a class="button button--secondary" href="webcal://testserver/agenda/tournee-2026/calendrier.ics">'
        "S'abonner au calendrier de la tournée</a>"
    ) in html
    assert (
        'href="https://calendar.google.com/calendar/render?cid='
        'webcal%3A%2F%2Ftestserver%2Fagenda%2Ftournee-2026%2Fcalendrier.ics"'
    ) in html
    assert '<input id="adresse-tournee" type="url" value="http://testserver/agenda/tournee-2026/calendrier.ics"' in html


def test_the_tour_page_takes_a_constant_number_of_queries(client, tour, add_stop, other_commune, market):
    def add(count):
        for n in range(count):
            add_stop(dt.date(2026, 12, 1) + dt.timedelta(days=n), **({"venue": market} if n % 2 else {}))

    add(3)
    get_tour(client, tour)  # the first visit fills Wagtail's caches (site root paths, settings)
    with CaptureQueriesContext(connection) as three:
        response = get_tour(client, tour)
    assert len(map_data(response)) == 3

    add(9)
    with CaptureQueriesContext(connection) as twelve:
        response = get_tour(client, tour)
    assert len(map_data(response)) == 12
    assert len(twelve) == len(three), [query["sql"] for query in twelve]


def test_the_agenda_links_to_the_current_tour(client, tour, stops):
    response = client.get("/agenda/")

    assert '<a href="/agenda/tournee-2026/">' in response.content.decode()
    assert "Le village itinérant : toutes les étapes de la tournée 2026, sur une carte" in visible_text(response)


def test_the_agenda_has_no_tour_link_without_a_tour(client, agenda_page):
    assert "toutes les étapes de la tournée" not in visible_text(client.get("/agenda/"))


def test_the_agenda_still_lists_the_tours_stops(client, tour, stops):
    text = visible_text(client.get("/agenda/"))

    assert stops["valenciennes"].title in text and stops["anzin"].title in text


# The calendar feed ----------------------------------------------------------------------


def feed(client, tour, **headers):
    return client.get(tour.url + "calendrier.ics", headers=headers)


def test_the_feed_has_every_stop_cancelled_ones_included(client, tour, stops, village_organiser):
    cancel_event(stops["anzin"], by=village_organiser, reason="La place est en travaux.")

    response = feed(client, tour)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Tournée du Village de l'ESS 2026"
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"event-{stop.pk}@testserver" for stop in stops.values()}
    cancelled = events[f"event-{stops['anzin'].pk}@testserver"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    held = events[f"event-{stops['valenciennes'].pk}@testserver"]
    assert str(held["STATUS"]) == "CONFIRMED"
    assert held.decoded("DTSTART") == dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
    assert held["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(held["URL"]) == f"http://testserver{stops['valenciennes'].url}"
    assert str(held["LOCATION"]) == "Marché de la place d'Armes, 59300 Valenciennes"


def test_the_feed_answers_304_when_nothing_changed(client, tour, stops):
    first = feed(client, tour)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")

    assert feed(client, tour, if_none_match=etag).status_code == 304
    assert feed(client, tour, if_modified_since=modified).status_code == 304
    not_modified = feed(client, tour, if_none_match=etag)
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag


def test_the_feed_changes_when_a_stop_changes(client, tour, stops, village_organiser, time_machine):
    first = feed(client, tour)
    time_machine.move_to(dt.datetime(2026, 11, 24, 9, 0, tzinfo=PARIS), tick=False)
    cancel_event(stops["valenciennes"], by=village_organiser, reason="Tempête annoncée.")

    again = feed(client, tour, if_none_match=first["ETag"], if_modified_since=first["Last-Modified"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again["Last-Modified"] == "Tue, 24 Nov 2026 08:00:00 GMT"
    assert b"STATUS:CANCELLED" in again.content


def feed_event(client, tour, stop):
    calendar = Calendar.from_ical(feed(client, tour).content)
    return next(e for e in calendar.walk("VEVENT") if str(e["UID"]) == f"event-{stop.pk}@testserver")


def test_a_cancelled_stop_keeps_its_uid_with_a_higher_sequence(client, tour, stops, village_organiser, time_machine):
    before = feed_event(client, tour, stops["valenciennes"])
    time_machine.move_to(dt.datetime(2026, 11, 24, 9, 0, tzinfo=PARIS), tick=False)
    cancel_event(stops["valenciennes"], by=village_organiser, reason="Tempête annoncée.")

    after = feed_event(client, tour, stops["valenciennes"])

    assert str(after["STATUS"]) == "CANCELLED" and str(before["STATUS"]) == "CONFIRMED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") == dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)


def test_a_moved_stop_keeps_its_uid_with_the_new_date_and_a_higher_sequence(
    client, tour, stops, village_organiser, time_machine
):
    before = feed_event(client, tour, stops["valenciennes"])
    time_machine.move_to(dt.datetime(2026, 11, 24, 9, 0, tzinfo=PARIS), tick=False)
    new_start = dt.datetime(2026, 12, 19, 9, 0, tzinfo=PARIS)
    move_event(stops["valenciennes"], start=new_start, end=new_start + dt.timedelta(hours=4), by=village_organiser)

    after = feed_event(client, tour, stops["valenciennes"])

    assert str(after["STATUS"]) == "CONFIRMED"
    assert after.decoded("DTSTART") == new_start
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_the_feed_takes_a_constant_number_of_queries(client, tour, add_stop):
    for n in range(3):
        add_stop(dt.date(2026, 12, 1) + dt.timedelta(days=n))
    feed(client, tour)
    with CaptureQueriesContext(connection) as three:
        feed(client, tour)
    for n in range(3, 12):
        add_stop(dt.date(2026, 12, 1) + dt.timedelta(days=n))
    feed(client, tour)  # builds the new stops' stored VEVENTs: the poll after it reuses them
    with CaptureQueriesContext(connection) as twelve:
        response = feed(client, tour)

    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 12
    assert len(twelve) == len(three)


def test_an_unpublished_tour_has_no_page_and_no_feed(client, tour, stops):
    tour.unpublish()

    assert get_tour(client, tour).status_code == 404
    assert client.get("/agenda/tournee-2026/calendrier.ics").status_code == 404


# A stop's page -------------------------------------------------------------------------


@pytest.fixture
def stands(stop, organisation, village_organiser, sector):
    """Two confirmed stands at the stop: one of a published organisation, one of an unpublished one."""
    hidden = Organisation.objects.create(
        name="Coopérative en création",
        legal_form=LegalForm.COOPERATIVE,
        commune=organisation.commune,
        is_published=False,
    )
    pitches = list(Pitch.objects.filter(stop=stop).order_by("number"))
    return [
        place_stand(
            stop, organisation, pitches[0], by=village_organiser, contact_name="Nadia", contact_email="n@example.org"
        ),
        place_stand(stop, hidden, pitches[1], by=village_organiser, contact_name="Yves", contact_email="y@example.org"),
    ]


def test_a_stop_page_shows_its_stands_and_links_the_published_organisations(client, stop, stands, organisation):
    response = client.get(stop.url)
    text = visible_text(response)
    html = response.content.decode()

    assert "Les 2 structures présentes Ressourcerie du Hainaut Thème : Réemploi Coopérative en création" in text
    assert f'<a class="stand-list__name" href="{organisation.get_absolute_url()}">Ressourcerie du Hainaut</a>' in html
    assert "Coopérative en création</a>" not in html


def test_a_stop_page_leaves_out_pending_stands(client, stop, organisation):
    from events.services.village import apply_for_stand

    apply_for_stand(stop, organisation, contact_name="Nadia", contact_email="n@example.org")

    assert "Ressourcerie du Hainaut" not in visible_text(client.get(stop.url))


def test_a_stop_page_gives_its_format_and_tour_but_not_the_teams_hours(client, tour, add_stop, market):
    page = add_stop(
        dt.date(2026, 12, 5),
        venue=market,
        village_format=VillageFormat.MINI_VILLAGE,
        setup_from=dt.time(7, 0),
        teardown_until=dt.time(14, 30),
    )

    response = client.get(page.url)
    text = visible_text(response)

    assert "Le village Mini-village :" in text
    assert "7 h 00" not in text and "14 h 30" not in text
    assert "Installation" not in text and "Démontage" not in text
    assert f'<a href="{tour.url}">Toutes les étapes de la tournée 2026</a>' in response.content.decode()


def test_a_cancelled_stop_page_says_why(client, stop, stands, village_organiser):
    cancel_event(stop, by=village_organiser, reason="La place est en travaux.")

    text = visible_text(client.get(stop.url))

    assert "Cet événement est annulé. La place est en travaux." in text
    assert "structures présentes" not in text


def test_a_moved_stop_page_says_when_it_was_first_planned(client, stop, village_organiser):
    new_start = dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS)
    move_event(stop, start=new_start, end=new_start + dt.timedelta(hours=5), by=village_organiser)

    text = visible_text(client.get(stop.url))

    assert "Attention, changement de programme. Nouvelle date (initialement le 5 décembre 2026 à 08h00)." in text
    assert "samedi 12 décembre 2026, 8 h 00 – 13 h 00" in text


def test_the_stop_page_query_count_does_not_grow_with_its_stands(client, stop, stands, village_organiser, commune):
    client.get(stop.url)
    with CaptureQueriesContext(connection) as two:
        client.get(stop.url)
    for n in range(3, 6):
        Pitch.objects.create(stop=stop, number=n + 1)
    for n in range(3):
        extra = Organisation.objects.create(name=f"Association {n}", legal_form=LegalForm.ASSOCIATION, commune=commune)
        place_stand(
            stop,
            extra,
            Pitch.objects.get(stop=stop, number=n + 3),
            by=village_organiser,
            contact_name="Léa",
            contact_email="l@example.org",
        )
    with CaptureQueriesContext(connection) as five:
        text = visible_text(client.get(stop.url))

    assert "Les 5 structures présentes" in text
    assert len(five) == len(two)


def test_venue_helpers_fall_back_to_the_commune(commune):
    from events.village import coordinates

    venue = Venue.objects.create(commune=commune, name="Place", kind=VenueKind.MARKET)
    stop = VillageStopPage(venue=venue, commune=commune, status=EventStatus.SCHEDULED)

    assert coordinates(stop) == (50.3579, 3.5233)


def test_a_private_tour_keeps_its_feed_private(client, tour, stops):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=tour, restriction_type=PageViewRestriction.LOGIN)

    response = feed(client, tour)

    assert response.status_code == 302
    assert b"VEVENT" not in response.content


def test_a_stop_has_no_tour_feed_and_a_missing_tour_none(client, tour, stops):
    # The agenda has its own calendrier.ics (tests/events/test_feeds.py); a stop has evenement.ics.
    assert client.get(stops["valenciennes"].url + "calendrier.ics").status_code == 404
    assert client.get("/agenda/tournee-2027/calendrier.ics").status_code == 404


def test_the_agenda_links_to_the_tour_of_the_next_stop(client, tour, add_stop, agenda_page):
    add_stop(dt.date(2026, 10, 10))
    next_season = agenda_page.add_child(instance=TourPage(title="Tournée 2027", slug="tournee-2027", season=2027))
    add_stop(dt.date(2027, 1, 16), parent=next_season)

    html = client.get("/agenda/").content.decode()

    assert '<a href="/agenda/tournee-2027/">' in html
    assert '<a href="/agenda/tournee-2026/">' not in html


def test_a_finished_tour_leads_to_the_next_season(client, tour, add_stop, agenda_page):
    add_stop(dt.date(2026, 10, 10))
    add_stop(dt.date(2026, 11, 7))
    next_season = agenda_page.add_child(instance=TourPage(title="Tournée 2027", slug="tournee-2027", season=2027))

    response = get_tour(client, tour)
    text = visible_text(response)

    assert "2 étapes, toutes passées." in text
    assert "Aller à la prochaine étape" not in text
    assert "La tournée continue : voir les étapes de 2027" in text
    assert f'<a href="{next_season.url}">' in response.content.decode()
