"""/espace-structure/<org>/missions/: an ESS organisation's contact posts missions (moderated) and answers applications."""

import datetime as dt

import pytest
from wagtail.models import Site

from cms.models import SiteContact
from events.models import OutgoingEmail
from territory.models import PARIS, LegalForm, Organisation
from tests.html import visible_text
from volunteers.missions import (
    apply_to_mission,
    close_mission,
    decide_application,
    propose_mission,
    publish_mission,
    refuse_mission,
)
from volunteers.models import (
    DayPart,
    MatchStatus,
    Mission,
    MissionMatch,
    MissionRhythm,
    MissionStatus,
    VolunteerProfile,
    Weekday,
    availability_bit,
)

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
SPACE = "/espace-structure/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def site_contact(db):
    """The plan's team address: where "a mission waits for moderation" goes."""
    return SiteContact.objects.create(site=Site.objects.get(is_default_site=True), email="ess@example.org")


@pytest.fixture
def contact(django_user_model, organisation):
    """Persona: the organisation's contact, with an account and no admin access."""
    user = django_user_model.objects.create_user(
        "contact-ressourcerie", "contact@ressourcerie.example.org", "secret-pass-4", first_name="Nadia"
    )
    organisation.contacts.add(user)
    return user


@pytest.fixture
def contact_client(client, contact):
    client.force_login(contact)
    return client


@pytest.fixture
def other_organisation(commune):
    return Organisation.objects.create(
        name="Épicerie solidaire", slug="epicerie", legal_form=LegalForm.ASSOCIATION, commune=commune, summary="."
    )


@pytest.fixture
def published(make_mission, organisation, organiser):
    """make(title, **fields): a published mission of the organisation (a contact's goes through moderation)."""

    def make(title="Tenir l'accueil du repair café", **fields):
        fields.setdefault("organisation", organisation)
        mission = make_mission(title, **fields)
        return publish_mission(mission, by=organiser)

    return make


@pytest.fixture
def make_volunteer(django_user_model, commune):
    def make(first_name, last_name="Durand", home_commune=None):
        email = f"{first_name.lower()}.{last_name.lower()}@example.org"
        user = django_user_model.objects.create_user(
            email, email, "secret-pass-5", first_name=first_name, last_name=last_name
        )
        VolunteerProfile.objects.create(user=user, home_commune=home_commune or commune, accepts_contact=True)
        return user

    return make


def list_url(organisation):
    return f"{SPACE}{organisation.pk}/missions/"


def create_url(organisation):
    return f"{SPACE}{organisation.pk}/missions/nouvelle/"


def edit_url(organisation, mission):
    return f"{SPACE}{organisation.pk}/missions/{mission.pk}/"


def decide_url(organisation, mission, match):
    return f"{SPACE}{organisation.pk}/missions/{mission.pk}/candidatures/{match.pk}/"


def mission_values(commune, /, **overrides):
    values = {
        "title": "  Réparer   des vélos ",
        "description": "Aider les visiteurs à réparer leur vélo, outils fournis.",
        "volunteers_needed": "3",
        "commune": commune.pk,
        "venue": "",
        "rhythm": "dates",
        "date_0": "2026-12-05",
        "start_0": "09:00",
        "end_0": "12:00",
        "starts_on": "",
        "ends_on": "",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


# Who gets in ---------------------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_the_login_page(client, organisation):
    response = client.get(list_url(organisation))

    assert response.status_code == 302
    assert response["Location"] == f"/compte/login/?next={list_url(organisation)}"


def test_a_person_who_is_not_the_organisation_s_contact_gets_a_404_everywhere(
    client, outsider, organisation, published, volunteer
):
    mission = published()
    match = apply_to_mission(mission, volunteer)
    client.force_login(outsider)

    assert client.get(list_url(organisation)).status_code == 404
    assert client.get(create_url(organisation)).status_code == 404
    assert client.post(create_url(organisation), mission_values(organisation.commune)).status_code == 404
    assert client.get(edit_url(organisation, mission)).status_code == 404
    assert client.post(decide_url(organisation, mission, match), {"decision": "accept"}).status_code == 404
    assert Mission.objects.count() == 1
    assert MissionMatch.objects.get().status == MatchStatus.PENDING


def test_another_organisation_s_id_or_mission_is_a_404(
    contact_client, organisation, other_organisation, published, commune
):
    theirs = published("Leur mission", organisation=other_organisation)

    assert contact_client.get(list_url(other_organisation)).status_code == 404
    assert contact_client.get(create_url(other_organisation)).status_code == 404
    assert contact_client.get(edit_url(other_organisation, theirs)).status_code == 404
    # Their mission through our own organisation's address.
    assert contact_client.get(edit_url(organisation, theirs)).status_code == 404
    assert contact_client.post(edit_url(organisation, theirs), mission_values(commune)).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) == ("Leur mission", MissionStatus.PUBLISHED)


# The list ------------------------------------------------------------------------------------------------------


def test_the_list_shows_only_the_organisation_s_missions(contact_client, organisation, other_organisation, published):
    published("Tenir le stand du marché")
    published("Leur mission à eux", organisation=other_organisation)

    response = contact_client.get(list_url(organisation))

    text = visible_text(response)
    assert "Missions bénévoles de Ressourcerie du Hainaut" in text
    assert "Tenir le stand du marché" in text
    assert "Leur mission à eux" not in text
    assert "Proposer une mission" in text


def test_each_mission_shows_its_status_and_places(contact_client, organisation, published, make_mission, organiser):
    published("Mission publiée", volunteers_needed=2)
    make_mission("Mission à relire", organisation=organisation)
    refused = make_mission("Mission refusée", organisation=organisation)
    refuse_mission(refused, by=organiser, reason="Précisez les horaires.")

    text = visible_text(contact_client.get(list_url(organisation)))

    assert "Mission publiée Publiée" in text
    assert "Bénévoles acceptés / recherchés 0 / 2" in text
    assert "Mission à relire À modérer" in text
    assert "Mission refusée Refusée Motif du refus : Précisez les horaires." in text


def test_pending_applications_show_who_where_why_and_their_message(
    contact_client, organisation, published, make_volunteer, other_commune
):
    mission = published()
    alice = make_volunteer("Alice", home_commune=other_commune)
    apply_to_mission(mission, alice, message="J'ai tenu un repair café à Lille.")

    response = contact_client.get(list_url(organisation))

    text = visible_text(response)
    assert "Candidatures à examiner Alice Durand · Anzin" in text
    assert "J'ai tenu un repair café à Lille." in text
    assert "Accepter la candidature de Alice Durand" in text
    assert "Décliner la candidature de Alice Durand" in text


def test_proposals_of_the_organisers_are_shown_with_their_status(
    contact_client, organisation, published, make_volunteer, organiser
):
    mission = published()
    propose_mission(mission, make_volunteer("Bruno"), by=organiser)

    text = visible_text(contact_client.get(list_url(organisation)))

    assert "Bénévoles en relation Bruno Durand · Valenciennes · Proposée par l'équipe · En attente de réponse" in text
    assert "Aucune candidature en attente." in text


# Session, user, organisation, missions, their dates, their matches with the people; then the
# page's frame (site, site contact, the footer's legal pages, the user's two permission lookups).
QUERIES = 11


def test_the_list_costs_the_same_queries_with_more_missions(
    contact_client, organisation, published, make_volunteer, django_assert_num_queries
):
    def add_missions(count, start):
        for index in range(start, start + count):
            mission = published(f"Mission {index}")
            apply_to_mission(mission, make_volunteer(f"Personne{index}"), message="Disponible.")

    add_missions(2, 0)
    contact_client.get(list_url(organisation))  # the site's footer settings are created on first use
    with django_assert_num_queries(QUERIES):
        contact_client.get(list_url(organisation))

    add_missions(4, 2)
    with django_assert_num_queries(QUERIES):
        response = contact_client.get(list_url(organisation))
    assert "Personne5 Durand" in visible_text(response)


# Posting a mission ---------------------------------------------------------------------------------------------


def test_posting_a_mission_with_dates_sends_it_to_moderation(
    contact_client, contact, organisation, commune, venue, skills, site_contact
):
    response = contact_client.post(
        create_url(organisation),
        mission_values(
            commune,
            venue=venue.pk,
            date_1="2026-12-12",
            start_1="14:00",
            end_1="18:30",
            required_skills=[skills["montage-logistique"].pk],
            welcome_skills=[skills["accueil"].pk, skills["montage-logistique"].pk],
        ),
        follow=True,
    )

    mission = Mission.objects.get()
    assert (mission.status, mission.organisation, mission.submitted_by) == (
        MissionStatus.SUBMITTED,
        organisation,
        contact,
    )
    assert (mission.title, mission.venue, mission.volunteers_needed) == ("Réparer des vélos", venue, 3)
    assert [(d.starts_at, d.ends_at) for d in mission.dates.all()] == [
        (dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS), dt.datetime(2026, 12, 5, 12, 0, tzinfo=PARIS)),
        (dt.datetime(2026, 12, 12, 14, 0, tzinfo=PARIS), dt.datetime(2026, 12, 12, 18, 30, tzinfo=PARIS)),
    ]
    # Two Saturdays: the morning of the 5th, the afternoon and evening of the 12th.
    assert mission.slot_bits == (
        availability_bit(Weekday.SATURDAY, DayPart.MORNING)
        | availability_bit(Weekday.SATURDAY, DayPart.AFTERNOON)
        | availability_bit(Weekday.SATURDAY, DayPart.EVENING)
    )
    assert (mission.starts_on, mission.ends_on) == (dt.date(2026, 12, 5), dt.date(2026, 12, 12))
    # Ticked in both lists, a skill is indispensable only.
    assert mission.required_bits == skills["montage-logistique"].mask
    assert mission.welcome_bits == skills["accueil"].mask
    assert OutgoingEmail.objects.filter(kind="mission_submitted", to="ess@example.org").count() == 1
    text = visible_text(response)
    assert "La mission « Réparer des vélos » est envoyée aux organisateurs" in text
    assert "Réparer des vélos À modérer" in text


def test_posting_a_weekly_mission(contact_client, organisation, commune, site_contact):
    contact_client.post(
        create_url(organisation),
        mission_values(
            commune,
            rhythm="weekly",
            date_0="",
            start_0="",
            end_0="",
            slot_2_1="on",  # mercredi après-midi
            slot_5_0="on",  # samedi matin
            starts_on="2027-01-06",
            ends_on="2027-06-30",
        ),
    )

    mission = Mission.objects.get()
    expected = availability_bit(Weekday.WEDNESDAY, DayPart.AFTERNOON) | availability_bit(
        Weekday.SATURDAY, DayPart.MORNING
    )
    assert (mission.status, mission.rhythm) == (MissionStatus.SUBMITTED, MissionRhythm.WEEKLY)
    assert (mission.weekly_bits, mission.slot_bits) == (expected, expected)
    assert (mission.starts_on, mission.ends_on) == (dt.date(2027, 1, 6), dt.date(2027, 6, 30))
    assert not mission.dates.exists()
    assert OutgoingEmail.objects.filter(kind="mission_submitted").count() == 1


def test_the_form_offers_the_territory_s_communes_and_the_week(contact_client, organisation, commune, other_commune):
    response = contact_client.get(create_url(organisation))

    text = visible_text(response)
    assert "Anzin" in text and "Valenciennes" in text
    assert "samedi matin" in text
    assert "Date 5" in text
    assert response.context["form"]["commune"].value() == commune.pk


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date_0": "", "start_0": "", "end_0": ""}, "Indiquez au moins une date."),
        ({"start_0": "14:00", "end_0": "12:00"}, "Chaque date doit finir après son début."),
        ({"date_0": "2026-11-20"}, "Les dates doivent être à venir."),
        ({"end_0": ""}, "Indiquez le jour, l'heure de début et l'heure de fin de cette date."),
        ({"date_0": "pas une date"}, "Date non valide, par exemple : 05/12/2026."),
        ({"rhythm": "weekly"}, "Cochez au moins un moment de la semaine."),
        (
            {"rhythm": "weekly", "slot_5_0": "on", "starts_on": "2027-03-01", "ends_on": "2027-01-01"},
            "La fin doit venir après le début.",
        ),
        ({"volunteers_needed": "0"}, "Indiquez entre 1 et 200 bénévoles."),
        ({"volunteers_needed": "500"}, "Indiquez entre 1 et 200 bénévoles."),
        ({"title": "   "}, "Donnez un intitulé à la mission."),
        ({"description": ""}, "Décrivez la mission : les bénévoles choisissent d'après elle."),
        ({"commune": ""}, "Choisissez la commune où se déroule la mission."),
    ],
)
def test_bad_input_is_refused_with_a_french_message_and_nothing_stored(
    contact_client, organisation, commune, site_contact, overrides, message
):
    response = contact_client.post(create_url(organisation), mission_values(commune, **overrides))

    assert response.status_code == 200
    text = visible_text(response)
    assert "La mission n'a pas été enregistrée" in text
    assert message in text
    assert not Mission.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_venue_of_another_commune_is_refused(contact_client, organisation, other_commune, venue):
    response = contact_client.post(create_url(organisation), mission_values(other_commune, venue=venue.pk))

    assert "Ce lieu est à Valenciennes, pas à Anzin" in visible_text(response)
    assert not Mission.objects.exists()


# Editing -------------------------------------------------------------------------------------------------------


def test_editing_a_published_mission_warns_then_sends_it_back_to_moderation(
    contact_client, organisation, published, commune, site_contact
):
    mission = published("Tenir l'accueil")

    page = visible_text(contact_client.get(edit_url(organisation, mission)))
    assert "Si vous l'enregistrez, elle repasse en modération" in page
    assert "Tenir l'accueil" in page

    contact_client.post(edit_url(organisation, mission), mission_values(commune, title="Tenir l'accueil du samedi"))

    mission.refresh_from_db()
    assert (mission.title, mission.status, mission.moderated_by) == (
        "Tenir l'accueil du samedi",
        MissionStatus.SUBMITTED,
        None,
    )
    assert OutgoingEmail.objects.filter(kind="mission_submitted").count() == 1


def test_the_edit_form_holds_the_mission_as_saved(contact_client, organisation, published, skills):
    start = dt.datetime(2026, 12, 19, 14, 30, tzinfo=PARIS)
    mission = published(dates=[(start, start + dt.timedelta(hours=2))], required=[skills["accueil"]])

    form = contact_client.get(edit_url(organisation, mission)).context["form"]

    assert form["title"].value() == mission.title
    assert (form["date_0"].value(), form["start_0"].value(), form["end_0"].value()) == (
        dt.date(2026, 12, 19),
        dt.time(14, 30),
        dt.time(16, 30),
    )
    assert form["required_skills"].value() == [skills["accueil"].pk]


def test_a_refused_edit_leaves_the_mission_as_it_was(contact_client, organisation, published, commune):
    mission = published("Tenir l'accueil")

    response = contact_client.post(
        edit_url(organisation, mission), mission_values(commune, title="Autre", date_0="2026-11-01")
    )

    assert "Les dates doivent être à venir." in visible_text(response)
    mission.refresh_from_db()
    assert (mission.title, mission.status) == ("Tenir l'accueil", MissionStatus.PUBLISHED)


def test_a_closed_mission_cannot_be_edited(contact_client, organisation, published, commune, organiser):
    mission = close_mission(published("Tenir l'accueil"), by=organiser)

    response = contact_client.post(edit_url(organisation, mission), mission_values(commune, title="Autre"), follow=True)

    assert "La mission « Tenir l'accueil » est close : elle ne peut plus être modifiée." in visible_text(response)
    mission.refresh_from_db()
    assert (mission.title, mission.status) == ("Tenir l'accueil", MissionStatus.CLOSED)


# Answering applications ------------------------------------------------------------------------------------------


def test_accepting_an_application_tells_the_volunteer(contact_client, contact, organisation, published, volunteer):
    mission = published()
    match = apply_to_mission(mission, volunteer)

    response = contact_client.post(decide_url(organisation, mission, match), {"decision": "accept"}, follow=True)

    match.refresh_from_db()
    assert (match.status, match.decided_by) == (MatchStatus.ACCEPTED, contact)
    assert OutgoingEmail.objects.filter(kind="match_accepted", to=volunteer.email).count() == 1
    text = visible_text(response)
    assert "Vous avez accepté la candidature de Camille Martin" in text
    assert "Bénévoles acceptés / recherchés 1 / 1" in text
    assert "Camille Martin · Valenciennes · Candidature · Acceptée" in text


def test_declining_an_application_tells_the_volunteer(contact_client, organisation, published, volunteer):
    mission = published()
    match = apply_to_mission(mission, volunteer)

    response = contact_client.post(decide_url(organisation, mission, match), {"decision": "decline"}, follow=True)

    match.refresh_from_db()
    assert match.status == MatchStatus.DECLINED
    assert OutgoingEmail.objects.filter(kind="match_declined", to=volunteer.email).count() == 1
    assert "Vous avez décliné la candidature de Camille Martin" in visible_text(response)


def test_someone_else_s_match_is_a_404(
    contact_client, organisation, other_organisation, published, volunteer, make_volunteer
):
    mine = published("La nôtre")
    theirs = published("La leur", organisation=other_organisation)
    their_match = apply_to_mission(theirs, volunteer)
    apply_to_mission(mine, make_volunteer("Alice"))

    # Their match under our mission, and their mission under our organisation.
    assert contact_client.post(decide_url(organisation, mine, their_match), {"decision": "accept"}).status_code == 404
    assert contact_client.post(decide_url(organisation, theirs, their_match), {"decision": "accept"}).status_code == 404
    their_match.refresh_from_db()
    assert their_match.status == MatchStatus.PENDING


def test_accepting_when_the_mission_is_full_says_so(
    contact_client, contact, organisation, published, volunteer, make_volunteer
):
    mission = published(volunteers_needed=1)
    first = apply_to_mission(mission, make_volunteer("Alice"))
    second = apply_to_mission(mission, volunteer)
    decide_application(first, accept=True, by=contact)

    response = contact_client.post(decide_url(organisation, mission, second), {"decision": "accept"}, follow=True)

    assert "Cette mission a déjà trouvé ses 1 bénévoles." in visible_text(response)
    second.refresh_from_db()
    assert second.status == MatchStatus.PENDING


def test_deciding_needs_a_post(contact_client, organisation, published, volunteer):
    mission = published()
    match = apply_to_mission(mission, volunteer)

    assert contact_client.get(decide_url(organisation, mission, match)).status_code == 405
    match.refresh_from_db()
    assert match.status == MatchStatus.PENDING


# The space -------------------------------------------------------------------------------------------------------


def test_the_space_links_to_the_organisation_s_missions(contact_client, organisation):
    response = contact_client.get(SPACE)

    text = visible_text(response)
    assert "Missions bénévoles de Ressourcerie du Hainaut" in text
    assert f'href="{list_url(organisation)}"' in response.content.decode()


def test_mission_counts_for_the_space_in_one_query(
    organisation, other_organisation, published, make_mission, volunteer, make_volunteer, django_assert_num_queries
):
    from volunteers.views.organisation_missions import mission_counts

    mission = published()
    apply_to_mission(mission, volunteer)
    apply_to_mission(mission, make_volunteer("Alice"))
    make_mission("À relire", organisation=organisation)
    make_mission("À relire aussi", organisation=organisation)
    published("Sans candidature", organisation=other_organisation)

    with django_assert_num_queries(1):
        counts = mission_counts([organisation, other_organisation])

    assert (counts[organisation.pk]["to_moderate"], counts[organisation.pk]["pending_applications"]) == (2, 2)
    assert (counts[other_organisation.pk]["to_moderate"], counts[other_organisation.pk]["pending_applications"]) == (
        0,
        0,
    )


def test_the_hours_typed_are_paris_time_on_both_sides_of_the_change_to_summer_time(
    contact_client, organisation, commune, site_contact
):
    contact_client.post(
        create_url(organisation),
        mission_values(commune, date_0="2027-03-27", date_1="2027-03-28", start_1="09:00", end_1="12:00"),
    )

    starts = [date.starts_at for date in Mission.objects.get().dates.all()]
    assert [start.astimezone(dt.UTC).hour for start in starts] == [8, 7]
    assert [start.astimezone(PARIS).hour for start in starts] == [9, 9]
