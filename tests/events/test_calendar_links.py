"""The "Ajouter à mon agenda" links (events/calendar_links.py) and their block on event pages."""

import datetime as dt

import pytest
import time_machine

from events.calendar_links import google_url, links_for, office365_url, outlook_com_url, yahoo_url
from events.models import EventStatus
from territory.models import PARIS

URL = "http://testserver/agenda/petit-dejeuner/"


@pytest.fixture
def breakfast(make_event, venue):
    # 10 December 2026 at 8:30 in Paris is 7:30 UTC (winter time).
    return make_event(title="Petit-déjeuner & ESS", venue=venue, summary="Un café.")


def test_google_link(breakfast):
    assert google_url(breakfast, URL) == (
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text=Petit-d%C3%A9jeuner%20%26%20ESS"
        "&dates=20261210T073000Z%2F20261210T090000Z"
        "&details=Un%20caf%C3%A9.%0A%0Ahttp%3A%2F%2Ftestserver%2Fagenda%2Fpetit-dejeuner%2F"
        "&location=Salle%20des%20f%C3%AAtes%2C%2059300%20Valenciennes"
    )


def test_outlook_com_link(breakfast):
    assert outlook_com_url(breakfast, URL) == (
        "https://outlook.live.com/calendar/0/action/compose?path=%2Fcalendar%2Faction%2Fcompose&rru=addevent"
        "&subject=Petit-d%C3%A9jeuner%20%26%20ESS&startdt=2026-12-10T07%3A30%3A00Z&enddt=2026-12-10T09%3A00%3A00Z"
        "&body=Un%20caf%C3%A9.%0A%0Ahttp%3A%2F%2Ftestserver%2Fagenda%2Fpetit-dejeuner%2F"
        "&location=Salle%20des%20f%C3%AAtes%2C%2059300%20Valenciennes"
    )


def test_office365_link(breakfast):
    assert office365_url(breakfast, URL) == outlook_com_url(breakfast, URL).replace(
        "https://outlook.live.com/", "https://outlook.office.com/"
    )
    assert office365_url(breakfast, URL).startswith("https://outlook.office.com/calendar/0/action/compose?")


def test_yahoo_link(breakfast):
    assert yahoo_url(breakfast, URL) == (
        "https://calendar.yahoo.com/?v=60&title=Petit-d%C3%A9jeuner%20%26%20ESS"
        "&st=20261210T073000Z&et=20261210T090000Z"
        "&desc=Un%20caf%C3%A9.%0A%0Ahttp%3A%2F%2Ftestserver%2Fagenda%2Fpetit-dejeuner%2F"
        "&in_loc=Salle%20des%20f%C3%AAtes%2C%2059300%20Valenciennes"
    )


def test_summer_time_is_two_hours_ahead_of_utc(make_event):
    event = make_event(start=dt.datetime(2027, 6, 3, 8, 30, tzinfo=PARIS))

    assert "dates=20270603T063000Z%2F20270603T080000Z" in google_url(event, URL)


def test_a_cancelled_event_has_no_links(make_event):
    event = make_event(status=EventStatus.CANCELLED)

    assert links_for(event, url=URL, ics_url=URL + "evenement.ics") == []


def test_a_postponed_event_has_no_links_since_its_date_is_not_known(make_event):
    event = make_event(status=EventStatus.POSTPONED)

    assert links_for(event, url=URL, ics_url=URL + "evenement.ics") == []


def test_a_past_event_has_no_links(breakfast):
    assert links_for(breakfast, url=URL, ics_url="x", now=dt.datetime(2027, 1, 1, tzinfo=PARIS)) == []


@time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS), tick=False)
def test_the_event_page_offers_the_ics_file_and_the_web_calendars(client, breakfast):
    html = client.get(breakfast.url).content.decode()

    assert "Ajouter à mon agenda" in html
    assert f'href="http://testserver{breakfast.url}evenement.ics" download>Fichier .ics' in html
    for label in (
        "Google Agenda (site externe)",
        "Outlook.com (site externe)",
        "Outlook Microsoft 365 (site externe)",
        "Yahoo Agenda (site externe)",
    ):
        assert f'rel="external">{label}</a>' in html


@time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS), tick=False)
def test_a_cancelled_event_page_offers_none(client, make_event):
    event = make_event(status=EventStatus.CANCELLED)

    assert "Ajouter à mon agenda" not in client.get(event.url).content.decode()
