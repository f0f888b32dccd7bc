"""The calendar module (events/ical/) and the public feeds: agenda, event, market.

Every feed is read back by two parsers: icalendar, which wrote it, and allenporter's
`ical`, a separate implementation, so a quirk of one writer does not pass unnoticed.
"""

import datetime as dt

import pytest
import time_machine
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from wagtail.models import Page, Site

from events.ical import cached_event_calendar, event_calendar
from events.models import CalendarEntry, EventKind, EventPage, EventStatus
from territory.models import PARIS, Commune, VenueClosure

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def parse_both(body: bytes):
    """(icalendar's Calendar, ical's Calendar) of the same bytes."""
    return Calendar.from_ical(body), IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))


def vevents(body: bytes):
    return Calendar.from_ical(body).walk("VEVENT")


def from_scratch(queryset) -> bytes:
    """What the feeds wrote before the stored fragments: icalendar, every event built anew."""
    events = list(queryset.select_related("venue", "commune"))
    return event_calendar(events, name="Agenda", urls={event.pk: event.get_full_url() for event in events})


# The module --------------------------------------------------------------------------------------


def test_the_cached_feed_is_what_icalendar_builds_from_scratch(make_event, venue):
    make_event(venue=venue, title="Petit-déjeuner de l'ESS, salle des fêtes, avec un titre assez long pour être plié")
    make_event(start=dt.datetime(2027, 3, 28, 9, 0, tzinfo=PARIS), status=EventStatus.CANCELLED)
    events = EventPage.objects.order_by("start", "pk")

    cold, _modified = cached_event_calendar(events, name="Agenda")
    warm, _modified = cached_event_calendar(events, name="Agenda")

    assert cold == warm == from_scratch(events)
    ours, theirs = parse_both(warm)
    assert ours == Calendar.from_ical(from_scratch(events))
    assert [event.summary for event in theirs.events][0].startswith("Petit-déjeuner de l'ESS")


def test_a_stored_fragment_is_reused_without_rebuilding(make_event, django_assert_num_queries):
    event = make_event()
    cached_event_calendar(EventPage.objects.all())
    CalendarEntry.objects.filter(pk=event.pk).update(
        vevent=CalendarEntry.objects.get(pk=event.pk).vevent + "X-MARK:1\r\n"
    )

    with django_assert_num_queries(1):
        body, _modified = cached_event_calendar(EventPage.objects.all())

    assert b"X-MARK:1" in body


def test_a_republished_page_gets_a_new_fragment(make_event):
    event = make_event(title="Avant")
    cached_event_calendar(EventPage.objects.all())

    event.title = "Après"
    event.save_revision().publish()
    body, _modified = cached_event_calendar(EventPage.objects.all())

    assert [str(e["summary"]) for e in vevents(body)] == ["Après"]
    assert CalendarEntry.objects.get(pk=event.pk).last_modified == EventPage.objects.get(pk=event.pk).last_published_at


def test_a_fragment_written_before_the_last_publication_counts_as_stale(make_event):
    event = make_event(title="Publié")
    cached_event_calendar(EventPage.objects.all())
    # A fragment written from an older publication (as if the signal had been missed).
    CalendarEntry.objects.filter(pk=event.pk).update(
        vevent="BEGIN:VEVENT\r\nSUMMARY:Ancien\r\nEND:VEVENT\r\n", last_modified=dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    )
    EventPage.objects.filter(pk=event.pk).update(last_published_at=NOW)

    body, _modified = cached_event_calendar(EventPage.objects.all())

    assert [str(e["summary"]) for e in vevents(body)] == ["Publié"]


def test_a_renamed_venue_rebuilds_the_fragments_of_its_events(make_event, venue):
    make_event(venue=venue)
    cached_event_calendar(EventPage.objects.all())

    venue.name = "Salle Jean-Jaurès"
    venue.save()
    body, _modified = cached_event_calendar(EventPage.objects.all())

    assert str(vevents(body)[0]["location"]).startswith("Salle Jean-Jaurès, 59300 Valenciennes")


def test_a_renamed_commune_rebuilds_the_fragments_of_its_events(make_event, commune):
    make_event()
    cached_event_calendar(EventPage.objects.all())

    Commune.objects.filter(pk=commune.pk).update(name="Valenciennes-Centre")
    commune.refresh_from_db()
    commune.save()
    body, _modified = cached_event_calendar(EventPage.objects.all())

    assert str(vevents(body)[0]["location"]) == "59300 Valenciennes-Centre"


def test_a_changed_site_address_rebuilds_the_fragments(make_event):
    make_event()
    cached_event_calendar(EventPage.objects.all())

    site = Site.objects.get()
    site.hostname = "village.example.org"
    site.save()
    body, _modified = cached_event_calendar(EventPage.objects.all())

    assert str(vevents(body)[0]["url"]).startswith("http://village.example.org/agenda/")


def test_the_fragment_url_is_the_pages_full_url(make_event):
    event = make_event()
    cached_event_calendar(EventPage.objects.all())

    assert CalendarEntry.objects.get(pk=event.pk).url == Page.objects.get(pk=event.pk).get_full_url()


def test_the_same_events_give_the_same_bytes(make_event):
    make_event()
    first, _modified = cached_event_calendar(EventPage.objects.all())
    CalendarEntry.objects.all().delete()
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        second, _modified = cached_event_calendar(EventPage.objects.all())

    assert first == second


# The agenda feed ------------------------------------------------------------------------------------


def agenda_feed(client, query="", **headers):
    return client.get(f"/agenda/calendrier.ics{query}", headers=headers)


def test_the_agenda_feed_has_the_last_year_and_what_is_coming(client, make_event):
    make_event(title="Il y a deux ans", start=dt.datetime(2024, 11, 1, 9, 0, tzinfo=PARIS))
    make_event(title="Le mois dernier", start=dt.datetime(2026, 10, 15, 9, 0, tzinfo=PARIS))
    make_event(title="Annulé", start=dt.datetime(2026, 12, 3, 9, 0, tzinfo=PARIS), status=EventStatus.CANCELLED)
    make_event(title="L'an prochain", start=dt.datetime(2027, 5, 1, 9, 0, tzinfo=PARIS))

    response = agenda_feed(client)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    ours, theirs = parse_both(response.content)
    assert [str(e["summary"]) for e in ours.walk("VEVENT")] == ["Le mois dernier", "Annulé", "L'an prochain"]
    assert [e.summary for e in theirs.events] == ["Le mois dernier", "Annulé", "L'an prochain"]
    assert [str(e.status) for e in theirs.events][1].endswith("CANCELLED")
    assert str(ours.walk("VEVENT")[1]["status"]) == "CANCELLED"


def test_the_agenda_feed_times_are_paris_wall_clock_across_the_change_of_time(client, make_event):
    # 25 October 2026 is the last Sunday of October: summer time ends at 3:00.
    make_event(title="Avant", start=dt.datetime(2026, 10, 24, 8, 30, tzinfo=PARIS))
    make_event(title="Après", start=dt.datetime(2026, 10, 25, 8, 30, tzinfo=PARIS))
    make_event(title="Printemps", start=dt.datetime(2027, 3, 28, 8, 30, tzinfo=PARIS))

    _ours, theirs = parse_both(agenda_feed(client).content)

    starts = {e.summary: e.dtstart for e in theirs.events}
    assert [starts[t].hour for t in ("Avant", "Après", "Printemps")] == [8, 8, 8]
    assert [starts[t].utcoffset() for t in ("Avant", "Après", "Printemps")] == [
        dt.timedelta(hours=2),
        dt.timedelta(hours=1),
        dt.timedelta(hours=2),
    ]
    assert starts["Après"].astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 7, 30, tzinfo=dt.UTC)


def test_the_agenda_feed_uids_are_stable(client, event):
    _ours, theirs = parse_both(agenda_feed(client).content)

    assert [e.uid for e in theirs.events] == [f"event-{event.pk}@testserver"]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("?kind=youth_outreach", ["Au lycée"]),
        ("?commune=59014", ["À Anzin"]),
        ("?month=2027-01", ["En janvier"]),
        ("?kind=thematic_breakfast&commune=59606", ["En janvier"]),
    ],
)
def test_the_agenda_feed_takes_the_pages_filters(client, make_event, other_commune, query, titles):
    make_event(EventKind.YOUTH_OUTREACH, title="Au lycée")
    make_event(title="À Anzin", commune=other_commune)
    make_event(title="En janvier", start=dt.datetime(2027, 1, 14, 8, 30, tzinfo=PARIS))

    assert [str(e["summary"]) for e in vevents(agenda_feed(client, query).content)] == titles


def test_the_agenda_feed_is_named_after_the_site_and_its_filters(client, make_event, other_commune):
    make_event(title="À Anzin", commune=other_commune)

    calendar = Calendar.from_ical(agenda_feed(client, "?commune=59014&kind=thematic_breakfast").content)

    assert str(calendar["x-wr-calname"]) == "Le Village de l'ESS · Agenda · Petit-déjeuner thématique · Anzin"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?month=mars", "Mois illisible"),
        ("?kind=concert", "Type"),
        ("?commune=99999", "Commune"),
    ],
)
def test_a_bad_filter_answers_400_in_french(client, event, query, message):
    response = agenda_feed(client, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("Filtre du calendrier invalide.")
    assert message in text
    assert "VEVENT" not in text


def test_another_sites_events_are_not_in_this_sites_feed(client, event, home_page, second_commune, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "sambre.localhost"]
    from cms.models import HomePage
    from events.models import AgendaPage, ThematicBreakfastPage

    root = Page.get_first_root_node()
    other_home = root.add_child(instance=HomePage(title="Sambre", slug="sambre"))
    Site.objects.create(hostname="sambre.localhost", root_page=other_home, site_name="Sambre")
    other_agenda = other_home.add_child(instance=AgendaPage(title="Agenda", slug="agenda"))
    other_agenda.add_child(
        instance=ThematicBreakfastPage(
            title="À Maubeuge",
            slug="maubeuge",
            theme="Réemploi",
            summary="Un temps d'échange.",
            commune=second_commune,
            start=dt.datetime(2026, 12, 11, 8, 30, tzinfo=PARIS),
            end=dt.datetime(2026, 12, 11, 10, 0, tzinfo=PARIS),
        )
    )

    here = [str(e["summary"]) for e in vevents(agenda_feed(client).content)]
    there = [
        str(e["summary"]) for e in vevents(client.get("/agenda/calendrier.ics", HTTP_HOST="sambre.localhost").content)
    ]

    assert here == [event.title]
    assert there == ["À Maubeuge"]


def test_the_agenda_feed_costs_the_same_queries_for_3_and_30_events(client, make_event, django_assert_num_queries):
    for n in range(3):
        make_event(start=dt.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS) + dt.timedelta(days=n))
    agenda_feed(client)
    # Routing and the site's territory (7), Wagtail's page hooks (2), the events with their fragments (1).
    with django_assert_num_queries(10):
        agenda_feed(client)
    for n in range(3, 30):
        make_event(start=dt.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS) + dt.timedelta(days=n))
    agenda_feed(client)
    with django_assert_num_queries(10):
        response = agenda_feed(client)

    assert len(vevents(response.content)) == 30


def test_a_cold_feed_costs_the_same_queries_for_3_and_30_events(client, make_event, django_assert_num_queries):
    for n in range(3):
        make_event(start=dt.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS) + dt.timedelta(days=n))
    agenda_feed(client)
    CalendarEntry.objects.all().delete()
    with django_assert_num_queries(12):  # as warm, + the stale events loaded, + one upsert
        agenda_feed(client)
    for n in range(3, 30):
        make_event(start=dt.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS) + dt.timedelta(days=n))
    CalendarEntry.objects.all().delete()
    with django_assert_num_queries(12):
        agenda_feed(client)


# Conditional requests --------------------------------------------------------------------------------


def test_the_same_etag_answers_304_with_no_body(client, event):
    first = agenda_feed(client)

    again = agenda_feed(client, If_None_Match=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_if_modified_since_answers_304(client, event):
    event.save_revision().publish()
    first = agenda_feed(client)

    again = agenda_feed(client, If_Modified_Since=first["Last-Modified"])

    assert again.status_code == 304
    assert again.content == b""


def test_a_change_answers_200_with_the_new_calendar(client, event):
    event.save_revision().publish()
    first = agenda_feed(client)

    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        event.title = "Nouveau titre"
        event.save_revision().publish()
        again = agenda_feed(client, If_None_Match=first["ETag"], If_Modified_Since=first["Last-Modified"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert [str(e["summary"]) for e in vevents(again.content)] == ["Nouveau titre"]


def test_the_public_feed_may_be_cached_by_anyone(client, event):
    assert agenda_feed(client)["Cache-Control"] == "public, max-age=900"


# One event --------------------------------------------------------------------------------------------


def test_an_event_has_its_own_feed(client, event, make_event):
    make_event(title="Un autre")

    response = client.get(f"{event.url}evenement.ics")

    ours, theirs = parse_both(response.content)
    assert [e.uid for e in theirs.events] == [f"event-{event.pk}@testserver"]
    assert str(ours["x-wr-calname"]) == event.title
    assert response["Content-Disposition"] == 'inline; filename="evenement.ics"'


def test_an_unpublished_event_has_no_feed(client, event):
    url = f"{event.url}evenement.ics"
    event.unpublish()

    assert client.get(url).status_code == 404


def test_the_agenda_has_no_event_feed(client, agenda_page):
    assert client.get("/agenda/evenement.ics").status_code == 404


# Markets -----------------------------------------------------------------------------------------------


def market_feed(client, market, **extra):
    return client.get(f"/agenda/marches/{market.pk}/marche.ics", **extra)


def test_a_market_is_one_repeating_event_at_its_hours(client, agenda_page, market):
    ours, theirs = parse_both(market_feed(client, market).content)

    (event,) = ours.walk("VEVENT")
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=SA"
    assert event["dtstart"].to_ical() == b"20240106T080000"
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert theirs.events[0].summary == "Marché de la place d'Armes"


def test_the_market_stays_at_8_across_the_change_of_time_and_skips_its_closures(client, agenda_page, market):
    VenueClosure.objects.create(venue=market, date=dt.date(2026, 10, 31), reason="Toussaint")

    _ours, theirs = parse_both(market_feed(client, market).content)

    after = dt.datetime(2026, 10, 17, tzinfo=PARIS)
    starts = []
    for occurrence in theirs.timeline_tz(PARIS).start_after(after):
        starts.append(occurrence.dtstart)
        if len(starts) == 3:
            break
    assert [start.date() for start in starts] == [dt.date(2026, 10, 17), dt.date(2026, 10, 24), dt.date(2026, 11, 7)]
    assert [start.astimezone(PARIS).hour for start in starts] == [8, 8, 8]
    assert [start.utcoffset() for start in starts] == [
        dt.timedelta(hours=2),
        dt.timedelta(hours=2),
        dt.timedelta(hours=1),
    ]


def test_a_closure_is_an_exdate_at_opening_time(client, agenda_page, market):
    VenueClosure.objects.create(venue=market, date=dt.date(2026, 12, 26), reason="Lendemain de Noël")

    (event,) = vevents(market_feed(client, market).content)

    assert event["exdate"].to_ical() == b"20261226T080000"


def test_a_venue_that_is_no_market_has_no_market_feed(client, agenda_page, venue):
    assert market_feed(client, venue).status_code == 404


def test_another_territorys_market_has_no_feed_on_this_site(client, agenda_page, territory, second_commune):
    from territory.models import Venue, VenueKind

    theirs = Venue.objects.create(
        commune=second_commune,
        name="Marché de Maubeuge",
        kind=VenueKind.MARKET,
        recurrence="FREQ=WEEKLY;BYDAY=SA",
        opens_at=dt.time(8),
        closes_at=dt.time(12),
    )

    assert market_feed(client, theirs).status_code == 404


def test_the_market_feed_answers_304(client, agenda_page, market):
    first = market_feed(client, market)

    again = market_feed(client, market, headers={"If-None-Match": first["ETag"]})

    assert (again.status_code, again.content) == (304, b"")
    assert b"RRULE:FREQ=WEEKLY;BYDAY=SA" in first.content


def test_a_stop_at_a_market_links_the_market_feed(client, make_event, market):
    stop = make_event(EventKind.ITINERANT_VILLAGE, venue=market, hours=5)

    html = client.get(stop.url).content.decode()

    assert f'href="http://testserver/agenda/marches/{market.pk}/marche.ics"' in html
    assert "S&#x27;abonner au calendrier du marché" in html or "S'abonner au calendrier du marché" in html
