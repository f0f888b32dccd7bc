"""The home page: what the village is, the next events, how to take part; the site's frame."""

import datetime as dt

import pytest
from wagtail.models import Site

from cms.models import SiteContact
from events.models import EventKind, EventStatus
from territory.models import PARIS, LegalForm, Organisation
from tests.html import visible_text

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_home_says_what_the_village_is(client, home_page):
    home_page.intro = "<p>Le village fait découvrir l'ESS aux habitants.</p>"
    home_page.save_revision().publish()

    text = visible_text(client.get("/"))

    assert "Le Village de l'ESS L'ESS près de chez vous Le village fait découvrir l'ESS aux habitants." in text


def test_home_lists_the_next_live_events_in_date_order(client, make_event):
    make_event(title="Dans un mois", start=dt.datetime(2026, 12, 20, 9, 0, tzinfo=PARIS))
    make_event(
        kind=EventKind.ITINERANT_VILLAGE, title="Samedi au marché", start=dt.datetime(2026, 11, 28, 8, 0, tzinfo=PARIS)
    )
    make_event(title="Déjà passé", start=dt.datetime(2026, 11, 2, 9, 0, tzinfo=PARIS))
    make_event(title="Brouillon").unpublish()

    text = visible_text(client.get("/"))

    upcoming = text.split("Les prochains rendez-vous")[1].split("Comment participer")[0]
    assert "Samedi au marché" in upcoming and "Dans un mois" in upcoming
    assert upcoming.index("Samedi au marché") < upcoming.index("Dans un mois")
    assert "Village itinérant Samedi au marché samedi 28 novembre 2026, 8 h 00 – 9 h 30" in upcoming
    assert "Déjà passé" not in text
    assert "Brouillon" not in text


def test_home_shows_at_most_six_events_and_a_link_to_the_agenda(client, make_event):
    for day in range(8):
        make_event(title=f"Rendez-vous {day + 1}", start=dt.datetime(2026, 12, 1 + day, 9, 0, tzinfo=PARIS))

    response = client.get("/")
    text = visible_text(response)

    assert "Rendez-vous 6" in text
    assert "Rendez-vous 7" not in text
    assert 'href="/agenda/">Tout l\'agenda' in response.content.decode().replace("&#x27;", "'")


def test_a_cancelled_upcoming_event_is_listed_with_its_badge(client, make_event):
    make_event(title="Petit-déj annulé", status=EventStatus.CANCELLED)

    assert "Petit-déjeuner thématique Annulé Petit-déj annulé" in visible_text(client.get("/"))


def test_home_without_events_says_so(client, home_page):
    assert "Pas de rendez-vous programmé pour le moment." in visible_text(client.get("/"))


def test_how_to_take_part_links_to_volunteering_hosting_and_the_directory(client, organisation, commune, home_page):
    Organisation.objects.create(
        name="Coop du coin", legal_form=LegalForm.COOPERATIVE, commune=commune, summary="Une épicerie."
    )
    Organisation.objects.create(
        name="Cachée", legal_form=LegalForm.ASSOCIATION, commune=commune, summary="Pas encore.", is_published=False
    )

    response = client.get("/")
    html = response.content.decode()
    text = visible_text(response)

    assert "Comment participer Devenir bénévole" in text
    assert '<a href="/benevolat/">Devenir bénévole</a>' in html
    assert '<a href="/accueillir-le-village/">Accueillir le village dans votre commune</a>' in html
    assert '<a href="/acteurs/">Découvrir les acteurs de l\'ESS</a>' in html
    assert "2 structures de l'ESS du territoire présentent leurs activités dans l'annuaire." in text


def test_header_navigation_marks_the_current_section(client, agenda_page):
    html = client.get("/agenda/").content.decode()

    assert '<a class="main-nav__link" href="/agenda/" aria-current="page">Agenda</a>' in html
    assert '<a class="main-nav__link" href="/acteurs/">Acteurs de l&#x27;ESS</a>' in html
    assert '<a class="main-nav__link" href="/benevolat/">Bénévolat</a>' in html
    assert '<a class="main-nav__link" href="/accueillir-le-village/">Accueillir le village</a>' in html


def test_footer_shows_the_site_contact(client, home_page):
    SiteContact.objects.create(
        site=Site.objects.get(is_default_site=True),
        organisation_name="Valenciennes Métropole",
        team_name="Service Économie sociale et solidaire",
        email="ess@valenciennes-metropole.example",
        phone="03 27 09 62 00",
        address="2 place de l'Hôpital Général, 59300 Valenciennes",
    )

    response = client.get("/")
    html = response.content.decode()
    text = visible_text(response)

    assert (
        "Nous contacter Service Économie sociale et solidaire Valenciennes Métropole "
        "2 place de l'Hôpital Général, 59300 Valenciennes ess@valenciennes-metropole.example 03 27 09 62 00"
    ) in text
    assert 'href="mailto:ess@valenciennes-metropole.example"' in html
    assert 'href="tel:0327096200"' in html


def test_page_frame_is_french_and_accessible(client, home_page):
    html = client.get("/").content.decode()

    assert '<html lang="fr">' in html
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in html
    assert '<main id="contenu" tabindex="-1">' in html
    assert html.count("<h1") == 1
    assert "<header" in html and "<footer" in html and 'aria-label="Navigation principale"' in html
    assert "<script>" not in html and "style=" not in html


def test_standard_page_shows_its_intro_and_body(client, home_page):
    from cms.models import StandardPage

    page = home_page.add_child(
        instance=StandardPage(
            title="Mentions légales", slug="mentions-legales", intro="Qui publie ce site.", body="<p>Éditeur : VM.</p>"
        )
    )

    text = visible_text(client.get(page.url))

    assert "Accueil Mentions légales Mentions légales Qui publie ce site. Éditeur : VM." in text


def test_unknown_address_shows_a_french_404(client, home_page):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    text = visible_text(response)
    assert "Page introuvable" in text
    assert "Revenir à l'accueil" in text


def test_500_page_renders_without_request_or_database(django_assert_num_queries):
    from django.template.loader import get_template

    with django_assert_num_queries(0):
        html = get_template("500.html").render({})

    assert "Une erreur est survenue" in visible_text(html)
    assert '<html lang="fr">' in html


def test_organisers_get_wagtail_userbar_and_visitors_do_not(client, home_page, organiser, outsider):
    assert "wagtail-userbar" not in client.get("/").content.decode()

    client.force_login(outsider)
    assert "wagtail-userbar" not in client.get("/").content.decode()

    client.force_login(organiser)
    assert "wagtail-userbar" in client.get("/").content.decode()


def test_the_home_query_count_does_not_grow_with_the_number_of_events(
    client, make_event, venue, other_commune, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_events(count):
        for n in range(count):
            start = dt.datetime(2026, 12, 1 + n, 9, 0, tzinfo=PARIS)
            make_event(kind=list(EventKind)[n % 4], start=start, **({"venue": venue} if n % 2 else {}))

    add_events(2)
    client.get("/")  # the first visit creates the site's contact settings
    with CaptureQueriesContext(connection) as measured:
        client.get("/")

    add_events(10)
    with django_assert_num_queries(len(measured)):
        text = visible_text(client.get("/"))
    assert text.count("Un temps d'échange autour de l'ESS.") == 6
