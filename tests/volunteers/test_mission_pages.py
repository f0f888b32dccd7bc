"""The volunteer's mission pages (volunteers/views/missions.py): what suits them, applying,
their matches, and the proposal email's answer link.

The reference mission is the Ressourcerie's, in Anzin, on Saturday 5 December 2026,
9:00-12:00; Camille lives in Valenciennes, 2 km away, offers accueil, animation and
communication and is free on Saturday mornings: "3 compétences sur 4, disponible le
samedi matin, à 2 km", 84 points (hand-checked in test_matching.py).
"""

import datetime as dt

import pytest
from django.core.cache import cache

from events.models import EventKind, OutgoingEmail
from territory.models import PARIS
from tests.html import visible_text
from volunteers import missions as service
from volunteers.models import (
    Attendance,
    DayPart,
    MatchKind,
    MatchStatus,
    MissionMatch,
    MissionRhythm,
    MissionStatus,
    Shift,
    ShiftRole,
    ShiftSignup,
    VolunteerProfile,
    Weekday,
)
from volunteers.services import set_availability

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
SATURDAY_9 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
STOP = dt.datetime(2026, 12, 5, 8, 0, tzinfo=PARIS)

MISSIONS = "/benevolat/missions/"
MINE = "/benevolat/mes-missions/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # The clock is frozen: a rate-limit window left by another test would never expire.
    cache.clear()


@pytest.fixture
def poster(django_user_model, organisation):
    user = django_user_model.objects.create_user("ressourcerie", "contact@ressourcerie.example", "secret-pass-9")
    organisation.contacts.add(user)
    return user


@pytest.fixture
def profile(volunteer, skills):
    profile = volunteer.volunteer_profile
    profile.skills.set([skills["accueil"], skills["animation"], skills["communication"]])
    profile.refresh_skill_bits()
    set_availability(profile, [(Weekday.SATURDAY, DayPart.MORNING)])
    return profile


@pytest.fixture
def org_mission(make_mission, organisation, other_commune, organiser, skills, poster):
    """make_org_mission(title, **fields): the Ressourcerie's mission in Anzin, published."""

    def make(title="Trier les dons de la ressourcerie", **fields):
        fields.setdefault("required", [skills["accueil"]])
        fields.setdefault("welcome", [skills["animation"], skills["communication"], skills["photo-video"]])
        fields.setdefault("dates", [(SATURDAY_9, SATURDAY_9 + dt.timedelta(hours=3))])
        mission = make_mission(title, organisation=organisation, commune=other_commune, **fields)
        return service.publish_mission(mission, by=organiser)

    return make


@pytest.fixture
def mission(org_mission):
    return org_mission(volunteers_needed=3)


def other_volunteer(django_user_model, commune, name):
    user = django_user_model.objects.create_user(f"{name}@example.org", f"{name}@example.org", "x", first_name=name)
    VolunteerProfile.objects.create(user=user, home_commune=commune, accepts_contact=True)
    return user


def accepted_application(mission, user, by):
    return service.decide_application(service.apply_to_mission(mission, user), accept=True, by=by)


# Missions for the volunteer ------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_the_login_page(client):
    response = client.get(MISSIONS)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/?next=/benevolat/missions/")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "missions/{mission}/"),
        ("post", "missions/{mission}/candidater/"),
        ("get", "mes-missions/"),
        ("post", "mes-missions/{match}/repondre/"),
        ("post", "mes-missions/{match}/retirer/"),
    ],
)
def test_the_volunteer_s_pages_need_a_login(client, volunteer, profile, mission, method, path):
    match = service.apply_to_mission(mission, volunteer)

    response = getattr(client, method)("/benevolat/" + path.format(mission=mission.pk, match=match.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")
    match.refresh_from_db()
    assert match.status == MatchStatus.PENDING
    assert MissionMatch.objects.count() == 1


def test_a_person_without_a_volunteer_profile_is_told_so(client, outsider):
    client.force_login(outsider)
    text = visible_text(client.get(MISSIONS))
    assert "Votre compte n'a pas encore de profil de bénévole." in text
    assert "Devenir bénévole" in text


def test_the_volunteer_sees_the_missions_for_them_with_score_and_reasons(volunteer_client, profile, mission):
    response = volunteer_client.get(MISSIONS)

    text = visible_text(response)
    assert "Trier les dons de la ressourcerie" in text
    assert "Publiée par Ressourcerie du Hainaut · Anzin" in text
    assert "samedi 5 décembre 2026, 9 h 00 – 12 h 00" in text
    assert "Correspondance : 84 sur 100 — 3 compétences sur 4, disponible le samedi matin, à 2 km" in text
    assert "3 bénévoles recherché·es" in text
    assert f'href="/benevolat/missions/{mission.pk}/"' in response.content.decode()


def test_a_weekly_mission_says_its_rhythm(volunteer_client, profile, org_mission):
    org_mission(
        "Tenir la boutique solidaire",
        rhythm=MissionRhythm.WEEKLY,
        weekly=[(Weekday.SATURDAY, DayPart.MORNING), (Weekday.WEDNESDAY, DayPart.AFTERNOON)],
        dates=(),
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2027, 3, 31),
    )

    text = visible_text(volunteer_client.get(MISSIONS))

    assert "Chaque semaine : le mercredi après-midi et le samedi matin, du 1 décembre 2026 au 31 mars 2027" in text


def test_the_open_shifts_that_suit_the_volunteer_link_to_the_shifts_page(volunteer_client, profile, make_event):
    stop = make_event(EventKind.ITINERANT_VILLAGE, start=STOP, hours=5, title="Village au marché")
    shift = Shift.objects.create(
        event=stop, role=ShiftRole.WELCOME, starts_at=SATURDAY_9, ends_at=SATURDAY_9 + dt.timedelta(hours=2)
    )

    response = volunteer_client.get(MISSIONS)

    text = visible_text(response)
    assert "Accueil · Village au marché" in text
    assert "Correspondance : 100 sur 100 — 1 compétence sur 1, disponible le samedi matin, dans la même commune" in text
    assert "2 places libres" in text
    assert f'href="/benevolat/creneaux/#creneau-{shift.pk}"' in response.content.decode()


def test_a_mission_the_volunteer_already_applied_to_says_so(volunteer_client, volunteer, profile, mission):
    service.apply_to_mission(mission, volunteer)

    assert "Vous êtes déjà en lien avec cette mission." in visible_text(volunteer_client.get(MISSIONS))


def test_nothing_suits_an_empty_profile_and_the_page_says_why(volunteer_client, volunteer, mission):
    response = volunteer_client.get(MISSIONS)

    text = visible_text(response)
    assert "Rien ne correspond à votre profil pour l'instant" in text
    assert "Vous n'avez coché aucune compétence" in text
    assert "Vous n'avez pas indiqué vos disponibilités de la semaine." in text
    assert "Vous acceptez de vous déplacer jusqu'à 10 km" in text
    assert "Trier les dons" not in text
    assert 'href="/benevolat/profil/"' in response.content.decode()


def test_a_complete_profile_with_nothing_near_is_told_to_come_back(volunteer_client, profile):
    VolunteerProfile.objects.filter(pk=profile.pk).update(travel_km=30)

    text = visible_text(volunteer_client.get(MISSIONS))

    assert "Aucune mission ouverte ne correspond à vos compétences" in text
    assert "Vous n'avez coché aucune compétence" not in text


@pytest.mark.parametrize("count", [2, 6])
def test_the_list_costs_the_same_queries_whatever_the_number_of_missions(
    volunteer_client, volunteer, profile, org_mission, django_user_model, commune, count, django_assert_num_queries
):
    for n in range(count):
        mission = org_mission(f"Mission n° {n}", volunteers_needed=2)
        accepted_application(mission, other_volunteer(django_user_model, commune, f"v{n}"), by=None)
        if n % 2:
            service.apply_to_mission(mission, volunteer)
    volunteer_client.get(MISSIONS)  # the site's settings rows, created on the first page
    # 15 with the footer's legal pages (cms.LegalPages).
    with django_assert_num_queries(15):
        response = volunteer_client.get(MISSIONS)

    assert len(response.context["missions"]) == count


# One mission ------------------------------------------------------------------------------------------------


def test_the_mission_page_shows_what_the_volunteer_needs_to_decide(
    volunteer_client, profile, mission, django_user_model, commune
):
    accepted_application(mission, other_volunteer(django_user_model, commune, "dominique"), by=None)

    text = visible_text(volunteer_client.get(f"{MISSIONS}{mission.pk}/"))

    assert "Mission publiée par Ressourcerie du Hainaut" in text
    assert "Accueillir les visiteurs et noter les objets à réparer." in text
    assert "samedi 5 décembre 2026, 9 h 00 – 12 h 00" in text
    assert "Anzin" in text
    assert "3 bénévoles recherché·es : encore 2 places" in text
    assert "Accueil (indispensable) — vous l'avez" in text
    assert "Photo / vidéo (bienvenue)" in text
    assert "Correspondance : 84 sur 100 — 3 compétences sur 4, disponible le samedi matin, à 2 km" in text
    assert "Je suis intéressé·e" in text


def test_a_mission_not_published_is_a_404(volunteer_client, profile, make_mission, organisation):
    submitted = make_mission(organisation=organisation)
    assert submitted.status == MissionStatus.SUBMITTED

    assert volunteer_client.get(f"{MISSIONS}{submitted.pk}/").status_code == 404


def test_a_person_without_a_profile_sees_no_mission(client, outsider, mission):
    client.force_login(outsider)
    assert "Votre compte n'a pas encore de profil de bénévole." in visible_text(client.get(f"{MISSIONS}{mission.pk}/"))


def test_the_mission_page_shows_the_volunteer_s_application_instead_of_the_form(
    volunteer_client, volunteer, profile, mission
):
    service.apply_to_mission(mission, volunteer)

    text = visible_text(volunteer_client.get(f"{MISSIONS}{mission.pk}/"))

    assert "Candidature envoyée : Ressourcerie du Hainaut va vous répondre." in text
    assert "Retirer ma candidature" in text
    assert "Je suis intéressé·e" not in text


def test_a_full_mission_shows_no_form(volunteer_client, profile, org_mission, django_user_model, commune):
    full = org_mission(volunteers_needed=1)
    accepted_application(full, other_volunteer(django_user_model, commune, "dominique"), by=None)

    text = visible_text(volunteer_client.get(f"{MISSIONS}{full.pk}/"))

    assert "Cette mission a trouvé tous ses bénévoles." in text
    assert "Je suis intéressé·e" not in text


# Applying ---------------------------------------------------------------------------------------------------


def test_the_volunteer_applies_and_the_structure_is_emailed(volunteer_client, volunteer, profile, mission):
    response = volunteer_client.post(
        f"{MISSIONS}{mission.pk}/candidater/", {"message": "Je connais bien le tri."}, follow=True
    )

    assert response.redirect_chain == [(MINE, 302)]
    assert (
        "Votre candidature à « Trier les dons de la ressourcerie » est envoyée. "
        "Ressourcerie du Hainaut vous répondra par courriel." in visible_text(response)
    )
    match = MissionMatch.objects.get()
    assert (match.mission, match.user, match.kind, match.status) == (
        mission,
        volunteer,
        MatchKind.APPLICATION,
        MatchStatus.PENDING,
    )
    assert match.message == "Je connais bien le tri."
    assert match.reasons == "3 compétences sur 4, disponible le samedi matin, à 2 km"
    assert list(OutgoingEmail.objects.filter(kind="match_applied").values_list("to", flat=True)) == [
        "contact@ressourcerie.example"
    ]


def test_applying_to_a_full_mission_is_refused_on_the_mission_page(
    volunteer_client, profile, org_mission, django_user_model, commune
):
    full = org_mission(volunteers_needed=1)
    accepted_application(full, other_volunteer(django_user_model, commune, "dominique"), by=None)
    emails = OutgoingEmail.objects.count()

    response = volunteer_client.post(f"{MISSIONS}{full.pk}/candidater/", {"message": ""})

    assert "Cette mission a déjà trouvé ses 1 bénévoles." in visible_text(response)
    assert not MissionMatch.objects.filter(user__email="camille@example.org").exists()
    assert OutgoingEmail.objects.count() == emails


def test_applying_twice_is_refused(volunteer_client, volunteer, profile, mission):
    service.apply_to_mission(mission, volunteer)

    response = volunteer_client.post(f"{MISSIONS}{mission.pk}/candidater/", {"message": ""})

    assert "Cette personne est déjà en relation avec cette mission." in visible_text(response)
    assert MissionMatch.objects.count() == 1
    assert OutgoingEmail.objects.filter(kind="match_applied").count() == 1


def test_a_too_long_message_is_refused_next_to_the_field(volunteer_client, profile, mission):
    response = volunteer_client.post(f"{MISSIONS}{mission.pk}/candidater/", {"message": "x" * 2001})

    text = visible_text(response)
    assert "Le formulaire contient une erreur." in text
    assert "Votre message est trop long : 2 000 caractères au plus." in text
    assert not MissionMatch.objects.exists()
    assert not OutgoingEmail.objects.filter(kind="match_applied").exists()


def test_applying_to_a_mission_not_published_is_a_404(volunteer_client, profile, make_mission, organisation):
    submitted = make_mission(organisation=organisation)

    assert volunteer_client.post(f"{MISSIONS}{submitted.pk}/candidater/").status_code == 404
    assert not MissionMatch.objects.exists()


def test_applying_is_a_post(volunteer_client, profile, mission):
    assert volunteer_client.get(f"{MISSIONS}{mission.pk}/candidater/").status_code == 405


# The volunteer's matches ----------------------------------------------------------------------------------


@pytest.fixture
def stop(make_event):
    return make_event(EventKind.ITINERANT_VILLAGE, start=STOP, hours=5, title="Village au marché")


def test_my_missions_sorts_proposals_applications_accepted_and_past(
    volunteer_client, volunteer, profile, org_mission, organiser, poster
):
    VolunteerProfile.objects.filter(pk=profile.pk).update(accepts_contact=True)
    proposed = org_mission("Réparer des vélos")
    service.propose_mission(proposed, volunteer, by=organiser, message="Vous seriez parfait·e !")
    service.apply_to_mission(org_mission("Tenir la caisse"), volunteer)
    accepted_application(org_mission("Animer un atelier"), volunteer, by=poster)
    declined = service.apply_to_mission(org_mission("Trier les livres"), volunteer)
    service.decide_application(declined, accept=False, by=poster)

    text = visible_text(volunteer_client.get(MINE))

    proposals, rest = text.split("Propositions à répondre", 1)[1].split("Mes missions en cours", 1)
    assert (
        "Réparer des vélos" in proposals and "On vous propose cette mission : elle attend votre réponse." in proposals
    )
    assert "Vous seriez parfait·e !" in proposals
    assert "J'accepte la mission « Réparer des vélos »" in proposals
    ongoing, rest = rest.split("Mes candidatures en attente", 1)
    assert "Animer un atelier" in ongoing and "Acceptée : vous faites partie de la mission." in ongoing
    pending, rest = rest.split("Mes créneaux", 1)
    assert "Tenir la caisse" in pending and "Retirer ma candidature à « Tenir la caisse »" in pending
    past = rest.split("Passées, déclinées ou retirées", 1)[1]
    assert "Trier les livres" in past and "Candidature non retenue." in past


def test_my_missions_counts_the_hours_served(volunteer_client, volunteer, profile, stop, time_machine):
    morning = Shift.objects.create(
        event=stop, role=ShiftRole.SETUP, starts_at=STOP - dt.timedelta(hours=1), ends_at=STOP + dt.timedelta(hours=1)
    )
    noon = Shift.objects.create(
        event=stop,
        role=ShiftRole.WELCOME,
        starts_at=STOP + dt.timedelta(hours=1),
        ends_at=STOP + dt.timedelta(hours=2, minutes=30),
    )
    later = Shift.objects.create(
        event=stop,
        role=ShiftRole.TEARDOWN,
        starts_at=STOP + dt.timedelta(hours=5),
        ends_at=STOP + dt.timedelta(hours=6),
    )
    for shift in (morning, noon, later):
        ShiftSignup.objects.create(shift=shift, user=volunteer, name="Camille Martin", email=volunteer.email)
    ShiftSignup.objects.filter(shift__in=[morning, noon]).update(attendance=Attendance.PRESENT)
    time_machine.move_to(STOP + dt.timedelta(hours=3), tick=False)

    text = visible_text(volunteer_client.get(MINE))

    assert "Vous avez donné 3,5 h de bénévolat. Merci !" in text
    assert "Démontage · Village au marché" in text.split("Mes créneaux", 1)[1].split("Passées", 1)[0]
    assert "Montage · Village au marché, samedi 5 décembre 2026, 7 h 00 – 9 h 00 : présent·e, 2 h" in text
    assert "Accueil · Village au marché, samedi 5 décembre 2026, 9 h 00 – 10 h 30 : présent·e, 1,5 h" in text


def test_a_mission_over_says_so_among_the_past_ones(
    volunteer_client, volunteer, profile, org_mission, poster, time_machine
):
    accepted_application(org_mission("Animer un atelier"), volunteer, by=poster)
    time_machine.move_to(SATURDAY_9 + dt.timedelta(days=1), tick=False)

    text = visible_text(volunteer_client.get(MINE))

    past = text.split("Passées, déclinées ou retirées", 1)[1]
    assert "Animer un atelier" in past and "Mission terminée : merci pour votre aide !" in past


def test_a_person_without_a_profile_has_no_missions_page(client, outsider):
    client.force_login(outsider)
    assert "Votre compte n'a pas encore de profil de bénévole." in visible_text(client.get(MINE))


@pytest.fixture
def proposal(volunteer, profile, mission, organiser):
    VolunteerProfile.objects.filter(pk=profile.pk).update(accepts_contact=True)
    return service.propose_mission(mission, volunteer, by=organiser)


def test_the_volunteer_accepts_a_proposal_from_their_page(volunteer_client, proposal):
    response = volunteer_client.post(f"{MINE}{proposal.pk}/repondre/", {"reponse": "oui"}, follow=True)

    assert (
        "Merci ! Vous avez accepté la mission « Trier les dons de la ressourcerie » : "
        "Ressourcerie du Hainaut est prévenu·e." in visible_text(response)
    )
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.ACCEPTED
    assert OutgoingEmail.objects.filter(kind="match_accepted", to="contact@ressourcerie.example").exists()


def test_the_volunteer_declines_a_proposal_from_their_page(volunteer_client, proposal):
    response = volunteer_client.post(f"{MINE}{proposal.pk}/repondre/", {"reponse": "non"}, follow=True)

    assert "C'est noté : vous avez décliné la mission « Trier les dons de la ressourcerie »." in visible_text(response)
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.DECLINED


def test_answering_twice_is_refused(volunteer_client, proposal):
    volunteer_client.post(f"{MINE}{proposal.pk}/repondre/", {"reponse": "oui"})

    response = volunteer_client.post(f"{MINE}{proposal.pk}/repondre/", {"reponse": "non"}, follow=True)

    assert "Cette mise en relation a déjà reçu une réponse : acceptée." in visible_text(response)
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.ACCEPTED


def test_an_answer_that_is_neither_yes_nor_no_changes_nothing(volunteer_client, proposal):
    response = volunteer_client.post(f"{MINE}{proposal.pk}/repondre/", {"reponse": "peut-être"}, follow=True)

    assert "Choisissez « oui » ou « non »." in visible_text(response)
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PENDING


def test_someone_else_s_proposal_is_a_404(client, proposal, django_user_model, commune):
    client.force_login(other_volunteer(django_user_model, commune, "dominique"))

    assert client.post(f"{MINE}{proposal.pk}/repondre/", {"reponse": "oui"}).status_code == 404
    assert client.post(f"{MINE}{proposal.pk}/retirer/").status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PENDING


def test_the_volunteer_withdraws_an_application(volunteer_client, volunteer, profile, mission):
    match = service.apply_to_mission(mission, volunteer)

    response = volunteer_client.post(f"{MINE}{match.pk}/retirer/", follow=True)

    assert "Vous vous êtes retiré·e de la mission « Trier les dons de la ressourcerie »." in visible_text(response)
    match.refresh_from_db()
    assert match.status == MatchStatus.WITHDRAWN


def test_withdrawing_twice_is_refused(volunteer_client, volunteer, profile, mission):
    match = service.apply_to_mission(mission, volunteer)
    volunteer_client.post(f"{MINE}{match.pk}/retirer/")

    response = volunteer_client.post(f"{MINE}{match.pk}/retirer/", follow=True)

    assert "Cette mise en relation n'est plus active." in visible_text(response)


# The proposal email's link -----------------------------------------------------------------------------------


def test_the_answer_link_shows_the_question_and_changes_nothing(client, proposal):
    response = client.get(service.answer_path(proposal) + "?reponse=oui")

    text = visible_text(response)
    assert "Trier les dons de la ressourcerie" in text
    assert "Cette mission de Ressourcerie du Hainaut vous est proposée." in text
    assert "Acceptez-vous cette mission ?" in text
    assert "Vous avez choisi « oui » dans le courriel : confirmez ci-dessous." in text
    assert "Oui, j'accepte" in text and "Non, merci" in text
    assert response["Cache-Control"] == "private, no-store"
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PENDING
    assert not OutgoingEmail.objects.filter(kind__in=["match_accepted", "match_declined"]).exists()


def test_the_answer_link_accepts_without_logging_in(client, proposal):
    response = client.post(service.answer_path(proposal), {"reponse": "oui"}, follow=True)

    text = visible_text(response)
    assert "Merci ! Vous avez accepté la mission « Trier les dons de la ressourcerie »" in text
    assert "Vous avez déjà répondu à cette proposition : acceptée." in text
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (MatchStatus.ACCEPTED, proposal.user)
    assert OutgoingEmail.objects.filter(kind="match_accepted").count() == 1


def test_the_answer_link_declines(client, proposal):
    client.post(service.answer_path(proposal), {"reponse": "non"})

    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.DECLINED
    assert OutgoingEmail.objects.filter(kind="match_declined").count() == 1


def test_an_answered_proposal_says_so_and_a_second_answer_is_refused(client, proposal):
    client.post(service.answer_path(proposal), {"reponse": "non"})

    response = client.post(service.answer_path(proposal), {"reponse": "oui"}, follow=True)

    text = visible_text(response)
    assert "Cette mise en relation a déjà reçu une réponse : déclinée." in text
    assert "Vous avez déjà répondu à cette proposition : déclinée." in text
    assert "Oui, j'accepte" not in text
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.DECLINED


def test_accepting_a_proposal_for_a_full_mission_is_refused(client, proposal, mission, django_user_model, commune):
    for name in ("dominique", "sacha", "lou"):
        accepted_application(mission, other_volunteer(django_user_model, commune, name), by=None)

    response = client.post(service.answer_path(proposal), {"reponse": "oui"}, follow=True)

    assert "Cette mission a déjà trouvé ses 3 bénévoles." in visible_text(response)
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PENDING


def test_a_bad_token_is_a_404(client, proposal):
    assert client.get(f"/benevolat/propositions/{proposal.pk}/not-the-token/").status_code == 404
    assert client.post(f"/benevolat/propositions/{proposal.pk}/not-the-token/", {"reponse": "oui"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PENDING


def test_answers_are_rate_limited(client, proposal):
    url = service.answer_path(proposal)
    for _ in range(20):
        client.post(url, {"reponse": "maybe"})

    response = client.post(url, {"reponse": "oui"})

    assert response.status_code == 429
    assert "Trop de tentatives depuis votre connexion" in visible_text(response)
    proposal.refresh_from_db()
    assert proposal.status == MatchStatus.PENDING


# The profile's links -----------------------------------------------------------------------------------------


def test_the_profile_links_to_the_missions_pages(volunteer_client, profile):
    response = volunteer_client.get("/benevolat/profil/")

    content = response.content.decode()
    assert 'href="/benevolat/missions/"' in content and "Missions pour vous" in visible_text(response)
    assert 'href="/benevolat/mes-missions/"' in content
