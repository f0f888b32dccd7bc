"""Missions and matches (volunteers/missions.py): each rule and each refusal, by its code."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from events.models import OutgoingEmail
from territory.models import PARIS
from volunteers.missions import (
    MissionError,
    answer_proposal,
    answer_token,
    apply_to_mission,
    close_mission,
    decide_application,
    find_match,
    propose_mission,
    publish_mission,
    refuse_mission,
    save_mission,
    withdraw_match,
)
from volunteers.models import MatchStatus, Mission, MissionMatch, MissionRhythm, MissionStatus, VolunteerProfile

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
SATURDAY_9 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def contact(django_user_model, organisation):
    user = django_user_model.objects.create_user("contact@example.org", "contact@example.org", "x")
    organisation.contacts.add(user)
    return user


@pytest.fixture
def mission(make_mission):
    return make_mission(volunteers_needed=1)


@pytest.fixture
def reachable(volunteer):
    VolunteerProfile.objects.filter(user=volunteer).update(accepts_contact=True)
    volunteer.volunteer_profile.refresh_from_db()
    return volunteer


def another_volunteer(django_user_model, commune, name):
    user = django_user_model.objects.create_user(f"{name}@example.org", f"{name}@example.org", "x", first_name=name)
    VolunteerProfile.objects.create(user=user, home_commune=commune, accepts_contact=True)
    return user


def code_of(call) -> str:
    with pytest.raises(MissionError) as error:
        call()
    return error.value.code


# Posting and moderation


def test_an_organisations_mission_waits_for_moderation_and_tells_the_moderators(
    organisation, contact, commune, django_user_model
):
    moderator = django_user_model.objects.create_user("moderatrice", "moderation@example.org", "x")
    moderator.user_permissions.add(Permission.objects.get(codename="change_mission"))
    mission = save_mission(
        Mission(title="Réparer des vélos", description="Atelier.", organisation=organisation, commune=commune),
        dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=2))],
        by=contact,
    )
    assert mission.status == MissionStatus.SUBMITTED
    assert mission.submitted_by == contact
    assert mission.territory == commune.territory
    assert list(OutgoingEmail.objects.filter(kind="mission_submitted").values_list("to", flat=True)) == [
        "moderation@example.org"
    ]


def test_an_organisers_mission_is_published_at_once(mission, organiser):
    assert mission.status == MissionStatus.PUBLISHED
    assert mission.moderated_by == organiser


def test_editing_a_published_mission_of_an_organisation_sends_it_back_to_moderation(
    organisation, contact, commune, organiser
):
    mission = save_mission(
        Mission(title="Réparer", description="Atelier.", organisation=organisation, commune=commune),
        dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=2))],
        by=contact,
    )
    publish_mission(mission, by=organiser)
    mission.refresh_from_db()
    mission.title = "Réparer des vélos"
    save_mission(mission, dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=2))], by=contact)
    assert Mission.objects.get(pk=mission.pk).status == MissionStatus.SUBMITTED


@pytest.mark.parametrize(
    ("rhythm", "dates", "weekly", "code"),
    [
        (MissionRhythm.DATES, [], [], "no_date"),
        (MissionRhythm.DATES, [(SATURDAY_9, SATURDAY_9 - dt.timedelta(hours=1))], [], "date_order"),
        (MissionRhythm.DATES, [(NOW - dt.timedelta(days=1), NOW - dt.timedelta(hours=20))], [], "date_past"),
        (
            MissionRhythm.DATES,
            [(SATURDAY_9 + dt.timedelta(days=n), SATURDAY_9 + dt.timedelta(days=n, hours=1)) for n in range(21)],
            [],
            "too_many_dates",
        ),
        (MissionRhythm.WEEKLY, [], [], "no_weekly_slot"),
    ],
)
def test_bad_schedules_are_refused_and_nothing_is_saved(commune, organiser, rhythm, dates, weekly, code):
    mission = Mission(title="Mission", description="…", commune=commune, rhythm=rhythm)
    assert code_of(lambda: save_mission(mission, dates=dates, weekly_slots=weekly, by=organiser)) == code
    assert not Mission.objects.exists()


def test_a_number_of_volunteers_out_of_range_is_refused(commune, organiser):
    mission = Mission(title="Mission", description="…", commune=commune, volunteers_needed=500)
    dates = [(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=1))]
    assert code_of(lambda: save_mission(mission, dates=dates, by=organiser)) == "invalid_volunteers_needed"


def test_refusal_needs_a_reason_and_tells_the_organisation(organisation, contact, commune, organiser):
    mission = save_mission(
        Mission(title="Réparer", description="Atelier.", organisation=organisation, commune=commune),
        dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=2))],
        by=contact,
    )
    assert code_of(lambda: refuse_mission(mission, by=organiser, reason="  ")) == "no_reason"
    refuse_mission(mission, by=organiser, reason="Précisez l'adresse de l'atelier.")
    mission.refresh_from_db()
    assert (mission.status, mission.refusal_reason) == (MissionStatus.REFUSED, "Précisez l'adresse de l'atelier.")
    assert OutgoingEmail.objects.filter(kind="mission_refused", to="contact@example.org").count() == 1
    assert code_of(lambda: publish_mission(mission, by=organiser)) == "not_submitted"


# Proposals and applications


def test_a_proposal_records_the_score_and_emails_the_volunteer(mission, reachable, organiser):
    match = propose_mission(mission, reachable, by=organiser, message="Vous habitez à côté !")
    assert (match.kind, match.status, match.created_by) == ("proposal", MatchStatus.PENDING, organiser)
    assert match.reasons == "disponibilités non renseignées, dans la même commune"
    assert match.score == 75  # no skill asked: 60; availability unknown: 0; on the spot: 15
    assert OutgoingEmail.objects.get(kind="match_proposed").to == "camille@example.org"
    assert find_match(match.pk, answer_token(match)) == match
    assert find_match(match.pk, "forged-token") is None


def test_no_proposal_to_who_refused_contact(mission, volunteer, organiser):
    assert code_of(lambda: propose_mission(mission, volunteer, by=organiser)) == "no_contact_consent"
    assert not MissionMatch.objects.exists()


def test_no_proposal_without_a_profile(mission, outsider, organiser):
    assert code_of(lambda: propose_mission(mission, outsider, by=organiser)) == "no_profile"


def test_no_second_live_match_for_the_same_person(mission, reachable, organiser):
    propose_mission(mission, reachable, by=organiser)
    assert code_of(lambda: apply_to_mission(mission, reachable)) == "already_matched"
    assert code_of(lambda: propose_mission(mission, reachable, by=organiser)) == "already_matched"


def test_a_declined_proposal_can_be_followed_by_an_application(mission, reachable, organiser):
    answer_proposal(propose_mission(mission, reachable, by=organiser), accept=False)
    assert apply_to_mission(mission, reachable).status == MatchStatus.PENDING


def test_no_match_on_a_mission_not_published(make_mission, organisation, contact, commune, reachable, organiser):
    submitted = save_mission(
        Mission(title="Réparer", description="Atelier.", organisation=organisation, commune=commune),
        dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=2))],
        by=contact,
    )
    assert code_of(lambda: apply_to_mission(submitted, reachable)) == "mission_not_open"
    assert code_of(lambda: propose_mission(submitted, reachable, by=organiser)) == "mission_not_open"


def test_no_match_on_a_mission_over(mission, reachable, time_machine):
    time_machine.move_to(SATURDAY_9 + dt.timedelta(days=2), tick=False)
    assert code_of(lambda: apply_to_mission(mission, reachable)) == "mission_over"


def test_accepting_beyond_the_places_is_refused(mission, reachable, django_user_model, commune, organiser):
    other = another_volunteer(django_user_model, commune, "bruno")
    first = apply_to_mission(mission, reachable)
    second = apply_to_mission(mission, other)
    decide_application(first, accept=True, by=organiser)
    assert code_of(lambda: decide_application(second, accept=True, by=organiser)) == "mission_full"
    assert MissionMatch.objects.get(pk=second.pk).status == MatchStatus.PENDING
    # Full: nobody new can apply or be proposed.
    third = another_volunteer(django_user_model, commune, "chloe")
    assert code_of(lambda: apply_to_mission(mission, third)) == "mission_full"


def test_answering_twice_is_refused(mission, reachable, organiser):
    match = propose_mission(mission, reachable, by=organiser)
    answer_proposal(match, accept=True)
    assert code_of(lambda: answer_proposal(match, accept=False)) == "already_answered"
    assert MissionMatch.objects.get(pk=match.pk).status == MatchStatus.ACCEPTED


def test_answers_go_to_the_right_side(mission, reachable, organiser):
    proposal = propose_mission(mission, reachable, by=organiser)
    assert code_of(lambda: decide_application(proposal, accept=True, by=organiser)) == "not_an_application"
    application = apply_to_mission(make_other_mission(mission, organiser), reachable)
    assert code_of(lambda: answer_proposal(application, accept=True)) == "not_a_proposal"


def make_other_mission(mission, organiser):
    other = Mission(title="Autre", description="…", commune=mission.commune)
    return save_mission(other, dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=1))], by=organiser)


def test_withdrawing_then_closing(mission, reachable, django_user_model, commune, organiser):
    match = apply_to_mission(mission, reachable)
    withdraw_match(match, by=reachable)
    assert code_of(lambda: withdraw_match(match, by=reachable)) == "not_active"
    other = apply_to_mission(mission, another_volunteer(django_user_model, commune, "bruno"))
    close_mission(mission, by=organiser)
    assert MissionMatch.objects.get(pk=other.pk).status == MatchStatus.WITHDRAWN
    assert Mission.objects.get(pk=mission.pk).status == MissionStatus.CLOSED


def test_an_organiser_with_the_permission_publishes_an_organisations_mission_directly(organisation, commune, organiser):
    organiser.user_permissions.add(Permission.objects.get(codename="change_mission"))
    organiser = type(organiser).objects.get(pk=organiser.pk)  # drop the permission cache
    mission = save_mission(
        Mission(title="Réparer", description="Atelier.", organisation=organisation, commune=commune),
        dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=2))],
        by=organiser,
    )
    assert mission.status == MissionStatus.PUBLISHED


def test_an_organiser_correcting_a_refused_mission_publishes_it_and_tells_its_poster(
    organisation, contact, commune, organiser
):
    organiser.user_permissions.add(Permission.objects.get(codename="change_mission"))
    organiser = type(organiser).objects.get(pk=organiser.pk)
    dates = [(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=2))]
    mission = save_mission(
        Mission(title="Réparer", description="Atelier.", organisation=organisation, commune=commune),
        dates=dates,
        by=contact,
    )
    refuse_mission(mission, by=organiser, reason="Quelle adresse ?")
    mission.refresh_from_db()
    mission.description = "Atelier, 12 rue des Forges."
    save_mission(mission, dates=dates, by=organiser)
    assert Mission.objects.get(pk=mission.pk).status == MissionStatus.PUBLISHED
    assert OutgoingEmail.objects.filter(kind="mission_published", to="contact@example.org").count() == 1


def test_a_mission_whose_date_has_passed_can_still_be_edited_but_not_given_a_new_past_date(
    mission, organiser, time_machine
):
    [(start, end)] = mission.dates.values_list("starts_at", "ends_at")
    time_machine.move_to(end + dt.timedelta(days=1), tick=False)
    mission.refresh_from_db()
    mission.description = "Le bilan de l'atelier."
    save_mission(mission, dates=[(start, end)], by=organiser)
    assert Mission.objects.get(pk=mission.pk).description == "Le bilan de l'atelier."
    earlier = (start - dt.timedelta(days=1), end - dt.timedelta(days=1))
    assert code_of(lambda: save_mission(mission, dates=[(start, end), earlier], by=organiser)) == "date_past"
