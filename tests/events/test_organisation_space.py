"""/espace-structure/: an ESS organisation's contact applies for stands, follows the answers, subscribes to a feed."""

import datetime as dt

import pytest
from icalendar import Calendar

from events.models import EventKind, EventStatus, OutgoingEmail, Stand, StandStatus
from events.services import village as service
from events.services.outbox import VillageEmail
from territory.models import PARIS, Venue, VenueKind
from tests.html import visible_text

from .conftest import STOP_START

SPACE = "/espace-structure/"


@pytest.fixture(autouse=True)
def _now(village_now):
    pass


@pytest.fixture
def contact_client(client, contact_user):
    client.force_login(contact_user)
    return client


@pytest.fixture
def other_stop(make_event, other_commune):
    """A stop in Anzin the same Saturday morning as `stop`, with two pitches."""
    from events.models import Pitch

    square = Venue.objects.create(commune=other_commune, name="Place de la République", kind=VenueKind.SQUARE)
    page = make_event(
        EventKind.ITINERANT_VILLAGE,
        start=dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS),
        hours=4,
        venue=square,
        title="Village à Anzin",
    )
    for number in (1, 2):
        Pitch.objects.create(stop=page, number=number)
    return page


def application(**overrides):
    values = {
        "contact_name": "Nadia Benali",
        "contact_email": "nadia@ressourcerie.example.org",
        "contact_phone": "06 12 34 56 78",
        "activity": "Atelier de réparation de petits appareils",
        "needs_power": "on",
        "needs_table": "on",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def apply_url(organisation, stop):
    return f"{SPACE}{organisation.pk}/etape/{stop.pk}/candidater/"


def apply_directly(stop, organisation, **overrides):
    values = {"contact_name": "Camille", "contact_email": "camille@example.org", **overrides}
    return service.apply_for_stand(stop, organisation, **values)


# Who gets in ----------------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_the_login_page(client, stop):
    response = client.get(SPACE)

    assert (response.status_code, response["Location"]) == (302, "/compte/login/?next=/espace-structure/")


def test_a_person_who_is_no_organisation_s_contact_is_told_so_and_sees_nothing(client, outsider, stop, organisation):
    client.force_login(outsider)

    response = client.get(SPACE)

    text = visible_text(response)
    assert "Votre compte n'est rattaché à aucune structure de l'ESS." in text
    assert "Village au marché" not in text
    assert organisation.name not in text


def test_the_contact_sees_the_upcoming_stops_with_their_free_pitches(
    contact_client, stop, organisation, make_organisation, django_assert_num_queries
):
    service.place_stand(
        stop,
        make_organisation("Épicerie solidaire"),
        stop.pitches.get(number=2),
        by=None,
        contact_name="Léon",
        contact_email="leon@example.org",
    )

    response = contact_client.get(SPACE)

    text = visible_text(response)
    assert organisation.name in text
    assert "Village au marché" in text
    assert "samedi 5 décembre 2026, 8 h 00 – 13 h 00" in text
    assert "2 emplacements libres sur 3" in text
    assert "Candidater à « Village au marché »" in text
    # Another organisation's stand is none of this contact's business.
    assert "Épicerie solidaire" not in text
    assert "Léon" not in text


def test_the_space_costs_the_same_queries_with_more_stops_and_stands(
    contact_client, stop, other_stop, organisation, make_organisation, make_event, django_assert_num_queries
):
    apply_directly(stop, organisation)
    contact_client.get(SPACE)  # gives the organisation its feed key

    # 11 with the footer's legal pages (cms.LegalPages).
    with django_assert_num_queries(11):
        contact_client.get(SPACE)

    later = make_event(
        EventKind.ITINERANT_VILLAGE, start=dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS), hours=5, title="Village 3"
    )
    from events.models import Pitch

    Pitch.objects.create(stop=later, number=1)
    apply_directly(later, organisation)
    with django_assert_num_queries(11):
        response = contact_client.get(SPACE)
    assert "Village 3" in visible_text(response)


# Applying ------------------------------------------------------------------------------------------------------


def test_the_contact_applies_for_a_stand(contact_client, contact_user, stop, organisation):
    response = contact_client.post(apply_url(organisation, stop), application())

    assert response.status_code == 302
    stand = Stand.objects.get(stop=stop, organisation=organisation)
    assert stand.status == StandStatus.APPLIED
    assert (stand.contact_name, stand.contact_phone) == ("Nadia Benali", "06 12 34 56 78")
    assert (stand.needs_power, stand.needs_table, stand.needs_shelter) == (True, True, False)
    assert stand.applied_by == contact_user
    email = OutgoingEmail.objects.get(kind=VillageEmail.STAND_RECEIVED)
    assert email.to == "nadia@ressourcerie.example.org"
    assert email.context["stand"] == stand.pk

    page = visible_text(contact_client.get(response["Location"]))
    assert "La candidature de Ressourcerie du Hainaut pour « Village au marché » est envoyée." in page
    assert "Candidature reçue" in page


def test_the_form_starts_from_the_contact_s_account(contact_client, contact_user, stop, organisation):
    response = contact_client.get(apply_url(organisation, stop))

    text = visible_text(response)
    assert "Candidater à un stand" in text
    assert "3 libres sur 3, 1 avec électricité" in text
    assert response.context["form"]["contact_email"].value() == "contact@ressourcerie.example.org"
    assert response.context["form"]["contact_name"].value() == "Nadia"


def test_a_missing_field_is_shown_next_to_it(contact_client, stop, organisation):
    response = contact_client.post(apply_url(organisation, stop), application(activity=""))

    assert "Dites en quelques mots ce que votre stand présentera." in visible_text(response)
    assert not Stand.objects.exists()


def assert_refused(response, message):
    assert response.status_code == 200
    text = visible_text(response)
    assert "Votre candidature n'a pas été enregistrée." in text
    assert message in text


def test_a_stand_at_the_same_time_elsewhere_is_refused(contact_client, stop, other_stop, organisation):
    apply_directly(stop, organisation)

    response = contact_client.post(apply_url(organisation, other_stop), application())

    assert_refused(
        response,
        "Ressourcerie du Hainaut tient déjà un stand à la même heure : « Village au marché », Valenciennes, "
        "le 5 décembre 2026, 08h00.",
    )
    assert not Stand.objects.filter(stop=other_stop).exists()
    assert OutgoingEmail.objects.filter(kind=VillageEmail.STAND_RECEIVED).count() == 1


def test_a_stop_without_a_free_pitch_is_refused(contact_client, stop, organisation, make_organisation):
    for pitch in stop.pitches.all():
        service.place_stand(
            stop, make_organisation(), pitch, by=None, contact_name="Léon", contact_email="leon@example.org"
        )

    response = contact_client.post(apply_url(organisation, stop), application())

    assert_refused(response, "Les 3 emplacements de cette étape sont tous attribués.")
    assert not Stand.objects.filter(organisation=organisation).exists()


def test_a_second_application_to_the_same_stop_is_refused(contact_client, stop, organisation):
    apply_directly(stop, organisation)

    response = contact_client.post(apply_url(organisation, stop), application())

    assert_refused(response, "Ressourcerie du Hainaut a déjà une demande de stand pour cette étape.")
    assert Stand.objects.filter(organisation=organisation).count() == 1


def test_a_cancelled_stop_is_refused(contact_client, stop, organisation):
    stop.status = EventStatus.CANCELLED
    stop.save()

    response = contact_client.post(apply_url(organisation, stop), application())

    assert_refused(response, "Cette étape est annulée.")
    assert not Stand.objects.exists()


# Nobody acts for another organisation ------------------------------------------------------------------------


def test_a_forged_organisation_id_is_a_404(contact_client, stop, make_organisation):
    stranger = make_organisation("Régie de quartier")
    stand = apply_directly(stop, stranger)

    assert contact_client.get(apply_url(stranger, stop)).status_code == 404
    assert contact_client.post(apply_url(stranger, stop), application()).status_code == 404
    assert contact_client.post(f"{SPACE}{stranger.pk}/stands/{stand.pk}/retirer/").status_code == 404
    assert contact_client.post(f"{SPACE}{stranger.pk}/calendrier/renouveler/").status_code == 404
    assert Stand.objects.filter(organisation=stranger).count() == 1
    stand.refresh_from_db()
    assert stand.status == StandStatus.APPLIED


def test_another_organisation_s_stand_cannot_be_withdrawn_through_one_s_own(
    contact_client, stop, organisation, make_organisation
):
    stand = apply_directly(stop, make_organisation("Régie de quartier"))

    response = contact_client.post(f"{SPACE}{organisation.pk}/stands/{stand.pk}/retirer/")

    assert response.status_code == 404
    stand.refresh_from_db()
    assert stand.status == StandStatus.APPLIED


# Following the answers ------------------------------------------------------------------------------------------


def test_the_contact_sees_each_status_of_their_stands(contact_client, stop, other_stop, organisation, make_event):
    from events.models import Pitch

    refused = apply_directly(other_stop, organisation)
    service.refuse_stand(refused, by=None, reason="Le thème est déjà représenté.")
    confirmed = apply_directly(stop, organisation)
    service.confirm_stand(confirmed, stop.pitches.get(number=1), by=None)
    later = make_event(EventKind.ITINERANT_VILLAGE, start=dt.datetime(2026, 12, 19, 8, 0, tzinfo=PARIS), hours=5)
    Pitch.objects.create(stop=later, number=1)
    service.withdraw_stand(apply_directly(later, organisation), by=None)

    text = visible_text(contact_client.get(SPACE))

    assert "Confirmé" in text
    assert "Votre emplacement : n° 1. Réemploi." in text
    assert "Motif du refus : Le thème est déjà représenté." in text
    assert "Vous avez retiré ce stand." in text


def test_the_contact_withdraws_a_stand(contact_client, stop, organisation):
    stand = apply_directly(stop, organisation)
    url = f"{SPACE}{organisation.pk}/stands/{stand.pk}/retirer/"

    assert "Retirer ce stand ?" in visible_text(contact_client.get(url))
    response = contact_client.post(url, follow=True)

    stand.refresh_from_db()
    assert stand.status == StandStatus.WITHDRAWN
    assert "Le stand de Ressourcerie du Hainaut à « Village au marché » est retiré" in visible_text(response)


# The private feed ---------------------------------------------------------------------------------------------


def feed_url_of(client, organisation) -> str:
    response = client.get(SPACE)
    url = next(space["feed_url"] for space in response.context["spaces"] if space["organisation"] == organisation)
    return url.removeprefix("http://testserver")


def events_in(response):
    calendar = Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_the_feed_holds_the_organisation_s_stands_in_paris_time(
    contact_client, client, stop, other_stop, organisation, make_organisation, django_assert_num_queries
):
    apply_directly(stop, organisation)
    apply_directly(other_stop, make_organisation("Régie de quartier"))
    url = feed_url_of(contact_client, organisation)
    client.logout()

    with django_assert_num_queries(3):
        response = client.get(url)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"].startswith("private")
    (event,) = events_in(response)
    assert str(event["uid"]) == f"event-{stop.pk}@testserver"
    assert str(event["summary"]) == "Village au marché"
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event.decoded("dtstart") == STOP_START
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=1)
    assert event.decoded("dtend") == STOP_START + dt.timedelta(hours=5)
    assert str(event["status"]) == "CONFIRMED"


def test_a_summer_stop_is_at_its_summer_time(contact_client, make_event, market, organisation):
    from events.models import Pitch

    summer = make_event(
        EventKind.ITINERANT_VILLAGE, start=dt.datetime(2027, 6, 5, 8, 0, tzinfo=PARIS), hours=5, venue=market
    )
    Pitch.objects.create(stop=summer, number=1)
    apply_directly(summer, organisation)

    (event,) = events_in(contact_client.get(feed_url_of(contact_client, organisation)))

    assert event.decoded("dtstart") == dt.datetime(2027, 6, 5, 6, 0, tzinfo=dt.UTC)
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=2)
    assert event["dtstart"].to_ical() == b"20270605T080000"


def test_a_cancelled_stop_stays_in_the_feed_struck_out(contact_client, stop, organisation):
    apply_directly(stop, organisation)
    stop.status = EventStatus.CANCELLED
    stop.save()

    response = contact_client.get(feed_url_of(contact_client, organisation))

    (event,) = events_in(response)
    assert str(event["status"]) == "CANCELLED"


def test_a_withdrawn_stand_leaves_the_feed(contact_client, stop, organisation):
    service.withdraw_stand(apply_directly(stop, organisation), by=None)

    response = contact_client.get(feed_url_of(contact_client, organisation))

    assert events_in(response) == []


def test_an_unchanged_feed_answers_304(contact_client, client, stop, organisation):
    apply_directly(stop, organisation)
    url = feed_url_of(contact_client, organisation)
    first = client.get(url)

    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert "Last-Modified" in first


def test_renewing_the_link_revokes_the_old_one(contact_client, stop, organisation):
    apply_directly(stop, organisation)
    old = feed_url_of(contact_client, organisation)

    response = contact_client.post(f"{SPACE}{organisation.pk}/calendrier/renouveler/", follow=True)

    assert "Le lien du calendrier de Ressourcerie du Hainaut est renouvelé" in visible_text(response)
    new = feed_url_of(contact_client, organisation)
    assert new != old
    assert contact_client.get(old).status_code == 404
    assert len(events_in(contact_client.get(new))) == 1


def test_another_organisation_s_token_is_a_404(contact_client, client, django_user_model, stop, make_organisation):
    mine = make_organisation("Régie de quartier")
    theirs = make_organisation("Épicerie solidaire")
    user = django_user_model.objects.create_user("regie", "regie@example.org", "secret-pass-5")
    mine.contacts.add(user)
    theirs.contacts.add(user)
    client.force_login(user)
    mine_url, theirs_url = feed_url_of(client, mine), feed_url_of(client, theirs)
    theirs_token = theirs_url.split("/")[3]

    assert client.get(mine_url).status_code == 200
    assert client.get(f"{SPACE}{mine.pk}/{theirs_token}/stands.ics").status_code == 404
    assert client.get(f"{SPACE}{mine.pk}/not-a-token/stands.ics").status_code == 404
