"""Missions in the admin: the list, the mission form, moderation, finding volunteers, and who may do it.

The reference mission is in Valenciennes on Saturday 5 December 2026, 9:00-12:00 (the
Saturday morning slot), asking for "accueil" (required) and welcoming "animation".
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from events.models import OutgoingEmail
from territory.models import PARIS
from tests.html import visible_text
from volunteers.missions import MissionEmail, apply_to_mission, save_mission
from volunteers.models import (
    DayPart,
    MatchKind,
    MatchStatus,
    Mission,
    MissionMatch,
    MissionRhythm,
    MissionStatus,
    VolunteerProfile,
    Weekday,
    availability_bit,
)
from volunteers.services import set_availability

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
SATURDAY_9 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
SATURDAY_MORNING = (Weekday.SATURDAY, DayPart.MORNING)
INDEX = "/admin/missions-benevoles/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def organiser_client(client, organiser):
    """The organiser with what cms/migrations/0006 grants the "Organisateurs" group."""
    organiser.groups.first().permissions.add(
        *Permission.objects.filter(
            content_type__app_label="volunteers",
            codename__in=[
                "add_mission",
                "change_mission",
                "delete_mission",
                "view_mission",
                "view_missionmatch",
                "change_missionmatch",
            ],
        )
    )
    client.force_login(organiser)
    return client


@pytest.fixture
def contact(django_user_model, organisation):
    user = django_user_model.objects.create_user(
        "nadia", "nadia@ressourcerie.example.org", "x", first_name="Nadia", last_name="Benali"
    )
    organisation.contacts.add(user)
    return user


@pytest.fixture
def submitted(commune, organisation, contact):
    """The Ressourcerie's mission, posted by its contact: it waits for moderation."""
    mission = Mission(
        title="Trier les dons de la ressourcerie",
        description="Trier et ranger les objets donnés.",
        commune=commune,
        organisation=organisation,
        rhythm=MissionRhythm.DATES,
    )
    return save_mission(mission, dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=3))], by=contact, now=NOW)


@pytest.fixture
def mission(make_mission, skills):
    return make_mission(
        required=[skills["accueil"]],
        welcome=[skills["animation"]],
        dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=3))],
    )


def make_volunteer(django_user_model, commune, name, *, skills=(), slots=(SATURDAY_MORNING,), accepts_contact=True):
    user = django_user_model.objects.create_user(
        f"{name.lower()}@example.org", f"{name.lower()}@example.org", "x", first_name=name, last_name="Durand"
    )
    profile = VolunteerProfile.objects.create(
        user=user, home_commune=commune, travel_km=10, accepts_contact=accepts_contact
    )
    profile.skills.set(skills)
    profile.refresh_skill_bits()
    set_availability(profile, slots)
    return user


def listed(response) -> list[str]:
    return [mission.title for mission in response.context["object_list"]]


def mission_url(name, mission, *args):
    return reverse(f"volunteers_missions:{name}", args=[mission.pk, *args])


# The list ------------------------------------------------------------------------------------------------------


def test_the_list_shows_the_submitted_mission_first(organiser_client, mission, submitted):
    response = organiser_client.get(INDEX)

    assert listed(response) == ["Trier les dons de la ressourcerie", "Tenir l'accueil du repair café"]
    text = visible_text(response)
    assert "Ressourcerie du Hainaut" in text and "L'équipe du plan" in text
    assert "À modérer" in text and "Publiée" in text
    assert "0 / 1" in text


def test_the_list_filters_the_missions_to_moderate(organiser_client, mission, submitted):
    response = organiser_client.get(INDEX, {"status": MissionStatus.SUBMITTED})

    assert listed(response) == ["Trier les dons de la ressourcerie"]


def test_the_list_filters_by_commune(organiser_client, make_mission, other_commune):
    make_mission("Accueil à Valenciennes")
    make_mission("Accueil à Anzin", commune=other_commune)

    response = organiser_client.get(INDEX, {"commune": other_commune.pk})

    assert listed(response) == ["Accueil à Anzin"]


def test_the_list_counts_accepted_volunteers_in_constant_queries(
    organiser_client, make_mission, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_mission("Mission 0")
    with CaptureQueriesContext(connection) as one_mission:
        organiser_client.get(INDEX)
    for n in range(1, 8):
        make_mission(f"Mission {n}")
    with django_assert_num_queries(len(one_mission.captured_queries)):
        response = organiser_client.get(INDEX)
    assert len(listed(response)) == 8


# The mission form -----------------------------------------------------------------------------------------------


def mission_form(commune, *, dates=(), rhythm=MissionRhythm.DATES, slots=(), **fields):
    data = {
        "title": "Animer l'atelier vélo",
        "description": "Aider les visiteurs à régler leurs freins.",
        "organisation": "",
        "commune": commune.pk,
        "venue": "",
        "rhythm": rhythm,
        "starts_on": "",
        "ends_on": "",
        "volunteers_needed": 2,
        "dates-TOTAL_FORMS": 3,
        "dates-INITIAL_FORMS": 0,
        "dates-MIN_NUM_FORMS": 0,
        "dates-MAX_NUM_FORMS": 20,
    }
    for index, (start, end) in enumerate(dates):
        data[f"dates-{index}-starts_at"] = start
        data[f"dates-{index}-ends_at"] = end
    for weekday, part in slots:
        data[f"slot_{weekday}_{part}"] = "on"
    data.update(fields)
    return data


def test_an_organiser_creates_a_published_mission_with_its_masks(organiser_client, organiser, commune, skills):
    response = organiser_client.post(
        reverse("volunteers_missions:add"),
        mission_form(
            commune,
            dates=[("2026-12-05 09:00", "2026-12-05 12:00"), ("2026-12-06 14:00", "2026-12-06 17:00")],
            required_skills=[skills["accueil"].pk],
            welcome_skills=[skills["animation"].pk, skills["accueil"].pk],
        ),
    )

    mission = Mission.objects.get()
    assert response.status_code == 302 and response.url == mission_url("volunteers", mission)
    assert mission.status == MissionStatus.PUBLISHED and mission.submitted_by == organiser
    assert mission.territory_id == commune.territory_id
    assert mission.slot_bits == availability_bit(Weekday.SATURDAY, DayPart.MORNING) | availability_bit(
        Weekday.SUNDAY, DayPart.AFTERNOON
    )
    assert mission.required_bits == skills["accueil"].mask
    assert mission.welcome_bits == skills["animation"].mask
    assert (mission.starts_on, mission.ends_on) == (dt.date(2026, 12, 5), dt.date(2026, 12, 6))
    assert [d.starts_at for d in mission.dates.all()] == [SATURDAY_9, dt.datetime(2026, 12, 6, 14, tzinfo=PARIS)]


def test_a_weekly_mission_keeps_the_ticked_slots(organiser_client, commune):
    organiser_client.post(
        reverse("volunteers_missions:add"),
        mission_form(
            commune,
            rhythm=MissionRhythm.WEEKLY,
            slots=[SATURDAY_MORNING, (Weekday.WEDNESDAY, DayPart.AFTERNOON)],
            starts_on="2026-12-01",
            ends_on="2027-03-31",
        ),
    )

    mission = Mission.objects.get()
    expected = availability_bit(*SATURDAY_MORNING) | availability_bit(Weekday.WEDNESDAY, DayPart.AFTERNOON)
    assert mission.weekly_bits == mission.slot_bits == expected
    assert (mission.starts_on, mission.ends_on) == (dt.date(2026, 12, 1), dt.date(2027, 3, 31))
    assert not mission.dates.exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Indiquez au moins une date."),
        ({"dates": [("2026-12-05 12:00", "2026-12-05 09:00")]}, "Chaque date doit finir après son début."),
        ({"dates": [("2026-11-20 09:00", "2026-11-20 12:00")]}, "Les dates doivent être à venir."),
        (
            {
                "rhythm": MissionRhythm.WEEKLY,
                "slots": [SATURDAY_MORNING],
                "starts_on": "2027-01-10",
                "ends_on": "2027-01-01",
            },
            "La fin doit venir après le début.",
        ),
        ({"rhythm": MissionRhythm.WEEKLY}, "Cochez au moins un moment de la semaine."),
    ],
    ids=["no_date", "date_order", "date_past", "period_order", "no_weekly_slot"],
)
def test_a_bad_schedule_is_refused_with_the_service_message(organiser_client, commune, form, message):
    response = organiser_client.post(reverse("volunteers_missions:add"), mission_form(commune, **form))

    assert response.status_code == 200
    text = visible_text(response)
    assert message in text
    assert "Rien n'a été enregistré" in text
    assert not Mission.objects.exists()


def test_a_date_without_its_end_is_refused(organiser_client, commune):
    response = organiser_client.post(
        reverse("volunteers_missions:add"), mission_form(commune, dates=[("2026-12-05 09:00", "")])
    )

    assert "Indiquez le début et la fin de cette date." in visible_text(response)
    assert not Mission.objects.exists()


def test_editing_a_mission_recomputes_its_slots(organiser_client, mission, commune, skills):
    form_page = organiser_client.get(mission_url("edit", mission))
    assert form_page.context["form"]["title"].value() == "Tenir l'accueil du repair café"

    organiser_client.post(
        mission_url("edit", mission),
        mission_form(
            commune,
            title="Tenir l'accueil du repair café",
            dates=[("09/12/2026 18:30", "09/12/2026 20:30")],  # as the admin's date picker writes them
            required_skills=[skills["accueil"].pk],
        ),
    )

    mission.refresh_from_db()
    assert mission.slot_bits == availability_bit(Weekday.WEDNESDAY, DayPart.EVENING)
    assert mission.welcome_bits == 0
    assert mission.dates.count() == 1


# Moderation ------------------------------------------------------------------------------------------------------


def test_the_moderation_page_shows_the_mission_as_posted(organiser_client, submitted):
    response = organiser_client.get(mission_url("moderate", submitted))

    text = visible_text(response)
    assert "Trier les dons de la ressourcerie" in text
    assert "Ressourcerie du Hainaut — Nadia Benali" in text
    assert "samedi 5 décembre 2026, 9 h 00 – 12 h 00" in text
    assert "Publier la mission" in text and "Refuser la mission" in text


def test_publishing_a_submitted_mission(organiser_client, organiser, submitted):
    response = organiser_client.post(mission_url("moderate", submitted), {"decision": "publish"}, follow=True)

    submitted.refresh_from_db()
    assert submitted.status == MissionStatus.PUBLISHED and submitted.moderated_by == organiser
    assert "Mission publiée" in visible_text(response)
    assert OutgoingEmail.objects.filter(kind=MissionEmail.PUBLISHED, to="nadia@ressourcerie.example.org").exists()


def test_refusing_a_submitted_mission_sends_the_reason(organiser_client, submitted):
    response = organiser_client.post(
        mission_url("moderate", submitted),
        {"decision": "refuse", "reason": "Précisez les horaires du tri."},
        follow=True,
    )

    submitted.refresh_from_db()
    assert submitted.status == MissionStatus.REFUSED
    assert submitted.refusal_reason == "Précisez les horaires du tri."
    assert "Motif du refus : Précisez les horaires du tri." in visible_text(response)
    assert OutgoingEmail.objects.filter(kind=MissionEmail.REFUSED).exists()


def test_refusing_without_a_reason_is_refused_on_the_form(organiser_client, submitted):
    response = organiser_client.post(mission_url("moderate", submitted), {"decision": "refuse", "reason": "  "})

    assert response.status_code == 200
    assert response.context["refuse_form"].errors["reason"] == ["Dites à la structure pourquoi, elle pourra corriger."]
    assert "Dites à la structure pourquoi, elle pourra corriger." in visible_text(response)
    submitted.refresh_from_db()
    assert submitted.status == MissionStatus.SUBMITTED
    assert not OutgoingEmail.objects.filter(kind=MissionEmail.REFUSED).exists()


def test_publishing_a_mission_already_published_says_so(organiser_client, mission):
    response = organiser_client.post(mission_url("moderate", mission), {"decision": "publish"}, follow=True)

    assert "Cette mission n'attend pas de modération." in visible_text(response)


# Finding volunteers -------------------------------------------------------------------------------------------------


def test_the_volunteers_are_ranked_with_their_reasons(
    organiser_client, mission, django_user_model, commune, other_commune, skills
):
    make_volunteer(django_user_model, other_commune, "Camille", skills=[skills["accueil"], skills["animation"]])
    make_volunteer(django_user_model, commune, "Bastien", skills=[skills["accueil"]])
    make_volunteer(django_user_model, commune, "Zoé", skills=[skills["animation"]])  # lacks the required skill
    make_volunteer(django_user_model, commune, "Yanis", skills=[skills["accueil"]], accepts_contact=False)

    response = organiser_client.get(mission_url("volunteers", mission))

    names = [row["name"] for row in response.context["rows"]]
    assert names == ["Camille Durand", "Bastien Durand"]
    text = visible_text(response)
    assert "2 bénévoles correspondent à la mission" in text
    # Camille: 60 (2 skills of 2) + 25 (free) + 15 x (1 - 0.213²) at 2.13 km = 99.3;
    # Bastien: 30 (1 of 2) + 25 + 15 on the spot = 70 (tests/volunteers/test_matching.py works the distance).
    assert "Camille Durand Anzin 99/100 2 compétences sur 2, disponible le samedi matin, à 2 km" in text
    assert (
        "Bastien Durand Valenciennes 70/100 1 compétence sur 2, disponible le samedi matin, dans la même commune"
        in text
    )
    assert "Zoé" not in text and "Yanis" not in text


def test_the_volunteers_page_runs_a_constant_number_of_queries(
    organiser_client, mission, django_user_model, commune, skills, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_volunteers(first, count):
        for n in range(first, first + count):
            user = make_volunteer(django_user_model, commune, f"Bénévole{n}", skills=[skills["accueil"]])
            if n % 2:
                apply_to_mission(mission, user)

    add_volunteers(0, 5)
    with CaptureQueriesContext(connection) as five:
        response = organiser_client.get(mission_url("volunteers", mission))
    assert len(response.context["rows"]) == 5 and len(response.context["matches"]) == 2

    add_volunteers(5, 10)
    with django_assert_num_queries(len(five.captured_queries)):
        response = organiser_client.get(mission_url("volunteers", mission))
    assert len(response.context["rows"]) == 15 and len(response.context["matches"]) == 7


def test_proposing_the_mission_creates_a_match_and_queues_an_email(
    organiser_client, organiser, mission, django_user_model, commune, skills
):
    camille = make_volunteer(django_user_model, commune, "Camille", skills=[skills["accueil"]])

    response = organiser_client.post(
        mission_url("propose", mission), {"user": camille.pk, "message": "Vous seriez parfaite !"}, follow=True
    )

    match = MissionMatch.objects.get()
    assert (match.user, match.kind, match.status, match.created_by) == (
        camille,
        MatchKind.PROPOSAL,
        MatchStatus.PENDING,
        organiser,
    )
    assert match.message == "Vous seriez parfaite !"
    assert OutgoingEmail.objects.filter(kind=MissionEmail.PROPOSED, to="camille@example.org").exists()
    text = visible_text(response)
    assert "Mission proposée à Camille Durand" in text
    assert "Camille Durand Valenciennes Proposée par l'équipe En attente de réponse" in text
    assert response.context["rows"][0]["in_touch"]


def test_proposing_to_someone_who_refused_contact_changes_nothing(
    organiser_client, mission, django_user_model, commune, skills
):
    yanis = make_volunteer(django_user_model, commune, "Yanis", skills=[skills["accueil"]], accepts_contact=False)

    response = organiser_client.post(mission_url("propose", mission), {"user": yanis.pk}, follow=True)

    assert "Cette personne n'accepte pas d'être contactée par les organisateurs." in visible_text(response)
    assert not MissionMatch.objects.exists()
    assert not OutgoingEmail.objects.filter(kind=MissionEmail.PROPOSED).exists()


def test_accepting_an_application(organiser_client, organiser, mission, django_user_model, commune, skills):
    camille = make_volunteer(django_user_model, commune, "Camille", skills=[skills["accueil"]])
    application = apply_to_mission(mission, camille, message="Disponible tout le week-end.")

    page = organiser_client.get(mission_url("volunteers", mission))
    assert "Candidature En attente de réponse" in visible_text(page)
    response = organiser_client.post(
        mission_url("decide", mission, application.pk), {"decision": "accept"}, follow=True
    )

    application.refresh_from_db()
    assert application.status == MatchStatus.ACCEPTED and application.decided_by == organiser
    assert "Candidature de Camille Durand acceptée" in visible_text(response)
    assert "bénévoles acceptés : 1 sur 1" in visible_text(response)
    assert OutgoingEmail.objects.filter(kind=MissionEmail.ACCEPTED, to="camille@example.org").exists()


def test_declining_an_application(organiser_client, mission, django_user_model, commune, skills):
    camille = make_volunteer(django_user_model, commune, "Camille", skills=[skills["accueil"]])
    application = apply_to_mission(mission, camille)

    organiser_client.post(mission_url("decide", mission, application.pk), {"decision": "decline"})

    application.refresh_from_db()
    assert application.status == MatchStatus.DECLINED


def test_accepting_past_the_places_needed_is_refused(organiser_client, mission, django_user_model, commune, skills):
    first = apply_to_mission(mission, make_volunteer(django_user_model, commune, "Camille", skills=[skills["accueil"]]))
    second = apply_to_mission(
        mission, make_volunteer(django_user_model, commune, "Bastien", skills=[skills["accueil"]])
    )
    organiser_client.post(mission_url("decide", mission, first.pk), {"decision": "accept"})

    response = organiser_client.post(mission_url("decide", mission, second.pk), {"decision": "accept"}, follow=True)

    assert "Cette mission a déjà trouvé ses 1 bénévoles." in visible_text(response)
    second.refresh_from_db()
    assert second.status == MatchStatus.PENDING


def test_closing_the_mission_withdraws_pending_matches(organiser_client, mission, django_user_model, commune, skills):
    application = apply_to_mission(
        mission, make_volunteer(django_user_model, commune, "Camille", skills=[skills["accueil"]])
    )

    response = organiser_client.post(mission_url("close", mission), follow=True)

    mission.refresh_from_db()
    application.refresh_from_db()
    assert mission.status == MissionStatus.CLOSED and application.status == MatchStatus.WITHDRAWN
    assert "Mission close" in visible_text(response)


# Who may do what --------------------------------------------------------------------------------------------------


def every_url(mission, match=None):
    gets = [INDEX, reverse("volunteers_missions:add")] + [
        mission_url(name, mission) for name in ("inspect", "moderate", "edit", "volunteers")
    ]
    posts = [
        (mission_url("moderate", mission), {"decision": "publish"}),
        (mission_url("propose", mission), {"user": match.user_id if match else 1}),
        (mission_url("close", mission), {}),
    ]
    if match:
        posts.append((mission_url("decide", mission, match.pk), {"decision": "accept"}))
    return gets, posts


def test_an_admin_user_without_the_mission_permission_gets_a_403(
    client, organiser, submitted, django_user_model, commune, skills
):
    client.force_login(organiser)  # admin access only

    gets, posts = every_url(submitted)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Votre compte n'a pas accès aux missions bénévoles." in visible_text(response)
        assert "Trier les dons" not in visible_text(response)
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    submitted.refresh_from_db()
    assert submitted.status == MissionStatus.SUBMITTED


def test_an_admin_user_without_the_permission_does_not_see_the_menu_item(client, organiser):
    client.force_login(organiser)

    response = client.get("/admin/")

    assert INDEX not in response.content.decode()


def test_an_outsider_sees_and_changes_nothing(client, outsider, mission, django_user_model, commune, skills):
    camille = make_volunteer(django_user_model, commune, "Camille", skills=[skills["accueil"]])
    application = apply_to_mission(mission, camille)
    client.force_login(outsider)

    gets, posts = every_url(mission, application)
    for url in gets:
        response = client.get(url)
        # The admin sends people without admin access to its login page before any view runs.
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url
    for url, data in posts:
        assert client.post(url, data).status_code == 302, url
    application.refresh_from_db()
    mission.refresh_from_db()
    assert application.status == MatchStatus.PENDING and mission.status == MissionStatus.PUBLISHED
    assert MissionMatch.objects.count() == 1


def test_the_organisers_group_may_manage_missions():
    from django.contrib.auth.models import Group

    granted = set(Group.objects.get(name="Organisateurs").permissions.values_list("codename", flat=True))

    assert {"add_mission", "change_mission", "delete_mission", "view_mission"} <= granted
    assert {"view_missionmatch", "change_missionmatch"} <= granted


# Pages as organisers see them ----------------------------------------------------------------------------------------


def test_the_new_mission_form_offers_dates_the_week_and_skills(organiser_client, skills):
    response = organiser_client.get(reverse("volunteers_missions:add"))

    text = visible_text(response)
    for label in ("Intitulé", "Commune", "À des dates précises", "Chaque semaine", "samedi matin", "Accueil"):
        assert label in text, label
    html = response.content.decode()
    assert html.count('name="dates-') >= 6  # three empty dates, start and end
    assert 'for="id_slot_5_0"' in html


def test_a_submitted_mission_cannot_be_proposed_yet(organiser_client, submitted):
    response = organiser_client.get(mission_url("volunteers", submitted))

    assert "Seule une mission publiée peut être proposée à des bénévoles." in visible_text(response)
    assert response.context["rows"] == []


def test_deleting_a_mission(organiser_client, mission):
    confirm = organiser_client.get(mission_url("delete", mission))
    assert "Tenir l'accueil du repair café" in visible_text(confirm)

    organiser_client.post(mission_url("delete", mission))

    assert not Mission.objects.exists()


def test_ids_in_the_page_are_not_written_with_a_thousands_separator(
    organiser_client, mission, django_user_model, commune, skills
):
    # French formats write 12345 as "12 345": a form value or an anchor must not.
    user = django_user_model.objects.create_user("lea@example.org", "lea@example.org", "x", id=12345, first_name="Léa")
    profile = VolunteerProfile.objects.create(user=user, home_commune=commune, accepts_contact=True)
    profile.skills.set([skills["accueil"]])
    profile.refresh_skill_bits()
    set_availability(profile, [SATURDAY_MORNING])

    page = organiser_client.get(mission_url("volunteers", mission)).content.decode()
    assert 'name="user" value="12345"' in page
    assert 'id="benevole-12345"' in page
