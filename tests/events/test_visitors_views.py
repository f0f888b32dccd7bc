"""/bienvenue/<id>/: the page a passer-by opens from the stand poster's QR."""

import datetime as dt
import hashlib

import pytest
from django.core.cache import cache
from wagtail.models import Page

from events.models import AgeBracket, EventKind, EventStatus, VisitorCheckIn, VisitorRole
from events.views.visitors import RATE_LIMIT
from territory.models import PARIS
from tests.html import visible_text

START = dt.datetime(2026, 6, 13, 8, 0, tzinfo=PARIS)
DURING = START + dt.timedelta(hours=2)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def during(time_machine):
    time_machine.move_to(DURING, tick=False)


@pytest.fixture
def stop(make_event, market, other_commune):
    return make_event(
        kind=EventKind.ITINERANT_VILLAGE, start=START, hours=5, title="Le village au marché", venue=market
    )


def url(event):
    return f"/bienvenue/{event.pk}/"


def cookie_name(event):
    return f"bienvenue_{event.pk}"


# The page ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("during")
def test_the_page_welcomes_with_the_event_and_asks_optional_questions(client, stop):
    response = client.get(url(stop))

    assert response.status_code == 200
    text = visible_text(response)
    assert "Bienvenue au Village de l'ESS Le village au marché samedi 13 juin 2026, 8 h 00 – 13 h 00" in text
    assert "Marché de la place d'Armes, Valenciennes" in text
    assert "Un clic suffit. Les trois questions sont facultatives" in text
    assert "J'habite à… Je préfère ne pas répondre Anzin Valenciennes Hors du territoire" in text
    assert "Mon âge Je préfère ne pas répondre Moins de 18 ans 18 à 25 ans 26 à 59 ans 60 ans et plus" in text
    assert "Je suis… Je préfère ne pas répondre Habitant·e Élu·e Enseignant·e Acteur·rice de l'ESS Autre" in text
    assert "Je suis passé·e" in text
    assert not VisitorCheckIn.objects.exists(), "opening the page counts nobody"


@pytest.mark.usefixtures("during")
def test_the_page_says_what_is_kept_and_links_to_the_privacy_page(client, stop):
    response = client.get(url(stop))

    text = visible_text(response)
    assert "C'est anonyme" in text
    assert "nous ne conservons pas votre adresse IP" in text
    assert 'href="/donnees-personnelles/"' in response.content.decode()


@pytest.mark.usefixtures("during")
def test_the_page_hands_out_a_device_cookie_for_this_event_until_the_end_of_its_day(client, stop):
    response = client.get(url(stop))

    cookie = response.cookies[cookie_name(stop)]
    assert len(cookie.value) >= 43  # 32 random bytes
    assert cookie["path"] == "/bienvenue/"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # 10:00 to midnight.
    assert int(cookie["max-age"]) == 14 * 3600


@pytest.mark.usefixtures("during")
def test_the_honeypot_is_hidden_from_people_and_assistive_technologies(client, stop):
    html = client.get(url(stop)).content.decode()

    assert '<div class="visually-hidden" aria-hidden="true">' in html
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html


# Counting -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("during")
def test_pressing_the_button_counts_the_visit_with_its_answers(client, stop, other_commune):
    client.get(url(stop))
    token = client.cookies[cookie_name(stop)].value

    response = client.post(
        url(stop),
        {"commune": "59014", "age_bracket": AgeBracket.FROM_18_TO_25, "role": VisitorRole.ESS_ACTOR, "website": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == url(stop)
    visit = VisitorCheckIn.objects.get()
    assert (visit.event_id, visit.home_commune, visit.age_bracket, visit.role) == (
        stop.pk,
        other_commune,
        "18_25",
        "ess_actor",
    )
    assert visit.device_key == hashlib.sha256(token.encode()).hexdigest()
    assert "Merci ! Votre passage est compté." in visible_text(client.get(url(stop)))


@pytest.mark.usefixtures("during")
def test_the_button_alone_counts(client, stop):
    client.post(url(stop), {})

    visit = VisitorCheckIn.objects.get()
    assert (visit.home_commune, visit.outside_territory, visit.age_bracket, visit.role) == (None, False, "", "")


@pytest.mark.usefixtures("during")
def test_outside_the_territory(client, stop):
    client.post(url(stop), {"commune": "hors-territoire"})

    visit = VisitorCheckIn.objects.get()
    assert (visit.home_commune, visit.outside_territory) == (None, True)


@pytest.mark.usefixtures("during")
def test_a_browser_refusing_cookies_still_counts_and_receives_one(client, stop):
    response = client.post(url(stop), {})

    assert VisitorCheckIn.objects.count() == 1
    assert response.cookies[cookie_name(stop)]["path"] == "/bienvenue/"


@pytest.mark.usefixtures("during")
def test_coming_back_says_the_visit_is_already_counted_and_shows_the_answers(client, stop):
    client.post(url(stop), {"commune": "59606", "role": VisitorRole.TEACHER})
    client.get(url(stop))  # the thanks, shown once

    response = client.get(url(stop))

    text = visible_text(response)
    assert "Votre passage est déjà compté, merci !" in text
    assert "Mettre à jour mes réponses" in text
    assert "Je suis passé·e" not in text
    html = response.content.decode()
    assert '<option value="59606" selected>Valenciennes</option>' in html
    assert '<option value="teacher" selected>Enseignant·e</option>' in html


@pytest.mark.usefixtures("during")
def test_a_second_submission_updates_the_answers_and_counts_nothing_more(client, stop):
    client.post(url(stop), {"commune": "59606"})

    client.post(url(stop), {"commune": "hors-territoire", "age_bracket": AgeBracket.FROM_60})

    visit = VisitorCheckIn.objects.get()
    assert (visit.home_commune, visit.outside_territory, visit.age_bracket) == (None, True, "60_plus")
    assert "Votre passage était déjà compté, merci ! Vos réponses sont à jour." in visible_text(client.get(url(stop)))


@pytest.mark.usefixtures("during")
def test_a_double_tap_on_the_first_visit_counts_once(client, stop):
    client.get(url(stop))  # the cookie comes with the form, before either tap

    client.post(url(stop), {})
    client.post(url(stop), {})

    assert VisitorCheckIn.objects.count() == 1


@pytest.mark.usefixtures("during")
def test_two_phones_are_two_visits(client, stop):
    client.post(url(stop), {})
    client.cookies.clear()
    client.post(url(stop), {})

    assert VisitorCheckIn.objects.count() == 2


@pytest.mark.usefixtures("during")
def test_an_unknown_answer_is_refused_and_counts_nothing(client, stop):
    response = client.post(url(stop), {"commune": "75056", "role": "king"})

    assert response.status_code == 200
    text = visible_text(response)
    assert "Sélectionnez un choix valide. 75056 n’en fait pas partie." in text
    assert "Sélectionnez un choix valide. king n’en fait pas partie." in text
    assert not VisitorCheckIn.objects.exists()


@pytest.mark.usefixtures("during")
def test_a_bot_filling_the_honeypot_counts_nothing(client, stop):
    response = client.post(url(stop), {"website": "https://spam.example"})

    assert response.status_code == 302
    assert not VisitorCheckIn.objects.exists()


# Rate limit ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("during")
def test_too_many_submissions_from_one_address_are_refused_in_french(client, stop):
    for _ in range(RATE_LIMIT):
        client.cookies.clear()
        assert client.post(url(stop), {}, REMOTE_ADDR="203.0.113.7").status_code == 302
    client.cookies.clear()

    response = client.post(url(stop), {}, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Merci de réessayer dans quelques minutes." in visible_text(response)
    assert VisitorCheckIn.objects.count() == RATE_LIMIT
    client.cookies.clear()
    assert client.post(url(stop), {}, REMOTE_ADDR="198.51.100.2").status_code == 302, "other addresses go on"


@pytest.mark.usefixtures("during")
def test_the_limit_is_per_event(client, stop, make_event):
    other_stop = make_event(kind=EventKind.ITINERANT_VILLAGE, start=START, hours=5)
    for _ in range(RATE_LIMIT):
        client.cookies.clear()
        client.post(url(stop), {})

    assert client.post(url(other_stop), {}).status_code == 302


@pytest.mark.usefixtures("during")
def test_the_limit_is_lifted_after_ten_minutes(client, stop, time_machine):
    for _ in range(RATE_LIMIT + 1):
        client.cookies.clear()
        client.post(url(stop), {})
    time_machine.move_to(DURING + dt.timedelta(minutes=10, seconds=1), tick=False)
    client.cookies.clear()

    assert client.post(url(stop), {}).status_code == 302


@pytest.mark.usefixtures("during")
def test_behind_the_reverse_proxy_the_address_the_proxy_saw_is_limited(client, stop, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for n in range(RATE_LIMIT):
        client.cookies.clear()
        # A client cannot escape the limit by forging the first entries of the header.
        client.post(url(stop), {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7")
    client.cookies.clear()

    limited = client.post(url(stop), {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")
    client.cookies.clear()
    other = client.post(url(stop), {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert (limited.status_code, other.status_code) == (429, 302)


@pytest.mark.usefixtures("during")
def test_no_address_is_stored(client, stop):
    client.post(url(stop), {"commune": "59606"}, REMOTE_ADDR="203.0.113.7")

    stored = VisitorCheckIn.objects.values().get()
    assert "203.0.113.7" not in str(stored)
    assert hashlib.sha256(b"203.0.113.7").hexdigest()[:32] not in str(stored)


# Outside the window ---------------------------------------------------------------------------


def test_before_the_opening_the_page_says_when_it_opens(client, stop, time_machine):
    time_machine.move_to(START - dt.timedelta(hours=3), tick=False)

    response = client.get(url(stop))

    assert response.status_code == 200
    text = visible_text(response)
    assert "Ce rendez-vous n'a pas encore commencé" in text
    assert "à partir du samedi 13 juin 2026, 6 h 00" in text
    assert "Voir l'agenda des rendez-vous" in text
    assert 'href="/agenda/"' in response.content.decode()
    assert "Je suis passé·e" not in text
    assert cookie_name(stop) not in response.cookies


def test_after_the_day_the_page_says_it_is_over_and_counts_nothing(client, stop, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 14, 9, 0, tzinfo=PARIS), tick=False)

    page = client.get(url(stop))
    post = client.post(url(stop), {})

    assert "Ce rendez-vous est terminé" in visible_text(page)
    assert post.status_code == 403
    assert "Ce rendez-vous est terminé" in visible_text(post)
    assert not VisitorCheckIn.objects.exists()


@pytest.mark.usefixtures("during")
def test_a_cancelled_event_says_so_and_counts_nothing(client, stop):
    stop.status = EventStatus.CANCELLED
    stop.status_note = "Annulé pour cause de tempête."
    stop.save()

    page = client.get(url(stop))
    post = client.post(url(stop), {})

    assert "Ce rendez-vous est annulé Annulé pour cause de tempête." in visible_text(page)
    assert post.status_code == 403
    assert not VisitorCheckIn.objects.exists()


@pytest.mark.usefixtures("during")
def test_an_unpublished_event_is_not_found(client, stop):
    Page.objects.filter(pk=stop.pk).update(live=False)

    assert client.get(url(stop)).status_code == 404
    assert client.post(url(stop), {}).status_code == 404
    assert not VisitorCheckIn.objects.exists()


@pytest.mark.usefixtures("during")
def test_an_unknown_event_is_not_found(client, home_page):
    assert client.get("/bienvenue/999999/").status_code == 404


@pytest.mark.usefixtures("during")
def test_the_page_takes_a_constant_number_of_queries(client, stop, django_assert_max_num_queries):
    client.post(url(stop), {})
    # 9: the event, the visit, the communes, the site, its contact and its legal pages (footer).
    with django_assert_max_num_queries(9):
        response = client.get(url(stop))
    assert response.status_code == 200
