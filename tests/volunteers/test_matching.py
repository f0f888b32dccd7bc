"""Matching (volunteers/matching.py): scores and reasons on hand-checked cases, and every filter.

The reference mission is in Valenciennes (50.3579, 3.5233) on Saturday 5 December 2026,
9:00-12:00: the Saturday morning slot. It asks for "accueil" (required) and welcomes
"animation", "communication" and "photo-video": four skills in all.

Hand computation for Camille, in Anzin (50.3754, 3.5111), 10 km, accueil + animation +
communication, free on Saturday mornings:
    km per degree of longitude at 50.3579° = 111.2 x cos(50.3579°) = 70.97
    dx = -0.0122 x 70.97 = -0.866 km, dy = 0.0175 x 111.2 = 1.946 km, distance = 2.13 km
    skills 60 x 3/4 = 45; availability 25 x 1/1 = 25; closeness 15 x (1 - 0.213²) = 14.32
    score = 84.32 -> 84, "3 compétences sur 4, disponible le samedi matin, à 2 km"
"""

import datetime as dt

import pytest

from territory.models import PARIS, Commune
from volunteers import matching
from volunteers.models import AwayPeriod, DayPart, MissionRhythm, VolunteerProfile, Weekday, availability_bit
from volunteers.services import set_availability

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
SATURDAY_9 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def far_commune(territory):
    # Maubeuge, 33 km east-south-east of Valenciennes.
    return Commune.objects.create(
        territory=territory,
        insee_code="59392",
        name="Maubeuge",
        postcodes="59600",
        population=29679,
        latitude=50.2775,
        longitude=3.9734,
    )


@pytest.fixture
def mission(make_mission, skills):
    return make_mission(
        required=[skills["accueil"]],
        welcome=[skills["animation"], skills["communication"], skills["photo-video"]],
        dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=3))],
    )


def make_volunteer(django_user_model, commune, name, *, skills=(), slots=(), travel_km=10, accepts_contact=True):
    user = django_user_model.objects.create_user(f"{name.lower()}@example.org", f"{name.lower()}@example.org", "x")
    user.first_name = name
    user.save()
    profile = VolunteerProfile.objects.create(
        user=user, home_commune=commune, travel_km=travel_km, accepts_contact=accepts_contact
    )
    profile.skills.set(skills)
    profile.refresh_skill_bits()
    set_availability(profile, slots)
    return profile


SATURDAY_MORNING = (Weekday.SATURDAY, DayPart.MORNING)


def test_the_mission_keeps_its_masks_and_slot(mission, skills):
    assert mission.required_bits == skills["accueil"].mask
    assert mission.welcome_bits == skills["animation"].mask | skills["communication"].mask | skills["photo-video"].mask
    assert mission.slot_bits == availability_bit(Weekday.SATURDAY, DayPart.MORNING)
    assert (mission.latitude, mission.longitude) == (50.3579, 3.5233)
    assert mission.starts_on == mission.ends_on == dt.date(2026, 12, 5)


def test_hand_checked_score_and_reasons(django_user_model, mission, other_commune, skills):
    make_volunteer(
        django_user_model,
        other_commune,
        "Camille",
        skills=[skills["accueil"], skills["animation"], skills["communication"]],
        slots=[SATURDAY_MORNING],
    )
    [candidate] = matching.rank_volunteers(mission)
    assert candidate.profile.user.first_name == "Camille"
    assert candidate.score.points == 84
    assert round(candidate.score.distance_km, 2) == 2.13
    assert candidate.score.reason_text == "3 compétences sur 4, disponible le samedi matin, à 2 km"
    # The SQL computed the same score as the Python formula.
    [row] = matching.candidates(mission)
    assert round(row.points) == 84


def test_ranking_order_and_each_component(django_user_model, mission, commune, other_commune, far_commune, skills):
    accueil = skills["accueil"]
    # Same commune, all four skills, free: 60 + 25 + 15.
    make_volunteer(
        django_user_model,
        commune,
        "Alice",
        skills=[accueil, skills["animation"], skills["communication"], skills["photo-video"]],
        slots=[SATURDAY_MORNING],
    )
    # Same commune, only the required skill, free: 15 + 25 + 15.
    make_volunteer(django_user_model, commune, "Bruno", skills=[accueil], slots=[SATURDAY_MORNING])
    # Same commune, required skill, availability not filled in: 15 + 0 + 15.
    make_volunteer(django_user_model, commune, "Chloé", skills=[accueil])
    # Maubeuge, 33 km, travels 50 km: 15 + 25 + 15 x (1 - (33.3/50)²).
    make_volunteer(django_user_model, far_commune, "Djamel", skills=[accueil], slots=[SATURDAY_MORNING], travel_km=50)
    ranked = matching.rank_volunteers(mission)
    assert [(c.profile.user.first_name, c.score.points) for c in ranked] == [
        ("Alice", 100),
        ("Bruno", 55),
        ("Djamel", 48),
        ("Chloé", 30),
    ]
    assert ranked[0].score.reason_text == "4 compétences sur 4, disponible le samedi matin, dans la même commune"
    assert ranked[3].score.reason_text == "1 compétence sur 4, disponibilités non renseignées, dans la même commune"
    assert ranked[2].score.reason_text == "1 compétence sur 4, disponible le samedi matin, à 33 km"


def test_filters_leave_out_who_cannot_come(django_user_model, mission, commune, far_commune, skills):
    accueil = skills["accueil"]
    make_volunteer(django_user_model, commune, "Sans", skills=[skills["animation"]], slots=[SATURDAY_MORNING])
    make_volunteer(django_user_model, far_commune, "Loin", skills=[accueil], slots=[SATURDAY_MORNING], travel_km=20)
    make_volunteer(django_user_model, commune, "Dimanche", skills=[accueil], slots=[(Weekday.SUNDAY, DayPart.MORNING)])
    make_volunteer(
        django_user_model, commune, "Discret", skills=[accueil], slots=[SATURDAY_MORNING], accepts_contact=False
    )
    away = make_volunteer(django_user_model, commune, "Absent", skills=[accueil], slots=[SATURDAY_MORNING])
    AwayPeriod.objects.create(profile=away, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 6))
    inactive = make_volunteer(django_user_model, commune, "Inactif", skills=[accueil], slots=[SATURDAY_MORNING])
    inactive.user.is_active = False
    inactive.user.save()
    make_volunteer(django_user_model, commune, "Retenu", skills=[accueil], slots=[SATURDAY_MORNING])
    assert [c.profile.user.first_name for c in matching.rank_volunteers(mission)] == ["Retenu"]


def test_ranking_is_two_queries_whatever_the_number_of_volunteers(
    django_user_model, mission, commune, skills, django_assert_num_queries
):
    for n in range(12):
        make_volunteer(django_user_model, commune, f"V{n}", skills=[skills["accueil"]], slots=[SATURDAY_MORNING])
    # The mission's dates (its next date, for the away periods), then the volunteers.
    with django_assert_num_queries(2):
        ranked = matching.rank_volunteers(mission, limit=10)
        assert len(ranked) == 10
        assert all(c.profile.home_commune.name == "Valenciennes" for c in ranked)


def test_weekly_mission_matches_the_week(django_user_model, make_mission, commune, skills):
    weekly = make_mission(
        "Trier les dons du mardi",
        rhythm=MissionRhythm.WEEKLY,
        weekly=[(Weekday.TUESDAY, DayPart.AFTERNOON), (Weekday.THURSDAY, DayPart.AFTERNOON)],
    )
    assert weekly.slot_bits == availability_bit(Weekday.TUESDAY, DayPart.AFTERNOON) | availability_bit(
        Weekday.THURSDAY, DayPart.AFTERNOON
    )
    make_volunteer(django_user_model, commune, "Mardi", slots=[(Weekday.TUESDAY, DayPart.AFTERNOON)])
    make_volunteer(django_user_model, commune, "Lundi", slots=[(Weekday.MONDAY, DayPart.AFTERNOON)])
    [candidate] = matching.rank_volunteers(weekly)
    assert candidate.profile.user.first_name == "Mardi"
    # No skill asked: all 60 points; one of the two slots: 12.5; on the spot: 15.
    assert candidate.score.points == 88  # 87.5 rounds half to even in Python, the SQL says 87.5 too
    assert candidate.score.reason_text == "disponible le mardi après-midi, dans la même commune"


def test_missions_for_a_volunteer_ranked_with_reasons(django_user_model, make_mission, mission, commune, skills):
    profile = make_volunteer(
        django_user_model, commune, "Camille", skills=[skills["accueil"]], slots=[SATURDAY_MORNING]
    )
    make_mission("Graphiste pour l'affiche", required=[skills["graphisme"]])
    found = matching.missions_for(profile)
    assert [(o.item.title, o.score.points) for o in found] == [("Tenir l'accueil du repair café", 55)]
    assert found[0].score.reason_text == "1 compétence sur 4, disponible le samedi matin, dans la même commune"


def test_slot_phrase_names_two_then_counts():
    mask = sum(availability_bit(day, DayPart.EVENING) for day in range(5))
    assert matching.slot_phrase(mask) == "le lundi soir, le mardi soir et 3 autres créneaux"


def test_none_of_the_skills_reads_in_the_french_singular():
    points = matching.score(
        wanted_bits=0b11, skill_bits=0, slot_bits=0, availability_bits=0, distance=6.2, travel_km=10
    )
    assert points.reason_text == "0 compétence sur 2, à 6 km"
