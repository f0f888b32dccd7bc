"""The volunteer's private calendar feed (volunteers/views/calendar.py, volunteers/ical.py)."""

import datetime as dt

import pytest
from icalendar import Calendar

from events.models import EventKind, EventStatus
from territory.models import PARIS
from tests.html import visible_text
from volunteers import ical
from volunteers import missions as service
from volunteers.models import (
    DayPart,
    MatchStatus,
    MissionMatch,
    MissionRhythm,
    Shift,
    ShiftRole,
    ShiftSignup,
    VolunteerProfile,
    Weekday,
)
from volunteers.views.calendar import FEED_PURPOSE

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
STOP = dt.datetime(2026, 12, 5, 8, 0, tzinfo=PARIS)
SATURDAY_9 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
MINE = "/benevolat/mes-missions/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def stop(make_event):
    return make_event(EventKind.ITINERANT_VILLAGE, start=STOP, hours=5, title="Village au marché")


def take(volunteer, shift):
    return ShiftSignup.objects.create(shift=shift, user=volunteer, name="Camille Martin", email=volunteer.email)


def make_shift(stop, role=ShiftRole.WELCOME, start=STOP, hours=2):
    return Shift.objects.create(event=stop, role=role, starts_at=start, ends_at=start + dt.timedelta(hours=hours))


def accepted(mission, volunteer, organiser):
    match = service.apply_to_mission(mission, volunteer)
    return service.decide_application(match, accept=True, by=organiser)


def feed_url_of(client) -> str:
    return client.get(MINE).context["feed_url"].removeprefix("http://testserver")


def events_in(response):
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def by_uid(response) -> dict:
    return {str(event["uid"]).split("@")[0]: event for event in events_in(response)}


def test_the_feed_holds_the_shifts_and_the_accepted_missions_in_paris_time(
    volunteer_client, client, volunteer, stop, make_mission, organiser
):
    shift = make_shift(stop)
    take(volunteer, shift)
    mission = make_mission("Trier les dons", dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=3))])
    accepted(mission, volunteer, organiser)
    service.apply_to_mission(make_mission("Tenir la caisse"), volunteer)  # pending: not in the calendar
    url = feed_url_of(volunteer_client)
    client.logout()  # calendar applications do not log in

    response = client.get(url)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=900"
    events = by_uid(response)
    assert set(events) == {f"volunteer-shift-{shift.pk}", f"mission-date-{mission.dates.get().pk}"}
    on_shift = events[f"volunteer-shift-{shift.pk}"]
    assert str(on_shift["summary"]) == "Accueil · Village au marché"
    assert on_shift["dtstart"].params["TZID"] == "Europe/Paris"
    assert on_shift.decoded("dtstart") == STOP
    assert on_shift.decoded("dtstart").utcoffset() == dt.timedelta(hours=1)
    assert on_shift.decoded("dtend") == STOP + dt.timedelta(hours=2)
    assert str(on_shift["location"]) == "59300 Valenciennes"
    assert str(on_shift["status"]) == "CONFIRMED"
    on_mission = events[f"mission-date-{mission.dates.get().pk}"]
    assert str(on_mission["summary"]) == "Mission : Trier les dons"
    assert on_mission["dtstart"].to_ical() == b"20261205T090000"
    assert on_mission["dtstart"].params["TZID"] == "Europe/Paris"
    assert on_mission.decoded("dtend") == SATURDAY_9 + dt.timedelta(hours=3)
    assert str(on_mission["url"]) == f"http://testserver/benevolat/missions/{mission.pk}/"
    assert "Mission publiée par L'équipe du plan." in str(on_mission["description"])


def test_a_summer_shift_is_at_its_summer_time(volunteer_client, volunteer, make_event):
    summer = make_event(EventKind.ITINERANT_VILLAGE, start=dt.datetime(2027, 6, 5, 8, 0, tzinfo=PARIS), hours=5)
    take(volunteer, make_shift(summer, start=dt.datetime(2027, 6, 5, 8, 0, tzinfo=PARIS)))

    (event,) = events_in(volunteer_client.get(feed_url_of(volunteer_client)))

    assert event.decoded("dtstart") == dt.datetime(2027, 6, 5, 6, 0, tzinfo=dt.UTC)
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=2)
    assert event["dtstart"].to_ical() == b"20270605T080000"


def test_a_cancelled_event_s_shift_stays_struck_out(volunteer_client, volunteer, stop):
    take(volunteer, make_shift(stop))
    stop.status = EventStatus.CANCELLED
    stop.save()

    (event,) = events_in(volunteer_client.get(feed_url_of(volunteer_client)))

    assert str(event["status"]) == "CANCELLED"


def test_a_shift_given_back_and_a_withdrawn_mission_leave_the_feed(
    volunteer_client, volunteer, stop, make_mission, organiser
):
    signup = take(volunteer, make_shift(stop))
    match = accepted(make_mission(), volunteer, organiser)
    url = feed_url_of(volunteer_client)
    assert len(events_in(volunteer_client.get(url))) == 2

    ShiftSignup.objects.filter(pk=signup.pk).update(status="cancelled")
    service.withdraw_match(match, by=volunteer)

    assert events_in(volunteer_client.get(url)) == []


def test_a_weekly_mission_repeats_on_its_days(volunteer_client, volunteer, make_mission, organiser):
    mission = make_mission(
        "Tenir la boutique solidaire",
        rhythm=MissionRhythm.WEEKLY,
        weekly=[(Weekday.SATURDAY, DayPart.MORNING), (Weekday.WEDNESDAY, DayPart.AFTERNOON)],
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2027, 3, 31),
    )
    accepted(mission, volunteer, organiser)

    (event,) = events_in(volunteer_client.get(feed_url_of(volunteer_client)))

    assert str(event["uid"]) == f"mission-weekly-{mission.pk}@testserver"
    assert str(event["summary"]) == (
        "Mission : Tenir la boutique solidaire (le mercredi après-midi et le samedi matin)"
    )
    # The first Wednesday from the mission's start, a whole day (DTEND exclusive).
    assert event.decoded("dtstart") == dt.date(2026, 12, 2)
    assert event.decoded("dtend") == dt.date(2026, 12, 3)
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;UNTIL=20270331;BYDAY=WE,SA"


def test_a_weekly_mission_joined_late_starts_on_the_next_of_its_days(volunteer, make_mission, organiser):
    mission = make_mission(
        rhythm=MissionRhythm.WEEKLY, weekly=[(Weekday.SATURDAY, DayPart.MORNING)], starts_on=dt.date(2026, 11, 1)
    )
    match = accepted(mission, volunteer, organiser)
    match = MissionMatch.objects.select_related("mission__commune", "mission__venue").get(pk=match.pk)

    (event,) = Calendar.from_ical(ical.volunteer_calendar([], [match])).walk("VEVENT")

    assert event.decoded("dtstart") == dt.date(2026, 11, 28)  # the Saturday after Monday 23 November
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=SA"


def test_a_weekly_mission_over_before_its_next_day_is_left_out(volunteer, make_mission, organiser):
    mission = make_mission(
        rhythm=MissionRhythm.WEEKLY,
        weekly=[(Weekday.SATURDAY, DayPart.MORNING)],
        starts_on=dt.date(2026, 11, 23),
        ends_on=dt.date(2026, 11, 25),
    )

    assert ical.weekly_mission_component(mission, host="testserver", from_day=dt.date(2026, 11, 23)) is None


def test_the_same_commitments_give_the_same_bytes(volunteer_client, volunteer, stop, time_machine):
    take(volunteer, make_shift(stop))
    url = feed_url_of(volunteer_client)
    first = volunteer_client.get(url)

    time_machine.move_to(NOW + dt.timedelta(hours=2), tick=False)

    assert volunteer_client.get(url).content == first.content


def test_an_unchanged_feed_answers_304(volunteer_client, client, volunteer, stop):
    take(volunteer, make_shift(stop))
    url = feed_url_of(volunteer_client)
    client.logout()
    first = client.get(url)

    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_changed_feed_answers_200_to_the_old_etag(volunteer_client, client, volunteer, stop):
    take(volunteer, make_shift(stop))
    url = feed_url_of(volunteer_client)
    first = client.get(url)
    take(volunteer, make_shift(stop, role=ShiftRole.TEARDOWN, start=STOP + dt.timedelta(hours=5)))

    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert len(events_in(again)) == 2


@pytest.mark.parametrize("count", [1, 3])
def test_the_feed_costs_the_same_queries_whatever_the_number_of_commitments(
    volunteer_client, client, volunteer, stop, make_mission, organiser, count, django_assert_num_queries
):
    for n in range(count):
        take(volunteer, make_shift(stop, start=STOP + dt.timedelta(hours=2 * n)))
        accepted(make_mission(f"Mission n° {n}"), volunteer, organiser)
    url = feed_url_of(volunteer_client)
    client.logout()
    client.get(url)  # Wagtail's site root paths, cached on the first page

    with django_assert_num_queries(4):
        response = client.get(url)

    assert len(events_in(response)) == 2 * count


# The address ------------------------------------------------------------------------------------------------


def test_the_address_is_given_on_first_use_and_kept(volunteer_client, volunteer):
    assert VolunteerProfile.objects.get(user=volunteer).feed_key == ""

    first, second = feed_url_of(volunteer_client), feed_url_of(volunteer_client)

    profile = VolunteerProfile.objects.get(user=volunteer)
    assert profile.feed_key
    assert first == second
    assert first.startswith(f"/benevolat/calendrier/{profile.pk}/") and first.endswith("/benevolat.ics")


def test_my_missions_shows_the_address_and_the_button_to_change_it(volunteer_client):
    response = volunteer_client.get(MINE)

    text = visible_text(response)
    assert "Mon bénévolat dans mon agenda" in text
    assert "Changer d'adresse" in text
    assert f'value="{response.context["feed_url"]}"' in response.content.decode()


def test_renewing_the_address_revokes_the_old_one(volunteer_client, volunteer, stop):
    take(volunteer, make_shift(stop))
    old = feed_url_of(volunteer_client)

    response = volunteer_client.post("/benevolat/calendrier/renouveler/", follow=True)

    assert "L'adresse de votre calendrier est renouvelée : l'ancienne ne fonctionne plus." in visible_text(response)
    new = feed_url_of(volunteer_client)
    assert new != old
    assert volunteer_client.get(old).status_code == 404
    assert len(events_in(volunteer_client.get(new))) == 1


def test_a_bad_token_is_a_404(client, volunteer_client, volunteer):
    profile_id = VolunteerProfile.objects.get(user=volunteer).pk
    feed_url_of(volunteer_client)

    assert client.get(f"/benevolat/calendrier/{profile_id}/not-a-token/benevolat.ics").status_code == 404


def test_a_profile_without_a_key_has_no_feed(client, volunteer):
    from events.tokens import private_link_token

    profile = VolunteerProfile.objects.get(user=volunteer)
    token = private_link_token(FEED_PURPOSE, profile.pk, "")

    assert client.get(f"/benevolat/calendrier/{profile.pk}/{token}/benevolat.ics").status_code == 404


def test_another_volunteer_s_token_is_a_404(client, volunteer_client, volunteer, django_user_model, commune):
    mine = feed_url_of(volunteer_client)
    other = django_user_model.objects.create_user("dominique@example.org", "dominique@example.org", "x")
    VolunteerProfile.objects.create(user=other, home_commune=commune)
    client.force_login(other)  # the same test client, now theirs
    theirs = feed_url_of(client)
    assert theirs != mine
    my_id, their_token = mine.split("/")[3], theirs.split("/")[4]

    assert client.get(f"/benevolat/calendrier/{my_id}/{their_token}/benevolat.ics").status_code == 404


def test_an_inactive_account_s_feed_is_a_404(client, volunteer_client, volunteer):
    url = feed_url_of(volunteer_client)
    volunteer.is_active = False
    volunteer.save()

    assert client.get(url).status_code == 404


def test_renewing_needs_a_login_and_a_profile(client, outsider):
    anonymous = client.post("/benevolat/calendrier/renouveler/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/compte/login/")

    client.force_login(outsider)
    assert client.post("/benevolat/calendrier/renouveler/").status_code == 404


def test_renewing_is_a_post(volunteer_client):
    assert volunteer_client.get("/benevolat/calendrier/renouveler/").status_code == 405


def test_the_pending_statuses_are_not_in_the_feed(volunteer_client, volunteer, make_mission, organiser):
    match = service.apply_to_mission(make_mission(), volunteer)
    assert match.status == MatchStatus.PENDING

    assert events_in(volunteer_client.get(feed_url_of(volunteer_client))) == []
