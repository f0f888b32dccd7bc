"""The public agenda: filters that combine and survive in the URL, past events, bad input."""

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import AgendaPage, EventKind, EventStatus
from territory.models import PARIS
from tests.html import visible_text

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
DECEMBER = dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS)
JANUARY = dt.datetime(2027, 1, 14, 8, 30, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def agenda(client, **params):
    return client.get("/agenda/", params)


def card_titles(response) -> list[str]:
    """The titles of the event cards, in page order."""
    titles = re.findall(r'class="event-card__link" href="[^"]*">([^<]+)</a>', response.content.decode())
    return [unescape(title) for title in titles]


@pytest.fixture
def season(make_event, other_commune):
    """Upcoming events of several kinds, communes and months, plus one past event."""
    return {
        "breakfast_dec": make_event(title="Petit-déj de décembre", start=DECEMBER),
        "breakfast_jan": make_event(title="Petit-déj de janvier", start=JANUARY),
        "breakfast_anzin": make_event(title="Petit-déj à Anzin", start=DECEMBER, commune=other_commune),
        "village_dec": make_event(
            kind=EventKind.ITINERANT_VILLAGE, title="Village au marché", start=DECEMBER + dt.timedelta(days=2)
        ),
        "youth_jan": make_event(kind=EventKind.YOUTH_OUTREACH, title="Forum des métiers", start=JANUARY),
        "past": make_event(title="Petit-déj d'octobre", start=dt.datetime(2026, 10, 8, 8, 30, tzinfo=PARIS)),
    }


def test_upcoming_events_in_date_order_by_default(client, season):
    response = agenda(client)

    assert card_titles(response) == [
        "Petit-déj de décembre",
        "Petit-déj à Anzin",
        "Village au marché",
        "Petit-déj de janvier",
        "Forum des métiers",
    ]
    assert "Les prochains rendez-vous 5 rendez-vous trouvés" in visible_text(response)


def test_each_card_shows_date_kind_place_and_links_to_its_page(client, season, venue, make_event):
    make_event(title="À la salle des fêtes", start=DECEMBER + dt.timedelta(days=1), venue=venue)

    response = agenda(client, commune="59606", month="2026-12")
    text = visible_text(response)

    assert "Petit-déjeuner thématique À la salle des fêtes vendredi 11 décembre 2026, 8 h 30 – 10 h 00" in text
    assert "Lieu : Salle des fêtes, Valenciennes" in text
    assert f'href="{season["breakfast_dec"].url}"' in response.content.decode()


def test_filter_by_kind(client, season):
    assert card_titles(agenda(client, kind=EventKind.YOUTH_OUTREACH)) == ["Forum des métiers"]


def test_filter_by_commune(client, season):
    assert card_titles(agenda(client, commune="59014")) == ["Petit-déj à Anzin"]


def test_filter_by_month(client, season):
    assert card_titles(agenda(client, month="2027-01")) == ["Petit-déj de janvier", "Forum des métiers"]
    assert "Les rendez-vous de janvier 2027" in visible_text(agenda(client, month="2027-01"))


def test_filters_combine(client, season):
    response = agenda(client, kind=EventKind.THEMATIC_BREAKFAST, commune="59606", month="2026-12")

    assert card_titles(response) == ["Petit-déj de décembre"]


def test_chosen_filters_stay_selected_in_the_form(client, season):
    html = agenda(client, kind=EventKind.ITINERANT_VILLAGE, commune="59014", month="2026-12").content.decode()

    assert '<option value="itinerant_village" selected>' in html
    assert '<option value="59014" selected>' in html
    assert 'value="2026-12"' in html


def test_past_events_are_reachable_and_keep_the_other_filters(client, season):
    upcoming = agenda(client, kind=EventKind.THEMATIC_BREAKFAST, commune="59606")
    link = re.search(r'href="\?([^"#]*)#resultats">Voir les rendez-vous passés', upcoming.content.decode()).group(1)
    assert link.replace("&amp;", "&") == "kind=thematic_breakfast&commune=59606&when=past"

    response = client.get("/agenda/?" + link.replace("&amp;", "&"))

    assert card_titles(response) == ["Petit-déj d'octobre"]
    text = visible_text(response)
    assert "Les rendez-vous passés" in text
    assert "Voir les rendez-vous à venir" in text


def test_past_events_are_listed_latest_first(client, make_event):
    make_event(title="Septembre", start=dt.datetime(2026, 9, 3, 8, 30, tzinfo=PARIS))
    make_event(title="Novembre", start=dt.datetime(2026, 11, 5, 8, 30, tzinfo=PARIS))

    assert card_titles(agenda(client, when="past")) == ["Novembre", "Septembre"]


def test_a_bad_month_is_reported_in_french_next_to_the_field_and_other_filters_still_apply(client, season):
    response = agenda(client, kind=EventKind.THEMATIC_BREAKFAST, commune="59606", month="décembre")
    html = response.content.decode()
    text = visible_text(response)

    assert "Mois illisible : indiquez-le sous la forme AAAA-MM, par exemple 2026-03." in text
    assert card_titles(response) == ["Petit-déj de décembre", "Petit-déj de janvier"]
    # The error is tied to its field for screen readers, and the typed value is kept.
    month_input = re.search(r'<input[^>]*name="month"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in month_input
    assert "id_month_error" in month_input
    assert 'value="décembre"' in month_input
    assert 'id="id_month_error"' in html


def test_an_unknown_commune_is_reported(client, season):
    response = agenda(client, commune="75056", kind=EventKind.YOUTH_OUTREACH)

    assert "Cette commune n'est pas dans le territoire." in visible_text(response)
    assert card_titles(response) == ["Forum des métiers"]


def test_pagination_keeps_the_filters(client, make_event, monkeypatch):
    monkeypatch.setattr(AgendaPage, "paginate_by", 2)
    for day in (1, 2, 3):
        make_event(title=f"Petit-déj {day}", start=DECEMBER + dt.timedelta(days=day))
    make_event(kind=EventKind.YOUTH_OUTREACH, title="Atelier jeunes", start=DECEMBER)

    first = agenda(client, kind=EventKind.THEMATIC_BREAKFAST)
    assert card_titles(first) == ["Petit-déj 1", "Petit-déj 2"]
    assert "Page 1 sur 2" in visible_text(first)
    next_link = (
        re.search(r'rel="next" href="\?([^"#]*)#resultats"', first.content.decode()).group(1).replace("&amp;", "&")
    )
    assert next_link == "kind=thematic_breakfast&page=2"

    second = client.get("/agenda/?" + next_link)

    assert card_titles(second) == ["Petit-déj 3"]
    previous_link = re.search(r'rel="prev" href="\?([^"#]*)#resultats"', second.content.decode()).group(1)
    assert previous_link.replace("&amp;", "&") == "kind=thematic_breakfast&page=1"


def test_a_cancelled_event_shows_its_badge(client, make_event):
    make_event(title="Annulé pour travaux", status=EventStatus.CANCELLED)
    make_event(title="Reporté à plus tard", status=EventStatus.POSTPONED, start=DECEMBER + dt.timedelta(days=1))

    html = agenda(client).content.decode()

    assert '<span class="badge badge--status badge--cancelled">Annulé</span>' in html
    assert '<span class="badge badge--status badge--postponed">Reporté</span>' in html
    assert "Programmé" not in visible_text(html)


def test_unpublished_events_are_absent(client, make_event):
    make_event(title="Visible")
    draft = make_event(title="Brouillon")
    draft.unpublish()

    assert card_titles(agenda(client)) == ["Visible"]


def test_empty_state(client, season):
    response = agenda(client, kind=EventKind.ELECTED_AWARENESS)

    text = visible_text(response)
    assert "Aucun rendez-vous ne correspond à votre recherche." in text
    assert "0 rendez-vous trouvé" in text


def test_the_agenda_query_count_does_not_grow_with_the_number_of_events(
    client, make_event, commune, other_commune, venue, django_assert_num_queries
):
    def add_events(count):
        kinds = list(EventKind)
        for n in range(count):
            make_event(
                kind=kinds[n % 4],
                start=DECEMBER + dt.timedelta(days=n),
                **({"venue": venue} if n % 2 else {"commune": other_commune}),
            )

    add_events(3)
    agenda(client)  # the first visit creates the site's contact settings
    with CaptureQueriesContext(connection) as measured:
        agenda(client)
    expected = len(measured)

    with django_assert_num_queries(expected):
        response = agenda(client)
    assert len(card_titles(response)) == 3

    add_events(27)
    with django_assert_num_queries(expected):
        response = agenda(client)
    assert len(card_titles(response)) == 20
