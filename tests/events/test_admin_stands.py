"""Stands in the admin: the list, a stop's stands page and its decisions, roles, and inviting an organisation's contact."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail

from events.models import Stand, StandStatus
from events.services import village as service
from tests.html import visible_text

INDEX = "/admin/stands/"


@pytest.fixture(autouse=True)
def _now(village_now):
    pass


@pytest.fixture
def organiser_client(client, village_organiser):
    client.force_login(village_organiser)
    return client


@pytest.fixture
def application(stop, organisation):
    """The Ressourcerie's application: it needs power and a table, not a shelter."""
    return service.apply_for_stand(
        stop,
        organisation,
        contact_name="Nadia Benali",
        contact_email="nadia@ressourcerie.example.org",
        contact_phone="06 12 34 56 78",
        activity="Atelier de réparation",
        needs_power=True,
        needs_table=True,
        needs_shelter=False,
    )


def stop_url(stop, action=""):
    return f"{INDEX}etape/{stop.pk}/{action}"


def stand_action(stop, stand, action):
    return f"{INDEX}etape/{stop.pk}/stand/{stand.pk}/{action}/"


def pitch(stop, number):
    return stop.pitches.get(number=number)


# The list ------------------------------------------------------------------------------------------------------


def test_the_list_shows_every_stand_and_filters_by_status(
    organiser_client, stop, application, make_organisation, django_assert_num_queries
):
    placed = make_organisation("Épicerie solidaire")
    service.place_stand(stop, placed, pitch(stop, 2), by=None, contact_name="Léon", contact_email="leon@example.org")

    response = organiser_client.get(INDEX)
    text = visible_text(response)
    assert "Ressourcerie du Hainaut" in text
    assert "Épicerie solidaire" in text
    assert "Candidature reçue" in text

    confirmed_only = organiser_client.get(INDEX, {"status": "confirmed"})
    assert listed(confirmed_only) == ["Épicerie solidaire"]
    by_organisation = organiser_client.get(INDEX, {"organisation": application.organisation_id, "stop": stop.pk})
    assert listed(by_organisation) == ["Ressourcerie du Hainaut"]


def test_the_list_searches_organisations_without_accents(organiser_client, stop, application, make_organisation):
    service.apply_for_stand(stop, make_organisation("Épicerie solidaire"), contact_name="L", contact_email="l@e.org")

    response = organiser_client.get(INDEX, {"q": "epicerie"})

    assert listed(response) == ["Épicerie solidaire"]


def listed(response) -> list[str]:
    return [stand.organisation.name for stand in response.context["object_list"]]


def test_the_list_costs_the_same_queries_for_more_stands(organiser_client, stop, make_organisation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    service.apply_for_stand(stop, make_organisation(), contact_name="A", contact_email="a@example.org")
    organiser_client.get(INDEX)
    with CaptureQueriesContext(connection) as one:
        organiser_client.get(INDEX)
    for number in (1, 2):
        service.place_stand(
            stop, make_organisation(), pitch(stop, number), by=None, contact_name="B", contact_email="b@example.org"
        )
    with CaptureQueriesContext(connection) as three:
        response = organiser_client.get(INDEX)

    assert len(visible_text(response).split("Village au marché")) > 3
    assert len(three) == len(one)


# A stop's stands ---------------------------------------------------------------------------------------------


def test_the_stop_page_shows_pitches_holders_and_applications(
    organiser_client, stop, application, make_organisation, django_assert_max_num_queries
):
    holder = make_organisation("Épicerie solidaire")
    placed = service.apply_for_stand(
        stop, holder, contact_name="Léon Martin", contact_email="leon@example.org", needs_power=True
    )
    service.confirm_stand(placed, pitch(stop, 2), by=None)

    with django_assert_max_num_queries(25):
        response = organiser_client.get(stop_url(stop))

    text = visible_text(response)
    assert "Stands de l'étape" in text
    assert "samedi 5 décembre 2026, 8 h 00 – 13 h 00" in text
    # Pitch 2 holder, and what it lacks for them (no power on pitch 2).
    assert "Épicerie solidaire" in text
    assert "Léon Martin" in text
    assert "électricité" in text
    assert "Candidature en attente (1)" in text
    assert "Ressourcerie du Hainaut" in text
    assert "Atelier de réparation" in text
    # The free pitches offered for the application, with what each would lack.
    assert "N° 1 · Réemploi (électricité, table, abri)" in text
    assert "N° 3 (table, abri) — manque : électricité" in text
    assert "Plan des stands (PDF)" in text


def test_an_organiser_confirms_an_application_on_a_pitch(organiser_client, village_organiser, stop, application):
    response = organiser_client.post(stand_action(stop, application, "confirmer"), {"pitch": pitch(stop, 1).pk})

    application.refresh_from_db()
    assert application.status == StandStatus.CONFIRMED
    assert application.pitch.number == 1
    assert application.decided_by == village_organiser
    page = visible_text(organiser_client.get(response["Location"]))
    assert "Le stand de Ressourcerie du Hainaut est confirmé sur l'emplacement 1" in page


def test_a_second_confirmation_on_the_same_pitch_names_the_holder(
    organiser_client, stop, application, make_organisation
):
    other = service.apply_for_stand(
        stop, make_organisation("Épicerie solidaire"), contact_name="Léon", contact_email="leon@example.org"
    )
    organiser_client.post(stand_action(stop, application, "confirmer"), {"pitch": pitch(stop, 1).pk})

    response = organiser_client.post(stand_action(stop, other, "confirmer"), {"pitch": pitch(stop, 1).pk}, follow=True)

    assert "L'emplacement 1 est déjà attribué à Ressourcerie du Hainaut." in visible_text(response)
    other.refresh_from_db()
    assert (other.status, other.pitch) == (StandStatus.APPLIED, None)


def test_an_organiser_refuses_with_a_reason(organiser_client, stop, application):
    response = organiser_client.post(
        stand_action(stop, application, "refuser"), {"reason": "Thème déjà représenté."}, follow=True
    )

    application.refresh_from_db()
    assert (application.status, application.decision_note) == (StandStatus.REFUSED, "Thème déjà représenté.")
    assert "Le stand de Ressourcerie du Hainaut est refusé" in visible_text(response)


def test_a_refusal_without_a_reason_changes_nothing(organiser_client, stop, application):
    response = organiser_client.post(stand_action(stop, application, "refuser"), {"reason": " "}, follow=True)

    assert "Indiquez le motif du refus : il est envoyé à la structure." in visible_text(response)
    application.refresh_from_db()
    assert application.status == StandStatus.APPLIED


def test_an_organiser_moves_a_stand_to_another_pitch(organiser_client, stop, application):
    service.confirm_stand(application, pitch(stop, 1), by=None)

    response = organiser_client.post(stand_action(stop, application, "deplacer"), {"pitch": pitch(stop, 3).pk})

    application.refresh_from_db()
    assert application.pitch.number == 3
    assert "Ressourcerie du Hainaut est maintenant sur l'emplacement 3." in visible_text(
        organiser_client.get(response["Location"])
    )


def test_moving_onto_a_held_pitch_is_refused(organiser_client, stop, application, make_organisation):
    service.confirm_stand(application, pitch(stop, 1), by=None)
    service.place_stand(
        stop,
        make_organisation("Épicerie solidaire"),
        pitch(stop, 2),
        by=None,
        contact_name="L",
        contact_email="l@e.org",
    )

    response = organiser_client.post(
        stand_action(stop, application, "deplacer"), {"pitch": pitch(stop, 2).pk}, follow=True
    )

    assert "L'emplacement 2 est déjà attribué à Épicerie solidaire." in visible_text(response)
    application.refresh_from_db()
    assert application.pitch.number == 1


def place_data(organisation, pitch, **overrides):
    return {
        "organisation": organisation.pk,
        "pitch": pitch.pk,
        "contact_name": "Léon Martin",
        "contact_email": "leon@example.org",
        "contact_phone": "",
        "activity": "",
        **overrides,
    }


def test_an_organiser_places_an_organisation_directly(organiser_client, stop, make_organisation):
    epicerie = make_organisation("Épicerie solidaire")

    response = organiser_client.post(stop_url(stop), place_data(epicerie, pitch(stop, 3)), follow=True)

    stand = Stand.objects.get(organisation=epicerie)
    assert (stand.status, stand.pitch.number, stand.contact_name) == (StandStatus.CONFIRMED, 3, "Léon Martin")
    assert "Épicerie solidaire est placée sur l'emplacement 3" in visible_text(response)


def test_placing_on_a_held_pitch_is_refused_and_nothing_is_stored(
    organiser_client, stop, application, make_organisation
):
    service.confirm_stand(application, pitch(stop, 1), by=None)
    epicerie = make_organisation("Épicerie solidaire")

    response = organiser_client.post(stop_url(stop), place_data(epicerie, pitch(stop, 1)))

    assert "L'emplacement 1 est déjà attribué à Ressourcerie du Hainaut." in visible_text(response)
    assert not Stand.objects.filter(organisation=epicerie).exists()
    # What was typed is still there to correct.
    assert response.context["place_form"]["contact_name"].value() == "Léon Martin"


# Who may do what ------------------------------------------------------------------------------------------------


def test_an_outsider_sees_and_changes_nothing(client, outsider, stop, application):
    client.force_login(outsider)

    for url in (INDEX, stop_url(stop), stop_url(stop, "plan-des-stands.pdf"), stop_url(stop, "badges.pdf")):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "Ressourcerie" not in response.content.decode()
    response = client.post(stand_action(stop, application, "confirmer"), {"pitch": pitch(stop, 1).pk})

    assert response.status_code in (302, 403)
    application.refresh_from_db()
    assert application.status == StandStatus.APPLIED


def test_an_admin_user_without_the_stand_permissions_gets_a_403(client, organiser, stop, application):
    client.force_login(organiser)  # admin access, no stand permission

    for url in (stop_url(stop), stop_url(stop, "plan-des-stands.pdf"), stop_url(stop, "badges.pdf")):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Votre compte n'a pas accès aux stands." in visible_text(response)
    response = client.post(stand_action(stop, application, "confirmer"), {"pitch": pitch(stop, 1).pk})

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == StandStatus.APPLIED


def test_who_may_only_view_stands_sees_them_but_cannot_decide(client, organiser, stop, application):
    organiser.groups.first().permissions.add(Permission.objects.get(codename="view_stand"))
    client.force_login(organiser)

    page = client.get(stop_url(stop))
    assert "Ressourcerie du Hainaut" in visible_text(page)
    assert "Confirmer" not in visible_text(page)
    response = client.post(stand_action(stop, application, "confirmer"), {"pitch": pitch(stop, 1).pk})

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == StandStatus.APPLIED


def test_the_page_explorer_links_a_stop_to_its_stands(organiser_client, stop, agenda_page):
    response = organiser_client.get(f"/admin/pages/{agenda_page.pk}/")

    assert f'href="{stop_url(stop)}"' in response.content.decode()


# Inviting a contact ---------------------------------------------------------------------------------------------


@pytest.fixture
def team_client(client, organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)
    return client


def invite_url(organisation):
    return f"/admin/structures/{organisation.pk}/inviter/"


def test_the_organisation_list_offers_the_invitation(team_client, organisation):
    response = team_client.get("/admin/snippets/territory/organisation/")

    assert invite_url(organisation) in response.content.decode()


def test_an_invited_contact_chooses_a_password_logs_in_and_sees_the_space(team_client, client, organisation, stop):
    response = team_client.post(
        invite_url(organisation), {"name": "Sofia Lopez", "email": "Sofia.Lopez@Example.org"}, follow=True
    )

    assert "Compte créé pour sofia.lopez@example.org et rattaché à Ressourcerie du Hainaut" in visible_text(response)
    user = get_user_model().objects.get(username="sofia.lopez@example.org")
    assert (user.email, user.first_name, user.last_name) == ("sofia.lopez@example.org", "Sofia", "Lopez")
    assert not user.has_usable_password()
    assert list(organisation.contacts.all()) == [user]
    (email,) = mail.outbox
    assert email.to == ["sofia.lopez@example.org"]
    assert email.subject == "Votre accès à l'espace des structures pour Ressourcerie du Hainaut"
    assert "Bonjour Sofia Lopez," in email.body
    assert "choisissez votre mot de passe" in email.body
    link = re.search(r"http://testserver(/compte/reset/\S+/)", email.body).group(1)

    client.logout()
    form_page = client.get(link, follow=True)
    assert "Choisir un mot de passe" in visible_text(form_page)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Coquelicot-Vert-2026", "new_password2": "Coquelicot-Vert-2026"},
        follow=True,
    )
    assert "Mot de passe enregistré" in visible_text(done)

    login = client.post(
        "/compte/login/",
        {"username": "sofia.lopez@example.org", "password": "Coquelicot-Vert-2026", "next": "/espace-structure/"},
        follow=True,
    )
    text = visible_text(login)
    assert "Espace des structures" in text
    assert "Ressourcerie du Hainaut" in text
    assert "Village au marché" in text
    # The link has served: it does not open the form a second time.
    assert "Ce lien ne fonctionne plus." in visible_text(client.get(link, follow=True))


def test_inviting_an_existing_account_adds_it_without_a_second_account(
    team_client, organisation, make_organisation, contact_user
):
    other = make_organisation("Épicerie solidaire")

    team_client.post(invite_url(other), {"name": "Nadia", "email": "CONTACT@ressourcerie.example.org"})

    assert get_user_model().objects.filter(email__iexact="contact@ressourcerie.example.org").count() == 1
    assert contact_user in other.contacts.all()
    assert contact_user.has_usable_password()
    assert len(mail.outbox) == 1


def test_the_login_page_is_in_french_and_leads_to_the_space(client, contact_user):
    page = client.get("/compte/login/")
    assert "Adresse électronique (ou identifiant)" in visible_text(page)
    response = client.post("/compte/login/", {"username": "contact-ressourcerie", "password": "secret-pass-4"})

    # cms.views.after_login: an organisation's contact goes to its space.
    assert response["Location"] == "/compte/accueil/"
    assert client.get(response["Location"])["Location"] == "/espace-structure/"


def test_a_contact_logs_out_and_changes_their_password_in_french(client, contact_user):
    client.force_login(contact_user)

    change = client.post(
        "/compte/password_change/",
        {
            "old_password": "secret-pass-4",
            "new_password1": "Coquelicot-Vert-2026",
            "new_password2": "Coquelicot-Vert-2026",
        },
        follow=True,
    )
    assert "Votre nouveau mot de passe est enregistré." in visible_text(change)
    logout = client.post("/compte/logout/")
    assert "Vous êtes déconnecté·e" in visible_text(logout)
    assert client.get("/espace-structure/")["Location"] == "/compte/login/?next=/espace-structure/"


def test_the_password_reset_email_is_in_french(client, contact_user):
    client.post("/compte/password_reset/", {"email": "contact@ressourcerie.example.org"})

    (email,) = mail.outbox
    assert email.subject == "Le Village de l'ESS : choisir un nouveau mot de passe"
    assert "Ouvrez ce lien pour le choisir" in email.body
    assert "Votre identifiant : contact-ressourcerie" in email.body


def test_an_admin_user_who_may_not_change_organisations_cannot_invite(client, organiser, organisation):
    client.force_login(organiser)

    response = client.post(invite_url(organisation), {"name": "X", "email": "x@example.org"})

    assert response.status_code == 403
    assert not get_user_model().objects.filter(email="x@example.org").exists()
    assert mail.outbox == []
