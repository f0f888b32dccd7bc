"""People competing on a mission: its last places, and one person matched twice at once; on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.concurrency import at_the_same_moment
from volunteers.missions import MissionError, apply_to_mission, decide_application, propose_mission, save_mission
from volunteers.models import MatchStatus, Mission, MissionMatch, VolunteerProfile

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def mission(commune, organiser):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=12)
    return save_mission(
        Mission(title="Accueil", description="…", commune=commune, volunteers_needed=2),
        dates=[(start, start + dt.timedelta(hours=3))],
        by=organiser,
    )


def volunteers(django_user_model, commune, count):
    people = []
    for n in range(count):
        user = django_user_model.objects.create_user(f"v{n}@example.org", f"v{n}@example.org", "x")
        VolunteerProfile.objects.create(user=user, home_commune=commune, accepts_contact=True)
        people.append(user)
    return people


def test_six_applications_accepted_at_once_for_two_places_accept_two(mission, organiser, django_user_model, commune):
    applications = [apply_to_mission(mission, user) for user in volunteers(django_user_model, commune, 6)]

    results = at_the_same_moment(
        [lambda match=match: decide_application(match, accept=True, by=organiser) for match in applications],
        expected=(MissionError,),
    )

    assert sum(isinstance(r, MissionMatch) for r in results) == 2
    assert {r.code for r in results if isinstance(r, MissionError)} == {"mission_full"}
    assert MissionMatch.objects.filter(mission=mission, status=MatchStatus.ACCEPTED).count() == 2


def test_a_proposal_and_an_application_crossing_make_one_match(mission, organiser, django_user_model, commune):
    [person] = volunteers(django_user_model, commune, 1)

    results = at_the_same_moment(
        [lambda: propose_mission(mission, person, by=organiser), lambda: apply_to_mission(mission, person)],
        expected=(MissionError,),
    )

    assert sum(isinstance(r, MissionMatch) for r in results) == 1
    assert [r.code for r in results if isinstance(r, MissionError)] == ["already_matched"]
    assert MissionMatch.objects.filter(mission=mission, user=person).count() == 1
