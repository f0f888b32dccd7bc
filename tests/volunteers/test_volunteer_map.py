"""The public map of volunteering (/benevolat/carte/, volunteers/map.py): offers counted per
commune and never per person, the open missions and shifts, the filters, and the map's data.

Frozen on Monday 23 November 2026 at noon, Paris. The reference slot is Saturday 5 December
2026, 9:00-12:00: the Saturday morning.
"""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from events.models import EventKind
from territory.models import PARIS, Commune
from tests.html import visible_text
from volunteers import map as volunteer_maps
from volunteers.missions import close_mission, publish_mission, refuse_mission
from volunteers.models import (
    DayPart,
    MissionRhythm,
    MissionStatus,
    Shift,
    ShiftRole,
    ShiftSignup,
    VolunteerProfile,
    Weekday,
    availability_bit,
)
from volunteers.services import set_availability

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
SATURDAY_9 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
TUESDAY_18 = dt.datetime(2026, 12, 8, 18, 30, tzinfo=PARIS)
SATURDAY_MORNING = (Weekday.SATURDAY, DayPart.MORNING)
TUESDAY_EVENING = (Weekday.TUESDAY, DayPart.EVENING)
URL = "/benevolat/carte/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


_people = iter(range(1, 10_000))


def make_volunteer(
    django_user_model, commune, *, skills=(), slots=(), on_map=True, active=True, name=None, phone="06 11 22 33 44"
):
    n = next(_people)
    first_name = name or f"Prénom{n}"
    email = f"{first_name.lower()}.{n}@example.org"
    user = django_user_model.objects.create_user(
        email, email, "x", first_name=first_name, last_name=f"Nom{n}", is_active=active
    )
    profile = VolunteerProfile.objects.create(user=user, home_commune=commune, on_map=on_map, phone=phone)
    profile.skills.set(skills)
    profile.refresh_skill_bits()
    set_availability(profile, slots)
    return profile


@pytest.fixture
def volunteer_in(django_user_model):
    def make(commune, **kwargs):
        return make_volunteer(django_user_model, commune, **kwargs)

    return make


@pytest.fixture
def stop(make_event, other_commune):
    return make_event(
        EventKind.ITINERANT_VILLAGE, start=SATURDAY_9, hours=4, title="Village au marché d'Anzin", commune=other_commune
    )


def make_shift(event, *, role=ShiftRole.WELCOME, start=SATURDAY_9, hours=2, capacity=2, label=""):
    return Shift.objects.create(
        event=event,
        role=role,
        label=label,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        capacity=capacity,
    )


def take_places(shift, count):
    for n in range(count):
        ShiftSignup.objects.create(shift=shift, name=f"Bénévole {n}", email=f"place{n}@example.org")


def get_map(client, **params):
    return client.get(URL, params)


def map_data(response) -> list[dict]:
    match = re.search(
        r'<script id="volunteer-map-data" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert match, "the page has no map data"
    return json.loads(match.group(1))


def section_of(response, commune) -> str:
    """The visible text of one commune's section of the list."""
    html = response.content.decode()
    match = re.search(
        rf'<li class="vmap-commune card" id="commune-{commune.insee_code}">(.*?)</li>\s*(?=<li class="vmap-commune|</ul>\s*</section>)',
        html,
        re.S,
    )
    assert match, f"no section for {commune.name}"
    return visible_text(match.group(1))


# Offers: counted per commune, never a person ----------------------------------------------------


def test_volunteers_on_the_map_are_counted_per_commune(client, other_commune, volunteer_in):
    for _ in range(3):
        volunteer_in(other_commune)
    volunteer_in(other_commune, on_map=False)
    volunteer_in(other_commune, active=False)

    response = get_map(client)

    assert "3 bénévoles à Anzin" in section_of(response, other_commune)
    assert "3 bénévoles sur la carte" in visible_text(response)


def test_a_single_volunteer_is_counted_at_commune_level(client, other_commune, volunteer_in):
    volunteer_in(other_commune)

    assert "1 bénévole à Anzin" in visible_text(get_map(client))


def test_a_volunteer_who_did_not_choose_the_map_does_not_put_their_commune_on_it(client, other_commune, volunteer_in):
    volunteer_in(other_commune, on_map=False)

    response = get_map(client)

    assert 'id="commune-59014"' not in response.content.decode()
    assert 'id="volunteer-map-data"' not in response.content.decode()
    assert "Pas encore de mission ni de bénévole sur la carte." in visible_text(response)


def test_the_page_never_shows_a_volunteer_s_name_email_or_phone(client, commune, other_commune, volunteer_in, skills):
    people = [
        volunteer_in(other_commune, name="Camille", skills=[skills["accueil"]], phone="06 12 34 56 78"),
        volunteer_in(other_commune, name="Dominique", phone="07 98 76 54 32"),
        volunteer_in(other_commune, name="Sacha"),
        volunteer_in(commune, name="Lou"),
    ]

    html = get_map(client).content.decode()

    assert "4 bénévoles sur la carte" in visible_text(html)
    for profile in people:
        user = profile.user
        for private in (user.first_name, user.last_name, user.email, user.username, profile.phone):
            assert private not in html


def test_skill_counts_show_from_three_volunteers(client, other_commune, volunteer_in, skills):
    volunteer_in(other_commune, skills=[skills["accueil"], skills["animation"]])
    volunteer_in(other_commune, skills=[skills["accueil"]])
    volunteer_in(other_commune, skills=[skills["comptabilite"]])

    text = section_of(get_map(client), other_commune)

    assert "Accueil : 2 bénévoles" in text
    assert "Animation : 1 bénévole" in text
    assert "Comptabilité : 1 bénévole" in text
    assert "Graphisme" not in text


def test_skill_counts_are_hidden_below_three_volunteers(client, commune, volunteer_in, skills):
    # Two people: "1 in accounting, 1 in foreign languages" would describe each of them.
    volunteer_in(commune, skills=[skills["comptabilite"]])
    volunteer_in(commune, skills=[skills["langues-etrangeres"]])

    text = section_of(get_map(client), commune)

    assert "2 bénévoles à Valenciennes" in text
    assert "Comptabilité" not in text and "Langues" not in text
    assert "Moins de 3 bénévoles ici : leurs compétences ne sont pas détaillées" in text


def test_the_skill_threshold_applies_to_the_filtered_group(other_commune, volunteer_in, skills):
    volunteer_in(other_commune, skills=[skills["accueil"]], slots=[SATURDAY_MORNING])
    volunteer_in(other_commune, skills=[skills["accueil"]], slots=[SATURDAY_MORNING])
    volunteer_in(other_commune, skills=[skills["accueil"]], slots=[TUESDAY_EVENING])

    everyone = volunteer_maps.volunteer_map().communes[0]
    on_saturday = volunteer_maps.volunteer_map(weekday=Weekday.SATURDAY, part=DayPart.MORNING).communes[0]

    assert (everyone.volunteers, [(c.skill.slug, c.count) for c in everyone.skill_counts]) == (3, [("accueil", 3)])
    assert (on_saturday.volunteers, on_saturday.skill_counts) == (2, [])


# Demands: open missions and shifts with places ---------------------------------------------------


def test_an_open_mission_is_listed_with_its_poster_skills_dates_and_link(
    client, make_mission, organisation, organiser, skills
):
    submitted = make_mission(
        "Tenir l'accueil du repair café",
        organisation=organisation,
        required=[skills["accueil"]],
        welcome=[skills["photo-video"]],
        dates=[
            (SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=3)),
            (SATURDAY_9 + dt.timedelta(days=7), SATURDAY_9 + dt.timedelta(days=7, hours=3)),
        ],
        volunteers_needed=2,
    )
    mission = publish_mission(submitted, by=organiser)

    response = get_map(client)
    text = section_of(response, mission.commune)

    assert "Tenir l'accueil du repair café" in text
    assert "Proposée par Ressourcerie du Hainaut" in text
    assert "samedi 5 décembre 2026, 9 h 00 – 12 h 00 et 1 autre date" in text
    assert "Compétences : Accueil (indispensable), Photo" in text
    assert "2 bénévoles recherchés" in text
    assert f'href="{reverse("volunteers:mission", args=[mission.pk])}"' in response.content.decode()


def test_a_weekly_mission_says_its_rhythm(client, make_mission):
    mission = make_mission(
        "Trier les dons", rhythm=MissionRhythm.WEEKLY, weekly=[SATURDAY_MORNING], starts_on=dt.date(2026, 12, 1)
    )

    text = section_of(get_map(client), mission.commune)

    assert "Chaque semaine, le samedi matin, à partir du 1 décembre 2026" in text
    assert "Proposée par L'équipe du plan" in text


def test_submitted_refused_and_closed_missions_are_never_shown(client, make_mission, organisation, outsider, organiser):
    make_mission("Mission publiée")
    make_mission("Mission à modérer", organisation=organisation, by=outsider)
    refused = make_mission("Mission refusée", organisation=organisation, by=outsider)
    refuse_mission(refused, by=organiser, reason="Hors du champ de l'ESS.")
    closed = make_mission("Mission close")
    close_mission(closed, by=organiser)

    text = visible_text(get_map(client))

    assert "Mission publiée" in text
    for hidden in ("Mission à modérer", "Mission refusée", "Mission close"):
        assert hidden not in text
    assert refused.__class__.objects.get(pk=refused.pk).status == MissionStatus.REFUSED


def test_a_shift_with_places_left_is_listed_with_its_link(client, stop):
    shift = make_shift(stop, label="Accueil du public", capacity=3)
    take_places(shift, 1)

    response = get_map(client)
    text = section_of(response, stop.commune)

    assert "Accueil du public · Village au marché d'Anzin" in text
    assert "2 places libres" in text
    assert f'href="/benevolat/creneaux/#creneau-{shift.pk}"' in response.content.decode()


def test_a_full_shift_is_not_shown(client, stop):
    full = make_shift(stop, label="Montage complet", role=ShiftRole.SETUP, capacity=2)
    take_places(full, 2)

    text = visible_text(get_map(client))

    assert "Montage complet" not in text
    assert "0 créneaux du village à prendre" in text


# Filters --------------------------------------------------------------------------------------------


@pytest.fixture
def offers_and_demands(commune, other_commune, volunteer_in, skills, make_mission, stop):
    """Anzin: 3 volunteers (2 in accueil, free on Saturday mornings; 1 in comptabilité, on Tuesday
    evenings), a shift on Saturday morning. Valenciennes: an accueil mission on Saturday morning,
    a comptabilité mission on Tuesday evening."""
    volunteer_in(other_commune, skills=[skills["accueil"]], slots=[SATURDAY_MORNING])
    volunteer_in(other_commune, skills=[skills["accueil"]], slots=[SATURDAY_MORNING])
    volunteer_in(other_commune, skills=[skills["comptabilite"]], slots=[TUESDAY_EVENING])
    make_mission(
        "Accueil du repair café", required=[skills["accueil"]], dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=3))]
    )
    make_mission(
        "Tenir les comptes", welcome=[skills["comptabilite"]], dates=[(TUESDAY_18, TUESDAY_18 + dt.timedelta(hours=2))]
    )
    make_shift(stop, label="Accueil au stand", role=ShiftRole.WELCOME)


def test_without_filters_everything_is_shown(client, offers_and_demands, other_commune):
    response = get_map(client)
    text = visible_text(response)

    assert "3 bénévoles à Anzin" in text
    assert "Accueil du repair café" in text and "Tenir les comptes" in text and "Accueil au stand" in text


def test_the_skill_filter_narrows_offers_missions_and_shifts(client, offers_and_demands):
    text = visible_text(get_map(client, competence="comptabilite"))

    assert "1 bénévole à Anzin" in text
    assert "Tenir les comptes" in text
    # A welcome shift calls for "accueil", not for accounting.
    assert "Accueil du repair café" not in text and "Accueil au stand" not in text


def test_the_availability_filter_narrows_offers_missions_and_shifts(client, offers_and_demands):
    text = visible_text(get_map(client, jour=Weekday.SATURDAY, moment=DayPart.MORNING))

    assert "2 bénévoles à Anzin" in text
    assert "Accueil du repair café" in text and "Accueil au stand" in text
    assert "Tenir les comptes" not in text


def test_a_day_alone_covers_its_three_parts(client, offers_and_demands):
    text = visible_text(get_map(client, jour=Weekday.TUESDAY))

    assert "1 bénévole à Anzin" in text
    assert "Tenir les comptes" in text
    assert "Accueil du repair café" not in text and "Accueil au stand" not in text


def test_the_availability_mask_of_a_day_a_part_or_both():
    assert volunteer_maps.availability_mask() == 0
    assert volunteer_maps.availability_mask(Weekday.SATURDAY, DayPart.MORNING) == availability_bit(5, 0)
    assert volunteer_maps.availability_mask(Weekday.SATURDAY) == sum(availability_bit(5, part) for part in range(3))
    assert volunteer_maps.availability_mask(part=DayPart.EVENING) == sum(availability_bit(day, 2) for day in range(7))


def test_the_commune_filter_keeps_one_commune(client, offers_and_demands, commune, other_commune):
    response = get_map(client, commune=commune.insee_code)

    assert [point["name"] for point in map_data(response)] == ["Valenciennes"]
    assert "Accueil du repair café" in visible_text(response)
    assert "bénévoles à Anzin" not in visible_text(response)


def test_a_bad_filter_is_reported_and_the_others_still_apply(client, offers_and_demands):
    response = get_map(client, competence="jonglage", jour=Weekday.TUESDAY)
    text = visible_text(response)

    assert "Cette compétence n'existe pas : choisissez-en une dans la liste." in text
    assert "Les filtres en erreur sont ignorés ; les autres s'appliquent." in text
    assert "Tenir les comptes" in text and "Accueil du repair café" not in text


def test_a_filter_with_no_result_says_so(client, offers_and_demands):
    text = visible_text(get_map(client, competence="graphisme"))

    assert "Rien ne correspond à ces filtres." in text
    assert "Effacer les filtres" in text


# The map --------------------------------------------------------------------------------------------


def test_the_map_data_holds_commune_centres_and_counts_only(client, offers_and_demands):
    points = map_data(get_map(client))

    assert points == [
        {
            "name": "Anzin",
            "anchor": "commune-59014",
            "lat": 50.3754,
            "lng": 3.5111,
            "volunteers": 3,
            "missions": 0,
            "shifts": 1,
            "volunteers_text": "3 bénévoles",
            "demands_text": "1 créneau du village",
            "label": "Anzin : 3 bénévoles, 1 créneau du village",
        },
        {
            "name": "Valenciennes",
            "anchor": "commune-59606",
            "lat": 50.3579,
            "lng": 3.5233,
            "volunteers": 0,
            "missions": 2,
            "shifts": 0,
            "volunteers_text": "aucun bénévole",
            "demands_text": "2 missions",
            "label": "Valenciennes : aucun bénévole, 2 missions",
        },
    ]


def test_the_popup_anchors_exist_in_the_list(client, offers_and_demands):
    html = get_map(client).content.decode()

    for anchor in ("commune-59014-offres", "commune-59014-missions", "commune-59606-offres", "commune-59606-missions"):
        assert f'id="{anchor}"' in html


def test_the_map_is_an_enhancement_with_a_text_alternative(client, offers_and_demands):
    response = get_map(client)
    html = response.content.decode()

    assert "Carte des 2 communes" in visible_text(response)
    assert "La liste qui suit donne les mêmes informations." in visible_text(response)
    assert '<a class="vmap__skip" href="#liste">' in html and 'id="liste"' in html
    assert '<section class="vmap" aria-labelledby="map-title" hidden>' in html
    # Served by the site itself, no inline script, tiles off in tests.
    assert re.findall(r'<script src="([^"]+)"', html) == [
        "/static/vendor/leaflet/leaflet.js",
        "/static/js/village-map.js",
        "/static/js/volunteer-map.js",
    ]
    assert '<link rel="stylesheet" href="/static/css/volunteers.css">' in html
    assert 'data-tile-url=""' in html


def test_headings_follow_in_order(client, offers_and_demands):
    html = get_map(client).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    levels = [int(level) for level in re.findall(r"<h([1-6])", main)]

    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


def test_the_page_links_to_the_sign_up_and_to_missions_for_you(client):
    html = get_map(client).content.decode()

    assert f'href="{reverse("volunteers:signup")}"' in html
    assert f'href="{reverse("volunteers:missions")}"' in html
    assert "Devenir bénévole" in html and "Missions pour vous" in html


def test_an_outsider_sees_the_same_public_page(client, outsider, offers_and_demands):
    anonymous = visible_text(get_map(client))
    client.force_login(outsider)

    response = get_map(client)

    assert response.status_code == 200
    assert "3 bénévoles à Anzin" in visible_text(response)
    assert anonymous.count("Accueil du repair café") == visible_text(response).count("Accueil du repair café")


# Queries ---------------------------------------------------------------------------------------------


def test_the_page_takes_a_constant_number_of_queries(
    client, territory, volunteer_in, make_mission, make_event, skills, django_assert_num_queries
):
    def populate(first, last):
        for n in range(first, last):
            place = Commune.objects.create(
                territory=territory,
                insee_code=f"59{n:03d}",
                name=f"Commune {n}",
                postcodes="59000",
                population=1000,
                latitude=50.3 + n / 100,
                longitude=3.5,
            )
            volunteer_in(place, skills=[skills["accueil"], skills["animation"]], slots=[SATURDAY_MORNING])
            make_mission(
                f"Mission {n}",
                commune=place,
                welcome=[skills["accueil"]],
                dates=[(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=3))],
            )
            event = make_event(EventKind.ITINERANT_VILLAGE, start=SATURDAY_9, commune=place)
            make_shift(event)

    populate(0, 2)
    get_map(client)  # the first request of a site records its contact details (cms.SiteContact)
    # 11: the page's own, the site's, the territory of the site (Territory.for_request) and
    # the footer's legal pages.
    with django_assert_num_queries(11):
        response = get_map(client, competence="accueil", jour=Weekday.SATURDAY)
    assert len(map_data(response)) == 2

    populate(2, 8)
    with django_assert_num_queries(11):
        response = get_map(client, competence="accueil", jour=Weekday.SATURDAY)
    assert len(map_data(response)) == 8
