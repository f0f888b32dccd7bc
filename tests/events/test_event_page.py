"""What a visitor sees on an event page: when, where, what it is, and what to do next."""

import datetime as dt

import pytest
from wagtail.models import Site

from cms.models import SiteContact
from events.models import EventKind, EventStatus, VillageFormat, YouthLevel
from territory.models import PARIS
from tests.html import visible_text

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
PAST = dt.datetime(2026, 10, 1, 8, 30, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def site_contact(home_page):
    return SiteContact.objects.create(
        site=Site.objects.get(is_default_site=True),
        organisation_name="Valenciennes Métropole",
        team_name="Service ESS",
        email="ess@valenciennes-metropole.example",
    )


def test_date_place_and_practical_details(client, make_event, venue, plan):
    venue.address = "12 rue de Paris"
    venue.accessibility = "Salle de plain-pied."
    venue.save()
    page = make_event(
        venue=venue, capacity=30, audience="Tout public", title="Manger local, ça se prépare", body="<p>Un café.</p>"
    )

    text = visible_text(client.get(page.url))

    assert "Manger local, ça se prépare" in text
    assert "Quand jeudi 10 décembre 2026, 8 h 30 – 10 h 00" in text
    assert "Où Salle des fêtes 12 rue de Paris 59300 Valenciennes" in text
    assert "Pour qui Tout public" in text
    assert "Places 30 places" in text
    assert "Accessibilité Salle de plain-pied." in text
    assert "Présentation Un café." in text
    assert "Dans le plan ESS du territoire O3.2.a Rencontres thématiques" in text


def test_the_event_own_accessibility_note_wins_over_the_venue(client, make_event, venue):
    venue.accessibility = "Salle de plain-pied."
    venue.save()
    page = make_event(venue=venue, accessibility="Interprète LSF sur demande.")

    text = visible_text(client.get(page.url))

    assert "Accessibilité Interprète LSF sur demande." in text
    assert "Salle de plain-pied." not in text


def test_an_example_venue_is_flagged(client, make_event, market):
    page = make_event(kind=EventKind.ITINERANT_VILLAGE, venue=market)

    assert "Lieu fictif des données de démonstration." in visible_text(client.get(page.url))


def test_thematic_breakfast_shows_its_theme_hosts_and_online_registration(client, make_event, organisation):
    page = make_event(
        theme="Alimentation durable",
        title="Petit-déjeuner : manger local",
        contact_email="petitdej@example.org",
        host_organisations=[organisation],
    )

    response = client.get(page.url)
    text = visible_text(response)

    assert "Petit-déjeuner thématique" in text
    assert "Le thème Alimentation durable" in text
    assert "Avec les structures hôtes Ressourcerie du Hainaut" in text
    assert f'href="{organisation.get_absolute_url()}"' in response.content.decode()
    assert "Et maintenant ? Inscrivez-vous en ligne." in text
    assert "Indiquez vos nom et prénom et, le cas échéant, votre structure." in text
    assert "S'inscrire" in text
    assert f'href="/inscription/{page.pk}/"' in response.content.decode()


def test_an_unpublished_host_is_named_without_a_link(client, make_event, organisation):
    organisation.is_published = False
    organisation.save()
    page = make_event(host_organisations=[organisation])

    response = client.get(page.url)

    assert "Ressourcerie du Hainaut" in visible_text(response)
    assert organisation.get_absolute_url() not in response.content.decode()


def test_closed_registration_points_to_the_site_contact_email(client, make_event, site_contact):
    page = make_event(
        kind=EventKind.ELECTED_AWARENESS,
        title="L'ESS pour les communes",
        registration_closes_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=PARIS),
    )

    text = visible_text(client.get(page.url))

    assert "Les inscriptions sont closes. Une question ? Écrivez à ess@valenciennes-metropole.example." in text
    assert "S'inscrire" not in text


def test_registration_not_open_yet_says_when_it_opens(client, make_event):
    page = make_event(registration_opens_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS))

    text = visible_text(client.get(page.url))

    assert "Les inscriptions ouvriront le mardi 1er décembre 2026, 9 h 00." in text
    assert "S'inscrire" not in text


def test_village_stop_invites_people_to_drop_by_and_to_host_the_village(client, make_event, market):
    page = make_event(
        kind=EventKind.ITINERANT_VILLAGE,
        venue=market,
        village_format=VillageFormat.MINI_VILLAGE,
        setup_from=dt.time(7, 0),
        teardown_until=dt.time(14, 30),
    )

    response = client.get(page.url)
    text = visible_text(response)

    assert "Village itinérant" in text
    assert "Le village Mini-village :" in text
    # Set-up and tear-down times are for the exhibitors (their emails, the stand plan), not the public.
    assert "Installation" not in text and "14 h 30" not in text
    assert "Passez nous voir : entrée libre." in text
    assert "Accueillir le village dans votre commune" in text
    assert 'href="/accueillir-le-village/"' in response.content.decode()
    assert "S'inscrire" not in text
    assert "mailto:" not in response.content.decode().split("Et maintenant ?")[1].split("</section>")[0]


def test_elected_awareness_lists_invited_communes_and_asks_for_the_mandate(
    client, make_event, commune, other_commune, site_contact
):
    page = make_event(kind=EventKind.ELECTED_AWARENESS, target_communes=[commune, other_commune])

    text = visible_text(client.get(page.url))

    assert "Sensibilisation des élus" in text
    assert "Communes invitées Anzin Valenciennes" in text
    assert "Indiquez vos nom et prénom, votre mandat et votre commune." in text
    assert "S'inscrire" in text


def test_youth_outreach_names_the_structure_and_level_and_registers_groups(client, make_event, site_contact):
    page = make_event(kind=EventKind.YOUTH_OUTREACH, structure_name="Lycée Watteau", level=YouthLevel.VOCATIONAL)

    text = visible_text(client.get(page.url))

    assert "Sensibilisation des jeunes" in text
    assert "Établissement ou structure Lycée Watteau" in text
    assert "Niveau Lycée professionnel / CFA" in text
    assert "Les inscriptions se font par groupe" in text
    assert "Inscrire un groupe" in text


@pytest.mark.parametrize("kind", list(EventKind))
def test_a_cancelled_event_says_so_and_offers_nothing_to_do(client, make_event, site_contact, kind):
    page = make_event(kind=kind, status=EventStatus.CANCELLED, status_note="Faute de salle disponible.")

    response = client.get(page.url)
    text = visible_text(response)

    assert "Annulé" in text
    assert "Cet événement est annulé. Faute de salle disponible." in text
    assert "Cet événement est annulé : il n'y a rien à faire de votre côté." in text
    assert "S'inscrire" not in text
    assert "Passez nous voir" not in text
    assert "mailto:" not in response.content.decode().split("</main>")[0]


def test_a_postponed_event_shows_the_note_and_offers_to_be_told_the_new_date(client, make_event, site_contact):
    page = make_event(status=EventStatus.POSTPONED, status_note="Nouvelle date en janvier.")

    text = visible_text(client.get(page.url))

    assert "Reporté" in text
    assert "Cet événement est reporté. Nouvelle date en janvier." in text
    assert "Être prévenu·e de la nouvelle date" in text
    assert "S'inscrire" not in text


@pytest.mark.parametrize("kind", list(EventKind))
def test_a_past_event_says_it_is_over(client, make_event, site_contact, kind):
    page = make_event(kind=kind, start=PAST)

    text = visible_text(client.get(page.url))

    assert "Cet événement est terminé." in text
    assert "Voir les prochains rendez-vous" in text
    assert "S'inscrire" not in text
    assert "Passez nous voir" not in text


def test_an_unpublished_event_is_not_found(client, make_event):
    page = make_event()
    page.unpublish()

    response = client.get(page.url or "/agenda/" + page.slug + "/")

    assert response.status_code == 404
    assert "Page introuvable" in visible_text(response)


def test_page_has_one_h1_and_a_skip_link(client, make_event):
    page = make_event()

    html = client.get(page.url).content.decode()

    assert html.count("<h1") == 1
    assert '<html lang="fr">' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
