"""The agenda's three views: the list, a month calendar and a map, with the filters they share."""

import datetime as dt
import json
import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.agenda import month_grid
from events.models import EventKind, EventStatus
from territory.models import PARIS, Venue
from tests.html import visible_text

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
DECEMBER = dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def occurrence(start, hours=1.5, title="Un rendez-vous"):
    return SimpleNamespace(title=title, start=start, end=start + dt.timedelta(hours=hours))


def titles_on(grid, day: dt.date) -> list[str]:
    return [item.event.title for item in grid.day(day).events]


# month_grid, a pure function ------------------------------------------------------------


def test_a_month_starting_on_a_sunday_has_six_leading_days_of_the_month_before():
    grid = month_grid(2026, 11, [], today=dt.date(2026, 11, 23))

    first_week = grid.weeks[0]
    assert [day.date for day in first_week][0] == dt.date(2026, 10, 26)
    assert [day.in_month for day in first_week] == [False] * 6 + [True]
    assert first_week[6].date == dt.date(2026, 11, 1)
    assert len(grid.weeks) == 6
    assert all(len(week) == 7 and week[0].date.weekday() == 0 for week in grid.weeks)


def test_february_of_a_leap_year_has_29_days():
    grid = month_grid(2028, 2, [occurrence(paris(2028, 2, 29, 18, 0), title="Bissextile")], today=dt.date(2028, 1, 1))

    days = [day.date for week in grid.weeks for day in week if day.in_month]
    assert days[0] == dt.date(2028, 2, 1) and days[-1] == dt.date(2028, 2, 29) and len(days) == 29
    assert titles_on(grid, dt.date(2028, 2, 29)) == ["Bissextile"]


def test_an_event_at_23_30_on_the_last_day_is_on_that_day_in_paris_time():
    # 23:30 in Paris is 22:30 UTC: the day is the Paris day.
    late = occurrence(paris(2026, 12, 31, 23, 30), hours=0.25, title="Réveillon solidaire")

    december = month_grid(2026, 12, [late], today=dt.date(2026, 11, 23))
    january = month_grid(2027, 1, [late], today=dt.date(2026, 11, 23))

    assert titles_on(december, dt.date(2026, 12, 31)) == ["Réveillon solidaire"]
    assert december.day(dt.date(2026, 12, 31)).events[0].time == "23 h 30"
    assert december.days_with_events == [december.day(dt.date(2026, 12, 31))]
    assert january.days_with_events == []


def test_an_event_past_midnight_continues_on_the_next_day_of_the_next_month():
    late = occurrence(paris(2026, 12, 31, 23, 30), hours=2, title="Nuit de l'ESS")

    january = month_grid(2027, 1, [late], today=dt.date(2026, 11, 23))

    continued = january.day(dt.date(2027, 1, 1)).events[0]
    assert continued.event.title == "Nuit de l'ESS"
    assert continued.continues and continued.time == ""


def test_the_days_of_a_dst_month_are_paris_days():
    # 25 October 2026: clocks go back at 3:00. 0:30 local is still 24 October in UTC.
    early = occurrence(paris(2026, 10, 25, 0, 30), title="Avant le changement d'heure")
    evening = occurrence(paris(2026, 10, 25, 23, 30), hours=0.25, title="Après le changement d'heure")

    grid = month_grid(2026, 10, [early, evening], today=dt.date(2026, 10, 1))

    assert titles_on(grid, dt.date(2026, 10, 25)) == ["Avant le changement d'heure", "Après le changement d'heure"]
    assert [item.time for item in grid.day(dt.date(2026, 10, 25)).events] == ["0 h 30", "23 h 30"]
    assert titles_on(grid, dt.date(2026, 10, 24)) == []
    assert titles_on(grid, dt.date(2026, 10, 26)) == []


def test_an_event_spanning_several_days_is_on_each_of_them():
    festival = occurrence(paris(2026, 12, 4, 10, 0), hours=24 * 2 + 8, title="Festival de l'ESS")

    grid = month_grid(2026, 12, [festival], today=dt.date(2026, 11, 23))

    assert [day.date.day for day in grid.days_with_events] == [4, 5, 6]
    assert [item.time for day in grid.days_with_events for item in day.events] == ["10 h 00", "", ""]


def test_an_event_ending_at_midnight_sharp_is_not_on_the_next_day():
    evening = occurrence(paris(2026, 12, 4, 20, 0), hours=4, title="Soirée")

    grid = month_grid(2026, 12, [evening], today=dt.date(2026, 11, 23))

    assert [day.date.day for day in grid.days_with_events] == [4]


def test_today_is_marked_and_days_of_other_months_carry_no_event():
    spill = occurrence(paris(2026, 11, 30, 20, 0), hours=6, title="Veillée")

    grid = month_grid(2026, 11, [spill], today=dt.date(2026, 11, 23))

    assert [day.date for week in grid.weeks for day in week if day.is_today] == [dt.date(2026, 11, 23)]
    trailing = grid.weeks[-1][1]
    assert trailing.date == dt.date(2026, 12, 1) and not trailing.in_month and trailing.events == ()
    assert titles_on(grid, dt.date(2026, 11, 30)) == ["Veillée"]


# The pages --------------------------------------------------------------------------------


def agenda(client, **params):
    return client.get("/agenda/", params)


def view_links(response) -> dict[str, tuple[str, bool]]:
    """The view switch: {label: (query string, is current)}."""
    nav = re.search(r'<nav class="agenda-views".*?</nav>', response.content.decode(), re.S).group(0)
    links = re.findall(r'<a [^>]*href="\?([^"#]*)#resultats"( aria-current="page")?>([^<]+)</a>', nav)
    return {label: (unescape(query), bool(current)) for query, current, label in links}


def feed_link(response) -> str:
    """The feed's address, as the field to copy shows it."""
    return unescape(
        re.search(r'<input id="adresse-agenda" type="url" value="([^"]*)"', response.content.decode()).group(1)
    )


def subscribe_links(response) -> dict[str, str]:
    block = re.search(r'<ul class="calendar-subscription".*?</ul>', response.content.decode(), re.S).group(0)
    return {
        visible_text(label).strip(): unescape(href)
        for href, label in re.findall(r'href="([^"]*)"[^>]*>(.*?)</a>', block)
    }


def month_cell(response, day: int) -> str:
    """The visible text of the cell of the month's day `day`."""
    html = response.content.decode()
    cells = re.findall(r'<td class="month__day[^"]*"[^>]*>(.*?)</td>', html, re.S)
    for cell in cells:
        if re.search(rf'<span class="month__number">{day}</span>', cell):
            return visible_text(cell)
    raise AssertionError(f"no cell for day {day}")


def map_data(response) -> list[dict]:
    match = re.search(r'<script id="agenda-map-data" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(match.group(1))


@pytest.fixture
def december(make_event, other_commune, venue):
    return {
        "breakfast": make_event(title="Petit-déj de décembre", start=DECEMBER, venue=venue),
        "anzin": make_event(title="Petit-déj à Anzin", start=DECEMBER, commune=other_commune),
        "village": make_event(
            kind=EventKind.ITINERANT_VILLAGE,
            title="Village au marché",
            start=DECEMBER + dt.timedelta(days=2),
            commune=other_commune,
        ),
        "cancelled": make_event(
            kind=EventKind.YOUTH_OUTREACH,
            title="Forum annulé",
            start=paris(2026, 12, 15, 14, 0),
            status=EventStatus.CANCELLED,
        ),
        "january": make_event(title="Petit-déj de janvier", start=paris(2027, 1, 14, 8, 30)),
    }


def test_the_list_is_the_default_view_and_the_switch_says_so(client, december):
    response = agenda(client)

    links = view_links(response)
    assert list(links) == ["Liste", "Mois", "Carte"]
    assert links["Liste"] == ("", True)
    assert links["Mois"] == ("vue=mois", False)
    assert links["Carte"] == ("vue=carte", False)
    assert 'class="event-card__link"' in response.content.decode()
    assert '<nav class="agenda-views" aria-label="Affichage des rendez-vous">' in response.content.decode()


def test_the_switch_keeps_the_filters_and_drops_the_page_number(client, december):
    response = agenda(client, kind=EventKind.THEMATIC_BREAKFAST, commune="59014", month="2026-12", page="2")

    links = view_links(response)
    assert links["Liste"] == ("kind=thematic_breakfast&commune=59014&month=2026-12", True)
    assert links["Mois"] == ("kind=thematic_breakfast&commune=59014&month=2026-12&vue=mois", False)
    assert links["Carte"] == ("kind=thematic_breakfast&commune=59014&month=2026-12&vue=carte", False)


def test_the_filter_form_keeps_the_chosen_view(client, december):
    html = agenda(client, vue="carte").content.decode()

    assert '<input type="hidden" name="vue" value="carte">' in html
    assert view_links(agenda(client, vue="carte"))["Carte"][1] is True


def test_clearing_the_filters_keeps_the_view(client, december):
    html = agenda(client, vue="mois", commune="59014").content.decode()

    assert '<a class="filters__reset" href="/agenda/?vue=mois">Effacer les filtres</a>' in html
    assert "filters__reset" not in agenda(client, vue="mois").content.decode()


def test_a_bad_view_is_reported_in_french_and_the_list_is_shown(client, december):
    response = agenda(client, vue="frise", kind=EventKind.THEMATIC_BREAKFAST)
    text = visible_text(response)

    assert "Affichage inconnu : choisissez la liste, le mois ou la carte. Voici la liste." in text
    assert view_links(response)["Liste"] == ("kind=thematic_breakfast", True)
    assert "Petit-déj de décembre" in text and "Petit-déj de janvier" in text
    assert "month__table" not in response.content.decode()


def test_the_month_view_shows_the_current_month_by_default(client, december):
    response = agenda(client, vue="mois")
    html = response.content.decode()

    assert '<caption class="month__caption">Novembre 2026</caption>' in html
    assert "Les rendez-vous de novembre 2026 0 rendez-vous trouvé" in visible_text(response)
    assert "Aucun rendez-vous en novembre 2026 pour ces filtres." in visible_text(response)
    today = re.search(r'<td class="month__day[^"]*" aria-current="date">.*?</td>', html, re.S).group(0)
    assert '<span class="month__number">23</span>' in today
    assert "aujourd'hui" in visible_text(today)
    assert html.count('aria-current="date"') == 1


def test_the_month_view_is_a_table_with_french_day_names_monday_first(client, december):
    html = agenda(client, vue="mois", month="2026-12").content.decode()

    headers = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert headers == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    assert '<caption class="month__caption">Décembre 2026</caption>' in html


def test_the_month_view_puts_each_event_on_its_day_with_time_kind_and_link(client, december):
    response = agenda(client, vue="mois", month="2026-12")

    assert month_cell(response, 10) == (
        "jeudi 10 décembre 8 h 30 Petit-déjeuner Petit-déj de décembre 8 h 30 Petit-déjeuner Petit-déj à Anzin"
    )
    assert month_cell(response, 12) == "samedi 12 décembre 8 h 30 Village Village au marché"
    assert month_cell(response, 11) == "vendredi 11 décembre"
    assert f'href="{december["village"].url}"' in response.content.decode()
    assert "Petit-déj de janvier" not in visible_text(response)
    assert "4 rendez-vous trouvés" in visible_text(response)


def test_a_cancelled_event_says_so_in_text_in_the_month(client, december):
    response = agenda(client, vue="mois", month="2026-12")

    assert month_cell(response, 15) == "mardi 15 décembre 14 h 00 Jeunes Forum annulé Annulé"


def test_an_event_over_several_days_is_on_each_day_of_the_month(client, make_event):
    make_event(title="Quinzaine de l'ESS", start=paris(2026, 11, 30, 9, 0), hours=24 * 2 + 8)

    response = agenda(client, vue="mois", month="2026-12")

    assert month_cell(response, 1) == "mardi 1 décembre suite Petit-déjeuner Quinzaine de l'ESS"
    assert month_cell(response, 2) == "mercredi 2 décembre suite Petit-déjeuner Quinzaine de l'ESS"
    assert month_cell(response, 3) == "jeudi 3 décembre"


def test_the_month_view_applies_the_kind_and_commune_filters(client, december):
    response = agenda(client, vue="mois", month="2026-12", commune="59014", kind=EventKind.THEMATIC_BREAKFAST)

    assert month_cell(response, 10) == "jeudi 10 décembre 8 h 30 Petit-déjeuner Petit-déj à Anzin"
    assert month_cell(response, 12) == "samedi 12 décembre"


def test_previous_and_next_month_links_keep_the_filters(client, december):
    response = agenda(client, vue="mois", month="2026-12", commune="59014", page="3")
    html = unescape(response.content.decode())
    text = visible_text(response)

    assert "Mois précédent : novembre 2026" in text
    assert "Mois suivant : janvier 2027" in text
    assert 'href="?month=2026-11&commune=59014&vue=mois#resultats" rel="prev"' in html
    assert 'href="?month=2027-01&commune=59014&vue=mois#resultats" rel="next"' in html


def test_an_empty_month_points_to_the_next_month_that_has_events(client, december):
    response = agenda(client, vue="mois", month="2026-10", kind="thematic_breakfast")
    text = visible_text(response)

    assert "Aucun rendez-vous en octobre 2026 pour ces filtres." in text
    assert "Voir le prochain mois qui en compte : décembre 2026" in text
    assert 'href="?month=2026-12&kind=thematic_breakfast&vue=mois#resultats"' in unescape(response.content.decode())


def test_an_empty_month_with_nothing_after_it_says_only_that(client, december):
    text = visible_text(agenda(client, vue="mois", month="2027-02"))

    assert "Aucun rendez-vous en février 2027 pour ces filtres." in text
    assert "prochain mois" not in text


def test_the_months_links_cross_the_year(client, december):
    text = visible_text(agenda(client, vue="mois", month="2027-01"))

    assert "Mois précédent : décembre 2026" in text
    assert "Mois suivant : février 2027" in text


def test_a_bad_month_in_the_month_view_is_reported_and_the_current_month_shown(client, december):
    response = agenda(client, vue="mois", month="Noël")

    assert "Mois illisible : indiquez-le sous la forme AAAA-MM, par exemple 2026-03." in visible_text(response)
    assert '<caption class="month__caption">Novembre 2026</caption>' in response.content.decode()


def _query_count(client, params) -> int:
    with CaptureQueriesContext(connection) as measured:
        agenda(client, **params)
    return len(measured)


def _add_events(make_event, venue, other_commune, count, start):
    kinds = list(EventKind)
    for n in range(count):
        make_event(
            kind=kinds[n % 4],
            start=start + dt.timedelta(days=n % 20, hours=n % 3),
            **({"venue": venue} if n % 2 else {"commune": other_commune}),
        )


def test_the_month_view_query_count_does_not_grow_with_its_events(
    client, make_event, venue, other_commune, django_assert_num_queries
):
    params = {"vue": "mois", "month": "2026-12"}
    _add_events(make_event, venue, other_commune, 2, paris(2026, 12, 1, 9, 0))
    agenda(client, **params)  # the first visit creates the site's settings rows
    expected = _query_count(client, params)

    _add_events(make_event, venue, other_commune, 18, paris(2026, 12, 1, 9, 0))
    with django_assert_num_queries(expected):
        response = agenda(client, **params)
    assert "20 rendez-vous trouvés" in visible_text(response)


def test_the_map_view_groups_the_events_of_a_place_on_one_marker(client, december, commune):
    response = agenda(client, vue="carte")

    points = {point["label"]: point for point in map_data(response)}
    assert sorted(points) == ["Anzin : 2 rendez-vous", "Valenciennes : 3 rendez-vous"]
    anzin = points["Anzin : 2 rendez-vous"]
    assert (anzin["lat"], anzin["lng"]) == (50.3754, 3.5111)
    assert anzin["count"] == 2
    assert anzin["events"][0] == {
        "title": "Petit-déj à Anzin",
        "url": december["anzin"].url,
        "when": "jeudi 10 décembre 2026, 8\u00a0h\u00a030 – 10\u00a0h\u00a000",
        "kind": "Petit-déjeuner thématique",
        "status": "",
        "cancelled": False,
    }
    cancelled = next(e for e in points["Valenciennes : 3 rendez-vous"]["events"] if e["title"] == "Forum annulé")
    assert cancelled["status"] == "Annulé" and cancelled["cancelled"] is True


def test_a_venue_with_its_own_point_is_a_place_of_its_own(client, make_event, commune):
    hall = Venue.objects.create(commune=commune, name="Salle Watteau", latitude=50.36, longitude=3.52)
    make_event(title="À la salle", start=DECEMBER, venue=hall)
    make_event(title="En ville", start=DECEMBER)

    points = map_data(agenda(client, vue="carte"))

    assert sorted((point["label"], point["lat"]) for point in points) == [
        ("Salle Watteau, Valenciennes : 1 rendez-vous", 50.36),
        ("Valenciennes : 1 rendez-vous", 50.3579),
    ]


def test_the_map_views_list_groups_the_events_by_commune_with_links(client, december):
    response = agenda(client, vue="carte")
    text = visible_text(response)
    html = response.content.decode()

    assert "Commune par commune Anzin — 2 rendez-vous Petit-déj à Anzin" in text
    assert "Valenciennes — 3 rendez-vous Petit-déj de décembre" in text
    assert text.index("Anzin — 2 rendez-vous") < text.index("Valenciennes — 3 rendez-vous")
    assert f'<a href="{december["village"].url}">Village au marché</a>' in html
    assert "Lieu : Salle des fêtes" in text


def test_the_map_is_named_and_says_the_list_gives_the_same_information(client, december):
    response = agenda(client, vue="carte")
    html = response.content.decode()

    canvas = re.search(r'<div class="agenda-map__canvas"[^>]*>', html, re.S).group(0)
    assert 'role="region"' in canvas and 'aria-label="Carte des rendez-vous"' in canvas
    assert 'aria-describedby="agenda-map-summary"' in canvas
    assert "Carte des 2 lieux : chaque repère donne le nombre de rendez-vous qui s'y tiennent." in visible_text(html)
    assert "La liste qui suit donne les mêmes informations." in visible_text(html)
    # Drawn by the script over the list: hidden without JavaScript.
    assert '<div class="agenda-map" hidden>' in html


def test_the_map_view_of_a_month_shows_that_month(client, december):
    points = map_data(agenda(client, vue="carte", month="2027-01"))

    assert [event["title"] for point in points for event in point["events"]] == ["Petit-déj de janvier"]


def test_the_map_view_with_nothing_to_show_has_no_map(client, december):
    response = agenda(client, vue="carte", kind=EventKind.ELECTED_AWARENESS)

    assert "agenda-map-data" not in response.content.decode()
    assert "Aucun rendez-vous ne correspond à votre recherche." in visible_text(response)


def test_the_map_view_query_count_does_not_grow_with_its_events(
    client, make_event, venue, other_commune, django_assert_num_queries
):
    params = {"vue": "carte"}
    _add_events(make_event, venue, other_commune, 2, DECEMBER)
    agenda(client, **params)
    expected = _query_count(client, params)

    _add_events(make_event, venue, other_commune, 18, DECEMBER)
    with django_assert_num_queries(expected):
        response = agenda(client, **params)
    assert "20 rendez-vous trouvés" in visible_text(response)
    assert sum(point["count"] for point in map_data(response)) == 20


@pytest.mark.parametrize("vue", ["", "mois", "carte"])
def test_every_view_links_to_the_feed_of_its_filters_without_view_or_page(client, december, vue):
    params = {"kind": EventKind.THEMATIC_BREAKFAST, "commune": "59014", "month": "2026-12", "page": "2"}
    if vue:
        params["vue"] = vue
    response = agenda(client, **params)

    assert (
        feed_link(response)
        == "http://testserver/agenda/calendrier.ics?kind=thematic_breakfast&commune=59014&month=2026-12"
    )
    assert "s'y mettent à jour tout seuls" in visible_text(response)


def test_the_subscription_opens_calendar_applications_and_google_agenda(client, december):
    links = subscribe_links(agenda(client, commune="59014"))

    assert links == {
        "S'abonner à ces rendez-vous": "webcal://testserver/agenda/calendrier.ics?commune=59014",
        "S'abonner dans Google Agenda (site externe)": "https://calendar.google.com/calendar/render?cid="
        "webcal%3A%2F%2Ftestserver%2Fagenda%2Fcalendrier.ics%3Fcommune%3D59014",
        "Télécharger le fichier .ics": "http://testserver/agenda/calendrier.ics?commune=59014",
    }


def test_the_feed_link_without_filters_is_the_whole_agenda(client, december):
    assert feed_link(agenda(client, vue="mois")) == "http://testserver/agenda/calendrier.ics"


def test_the_feed_link_leaves_out_a_bad_filter(client, december):
    response = agenda(client, commune="59014", month="décembre")

    assert feed_link(response) == "http://testserver/agenda/calendrier.ics?commune=59014"
