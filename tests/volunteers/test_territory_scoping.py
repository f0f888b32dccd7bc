"""Several territories: an organiser of Valenciennes Métropole neither sees nor changes the missions,
shifts and presences of Sambre-Avesnois (issue 6), while its own organiser does.

`organiser` acts for the first territory, `other_organiser` for the second, with the same
permissions (the "Organisateurs" group). Every piece of data here is in Maubeuge.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from events.models import EventKind
from territory.models import PARIS, Venue, VenueKind
from tests.html import visible_text
from volunteers.missions import apply_to_mission
from volunteers.models import (
    DayPart,
    MatchStatus,
    Mission,
    MissionStatus,
    Shift,
    ShiftRole,
    ShiftSignup,
    VolunteerProfile,
    Weekday,
)
from volunteers.services import set_availability

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
SATURDAY_9 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
MISSIONS = "/admin/missions-benevoles/"
SHIFTS = "/admin/snippets/volunteers/shift/"
MISSION_TITLE = "Accueillir au marché de Maubeuge"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def organisers(organiser):
    """Both organisers in the "Organisateurs" group: granted before other_organiser copies it."""
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    return organiser


@pytest.fixture
def sambre(organisers, other_organiser, second_commune, make_mission, make_event, django_user_model, skills):
    """A published mission, a village stop with a shift and a sign-up, and a volunteer: all in Maubeuge."""
    mission = make_mission(
        MISSION_TITLE,
        commune=second_commune,
        territory=second_commune.territory,
        required=[skills["accueil"]],
        dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=3))],
        by=other_organiser,
    )
    user = django_user_model.objects.create_user(
        "lea@example.org", "lea@example.org", "x", first_name="Léa", last_name="Sambrienne"
    )
    profile = VolunteerProfile.objects.create(user=user, home_commune=second_commune, travel_km=10)
    profile.skills.set([skills["accueil"]])
    profile.refresh_skill_bits()
    set_availability(profile, [(Weekday.SATURDAY, DayPart.MORNING)])
    application = apply_to_mission(mission, user, message="Disponible le samedi.")
    stop = make_event(
        EventKind.ITINERANT_VILLAGE, start=SATURDAY_9, hours=5, title="Village à Maubeuge", commune=second_commune
    )
    shift = Shift.objects.create(
        event=stop,
        role=ShiftRole.WELCOME,
        label="Accueil du village",
        starts_at=SATURDAY_9,
        ends_at=SATURDAY_9 + dt.timedelta(hours=2),
        capacity=3,
    )
    signup = ShiftSignup.objects.create(shift=shift, user=user, name="Léa Sambrienne", email="lea@example.org")
    return {
        "mission": mission,
        "volunteer": user,
        "application": application,
        "stop": stop,
        "shift": shift,
        "signup": signup,
    }


@pytest.fixture
def as_first(client, organisers, sambre):
    client.force_login(organisers)
    return client


@pytest.fixture
def as_second(client, organisers, sambre, other_organiser):
    client.force_login(other_organiser)
    return client


def mission_page(name, data):
    return reverse(f"volunteers_missions:{name}", args=[data["mission"].pk])


PAGES = {
    "mission": lambda data: mission_page("inspect", data),
    "moderation": lambda data: mission_page("moderate", data),
    "edit": lambda data: mission_page("edit", data),
    "volunteers": lambda data: mission_page("volunteers", data),
    "delete": lambda data: mission_page("delete", data),
    "history": lambda data: mission_page("history", data),
    "usage": lambda data: mission_page("usage", data),
    "presence": lambda data: reverse("volunteers_presence_event", args=[data["stop"].pk]),
    "badges": lambda data: reverse("volunteers_presence_badges", args=[data["stop"].pk]),
    "shift edit": lambda data: f"{SHIFTS}edit/{data['shift'].pk}/",
    "shift delete": lambda data: f"{SHIFTS}delete/{data['shift'].pk}/",
    "shift history": lambda data: f"{SHIFTS}history/{data['shift'].pk}/",
}


@pytest.mark.parametrize("page", PAGES)
def test_another_territory_s_page_is_not_found(as_first, sambre, page):
    response = as_first.get(PAGES[page](sambre))

    assert response.status_code == 404
    assert MISSION_TITLE not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_the_territory_s_own_organiser_opens_it(as_second, sambre, page):
    response = as_second.get(PAGES[page](sambre))

    assert response.status_code == 200
    if page == "badges":
        assert response["Content-Type"] == "application/pdf"
    elif page in ("mission", "edit", "volunteers"):
        assert MISSION_TITLE in visible_text(response)
    elif page == "presence":
        assert "Léa Sambrienne" in visible_text(response)


def test_the_mission_list_leaves_out_another_territory(as_first):
    response = as_first.get(MISSIONS)

    assert list(response.context["object_list"]) == []
    assert MISSION_TITLE not in visible_text(response)
    # Nor is its commune among the filter's choices.
    assert "Maubeuge" not in response.content.decode()


def test_the_territory_s_organiser_lists_its_mission(as_second):
    response = as_second.get(MISSIONS)

    assert [mission.title for mission in response.context["object_list"]] == [MISSION_TITLE]


def test_the_shift_list_leaves_out_another_territory(as_first):
    response = as_first.get(SHIFTS)

    assert list(response.context["object_list"]) == []
    assert "Village à Maubeuge" not in visible_text(response)


def test_the_territory_s_organiser_lists_its_shift(as_second, sambre):
    response = as_second.get(SHIFTS)

    assert list(response.context["object_list"]) == [sambre["shift"]]


ACTIONS = {
    "publish": ("inspect", {"decision": "publish"}),
    "refuse": ("inspect", {"decision": "refuse", "reason": "Hors de notre territoire."}),
    "close": ("close", {}),
    "edit": ("edit", {"title": "Pris par un autre territoire"}),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_another_territory_s_mission_cannot_be_changed(as_first, sambre, action):
    name, data = ACTIONS[action]

    response = as_first.post(mission_page(name, sambre), data)

    assert response.status_code == 404
    mission = Mission.objects.get()
    assert (mission.title, mission.status) == (MISSION_TITLE, MissionStatus.PUBLISHED)


def test_another_territory_s_mission_cannot_be_deleted(as_first, sambre):
    response = as_first.post(mission_page("delete", sambre))

    assert response.status_code == 404
    assert Mission.objects.filter(pk=sambre["mission"].pk).exists()


def test_another_territory_s_mission_cannot_be_proposed(as_first, sambre):
    url = reverse("volunteers_missions:propose", args=[sambre["mission"].pk])

    response = as_first.post(url, {"user": sambre["volunteer"].pk, "message": "Venez !"})

    assert response.status_code == 404
    assert sambre["mission"].matches.count() == 1  # the application only


def test_another_territory_s_application_cannot_be_decided(as_first, sambre):
    url = reverse("volunteers_missions:decide", args=[sambre["mission"].pk, sambre["application"].pk])

    response = as_first.post(url, {"decision": "accept"})

    assert response.status_code == 404
    sambre["application"].refresh_from_db()
    assert sambre["application"].status == MatchStatus.PENDING


def test_the_territory_s_organiser_decides_the_application(as_second, sambre):
    url = reverse("volunteers_missions:decide", args=[sambre["mission"].pk, sambre["application"].pk])

    response = as_second.post(url, {"decision": "accept"}, follow=True)

    sambre["application"].refresh_from_db()
    assert sambre["application"].status == MatchStatus.ACCEPTED
    assert "Candidature de Léa Sambrienne acceptée" in visible_text(response)


def test_another_territory_s_presence_cannot_be_marked(as_first, sambre):
    url = reverse("volunteers_presence_mark", args=[sambre["stop"].pk, sambre["signup"].pk])

    response = as_first.post(url, {"action": "no_show"})

    assert response.status_code == 404
    sambre["signup"].refresh_from_db()
    assert sambre["signup"].attendance_at is None


def test_another_territory_s_shift_cannot_be_deleted(as_first, sambre):
    response = as_first.post(f"{SHIFTS}delete/{sambre['shift'].pk}/")

    assert response.status_code == 404
    assert Shift.objects.filter(pk=sambre["shift"].pk).exists()


def mission_form(commune, venue=None, title="Tenir le stand"):
    return {
        "title": title,
        "description": "Accueillir les visiteurs du stand.",
        "organisation": "",
        "commune": commune.pk,
        "venue": venue.pk if venue else "",
        "rhythm": "dates",
        "volunteers_needed": "1",
        "dates-TOTAL_FORMS": "1",
        "dates-INITIAL_FORMS": "0",
        "dates-MIN_NUM_FORMS": "0",
        "dates-MAX_NUM_FORMS": "20",
        "dates-0-starts_at": "2026-12-12 09:00",
        "dates-0-ends_at": "2026-12-12 12:00",
    }


def test_the_mission_form_offers_only_the_organiser_s_communes(as_first, commune, sambre):
    Venue.objects.create(commune=sambre["stop"].commune, name="Place des Nations", kind=VenueKind.SQUARE)

    response = as_first.get(f"{MISSIONS}nouvelle/")

    form = response.context["form"]
    assert list(form.fields["commune"].queryset) == [commune]
    assert not form.fields["venue"].queryset.filter(commune__name="Maubeuge").exists()
    assert "Maubeuge" not in response.content.decode()


def test_a_mission_in_another_territory_s_commune_is_refused(as_first, second_commune):
    response = as_first.post(f"{MISSIONS}nouvelle/", mission_form(second_commune))

    assert "Sélectionnez un choix valide" in visible_text(response)
    assert not Mission.objects.filter(title="Tenir le stand").exists()


def test_a_shift_on_another_territory_s_event_is_refused(as_first, sambre, make_event):
    own_stop = make_event(EventKind.ITINERANT_VILLAGE, start=SATURDAY_9, hours=5, title="Village à Valenciennes")
    data = {
        "event": sambre["stop"].pk,
        "role": ShiftRole.WELCOME,
        "label": "",
        "starts_at": "2026-12-05 09:00",
        "ends_at": "2026-12-05 11:00",
        "capacity": "2",
        "signups-TOTAL_FORMS": "0",
        "signups-INITIAL_FORMS": "0",
        "signups-MIN_NUM_FORMS": "0",
        "signups-MAX_NUM_FORMS": "1000",
    }

    refused = as_first.post(f"{SHIFTS}add/", data)
    accepted = as_first.post(f"{SHIFTS}add/", {**data, "event": own_stop.pk})

    assert "Choisissez un événement de votre territoire." in visible_text(refused)
    assert accepted.status_code == 302
    assert list(Shift.objects.filter(event=own_stop).values_list("event__title", flat=True)) == [
        "Village à Valenciennes"
    ]
    assert Shift.objects.filter(event=sambre["stop"]).count() == 1
