"""The directory of ESS organisations at /acteurs/: search, filters, pages and portraits."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from cms.search import _PG_ACCENTED, _PG_PLAIN, fold
from territory.models import Commune, LegalForm, Organisation, Sector, Territory
from tests.html import visible_text

pytestmark = pytest.mark.django_db


def directory(client, **params):
    return client.get("/acteurs/", params)


def card_names(response) -> list[str]:
    names = re.findall(r'class="organisation-card__link" href="[^"]*">([^<]+)</a>', response.content.decode())
    return [unescape(name) for name in names]


@pytest.fixture
def food(db):
    return Sector.objects.create(name="Alimentation", slug="alimentation")


@pytest.fixture
def actors(organisation, commune, other_commune, sector, food):
    """The fixture's Ressourcerie (association, réemploi, Valenciennes) and a few more."""
    epicerie = Organisation.objects.create(
        name="Épicerie solidaire L'Œuvre",
        legal_form=LegalForm.ASSOCIATION,
        commune=other_commune,
        summary="Des produits frais à petit prix.",
        description="<p>Un lieu d'<b>économie</b> de proximité.</p>",
    )
    epicerie.sectors.add(food)
    scop = Organisation.objects.create(
        name="Scop Vélo Services",
        legal_form=LegalForm.COOPERATIVE,
        commune=commune,
        summary="Répare les vélos et forme des mécaniciens.",
    )
    scop.sectors.add(sector)
    mutuelle = Organisation.objects.create(
        name="Mutuelle du Hainaut",
        legal_form=LegalForm.MUTUAL,
        commune=other_commune,
        summary="Une complémentaire santé locale.",
    )
    hidden = Organisation.objects.create(
        name="Association en sommeil",
        legal_form=LegalForm.ASSOCIATION,
        commune=commune,
        summary="Pas encore publiée.",
        is_published=False,
    )
    return {"ressourcerie": organisation, "epicerie": epicerie, "scop": scop, "mutuelle": mutuelle, "hidden": hidden}


def test_lists_published_organisations_by_name(client, actors):
    response = directory(client)

    assert card_names(response) == [
        "Épicerie solidaire L'Œuvre",
        "Mutuelle du Hainaut",
        "Ressourcerie du Hainaut",
        "Scop Vélo Services",
    ]
    assert "Toutes les structures 4 structures" in visible_text(response)


def test_each_site_lists_its_own_territorys_organisations(client, actors, second_commune, home_page):
    Organisation.objects.create(
        name="Recyclerie de la Sambre", legal_form=LegalForm.ASSOCIATION, commune=second_commune, summary="Réemploi."
    )

    names = card_names(directory(client))

    assert "Recyclerie de la Sambre" not in names
    assert len(names) == 4


def test_each_card_shows_legal_form_commune_summary_and_sectors(client, actors):
    text = visible_text(directory(client, q="ressourcerie"))

    assert (
        "Ressourcerie du Hainaut Association · Valenciennes Collecte, répare et revend des objets du quotidien. Réemploi"
    ) in text


def test_search_matches_name_summary_and_description(client, actors):
    assert card_names(directory(client, q="mutuelle")) == ["Mutuelle du Hainaut"]
    assert card_names(directory(client, q="vélos")) == ["Scop Vélo Services"]
    assert card_names(directory(client, q="proximité")) == ["Épicerie solidaire L'Œuvre"]


def test_search_ignores_case_accents_and_ligatures(client, actors):
    assert card_names(directory(client, q="EPICERIE")) == ["Épicerie solidaire L'Œuvre"]
    assert card_names(directory(client, q="economie")) == ["Épicerie solidaire L'Œuvre"]
    assert card_names(directory(client, q="oeuvre")) == ["Épicerie solidaire L'Œuvre"]
    assert card_names(directory(client, q="velo")) == ["Scop Vélo Services"]


def test_every_word_of_the_search_must_match(client, actors):
    assert card_names(directory(client, q="hainaut santé")) == ["Mutuelle du Hainaut"]
    assert card_names(directory(client, q="hainaut vélo")) == []


def test_filter_by_sector(client, actors):
    assert card_names(directory(client, secteur="reemploi")) == ["Ressourcerie du Hainaut", "Scop Vélo Services"]


def test_filter_by_commune(client, actors):
    assert card_names(directory(client, commune="59014")) == ["Épicerie solidaire L'Œuvre", "Mutuelle du Hainaut"]


def test_filter_by_legal_form(client, actors):
    assert card_names(directory(client, forme=LegalForm.COOPERATIVE)) == ["Scop Vélo Services"]


def test_search_and_filters_combine(client, actors):
    assert card_names(directory(client, q="hainaut", commune="59606", secteur="reemploi", forme="association")) == [
        "Ressourcerie du Hainaut"
    ]
    assert card_names(directory(client, q="hainaut", commune="59014", forme="association")) == []


def test_chosen_filters_stay_in_the_form(client, actors):
    html = directory(client, q="vélo", secteur="reemploi", commune="59606", forme="cooperative").content.decode()

    assert 'value="vélo"' in html
    assert '<option value="reemploi" selected>' in html
    assert '<option value="59606" selected>' in html
    assert '<option value="cooperative" selected>' in html


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("secteur", "astrologie", "Ce secteur n'existe pas."),
        ("commune", "75056", "Cette commune n'est pas dans le territoire."),
        ("forme", "sarl", "Cette forme juridique n'existe pas."),
    ],
)
def test_bad_values_are_reported_in_french_and_the_other_filters_still_apply(client, actors, param, value, message):
    response = directory(client, **{param: value, "q": "mutuelle"})
    html = response.content.decode()

    assert message in visible_text(response)
    assert card_names(response) == ["Mutuelle du Hainaut"]
    widget = re.search(rf'<select[^>]*name="{param}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in widget
    assert f"id_{param}_error" in widget


def test_communes_of_other_territories_are_not_offered(client, actors):
    lille = Territory.objects.create(name="Métropole Européenne de Lille", slug="mel")
    Commune.objects.create(
        territory=lille, insee_code="59350", name="Lille", postcodes="59000", population=1, latitude=0, longitude=0
    )

    response = directory(client, commune="59350")

    assert '<option value="59350"' not in response.content.decode()
    assert "Cette commune n'est pas dans le territoire." in visible_text(response)


def test_empty_result_says_so(client, actors):
    text = visible_text(directory(client, q="astronautique"))

    assert "Aucune structure ne correspond à votre recherche." in text
    assert "0 structure" in text


def test_pages_of_24_keep_the_filters(client, commune, sector):
    for n in range(30):
        organisation = Organisation.objects.create(
            name=f"Structure {n:02d}", legal_form=LegalForm.ASSOCIATION, commune=commune, summary="Une structure."
        )
        organisation.sectors.add(sector)

    first = directory(client, secteur="reemploi", q="structure")
    assert len(card_names(first)) == 24
    assert "Page 1 sur 2" in visible_text(first)
    next_link = (
        re.search(r'rel="next" href="\?([^"#]*)#resultats"', first.content.decode()).group(1).replace("&amp;", "&")
    )
    assert next_link == "secteur=reemploi&q=structure&page=2"

    second = client.get("/acteurs/?" + next_link)

    assert card_names(second) == [f"Structure {n:02d}" for n in range(24, 30)]


def test_an_out_of_range_page_shows_the_last_page(client, actors):
    assert len(card_names(directory(client, page="99"))) == 4


def test_the_directory_query_count_does_not_grow_with_the_number_of_organisations(
    client, commune, other_commune, sector, food, django_assert_num_queries
):
    def add_organisations(count, start):
        for n in range(start, start + count):
            organisation = Organisation.objects.create(
                name=f"Structure {n:02d}",
                legal_form=LegalForm.ASSOCIATION,
                commune=commune if n % 2 else other_commune,
                summary="Une structure.",
                logo=Image.objects.create(title=f"Logo {n}", file=get_test_image_file()) if n % 3 == 0 else None,
            )
            organisation.sectors.add(sector, food)

    add_organisations(3, 0)
    directory(client)  # creates the site settings and the logos' renditions, once
    with CaptureQueriesContext(connection) as measured:
        directory(client)
    expected = len(measured)

    with django_assert_num_queries(expected):
        assert len(card_names(directory(client))) == 3

    add_organisations(27, 3)
    directory(client)  # the new logos' renditions are generated on their first display
    with django_assert_num_queries(expected):
        assert len(card_names(directory(client))) == 24


def test_portrait_shows_everything_the_organisation_published(client, organisation, food):
    organisation.description = "<p>Fondée en 2004, elle emploie <b>12 salarié·es</b> en insertion.</p>"
    organisation.address = "3 rue du Quesnoy"
    organisation.website = "https://ressourcerie.example"
    organisation.contact_email = "contact@ressourcerie.example"
    organisation.contact_phone = "03 27 00 00 00"
    organisation.logo = Image.objects.create(title="Logo", file=get_test_image_file())
    organisation.save()
    organisation.sectors.add(food)

    response = client.get(organisation.get_absolute_url())
    html = response.content.decode()
    text = visible_text(response)

    assert (
        "Association · Valenciennes Ressourcerie du Hainaut Collecte, répare et revend des objets du quotidien." in text
    )
    assert "Forme juridique Association" in text
    assert "Secteurs Alimentation Réemploi" in text
    assert "Adresse 3 rue du Quesnoy 59300 Valenciennes" in text
    assert "Site web https://ressourcerie.example" in text
    assert "Courriel contact@ressourcerie.example" in text
    assert "Téléphone 03 27 00 00 00" in text
    assert "Portrait Fondée en 2004, elle emploie 12 salarié·es en insertion." in text
    assert 'href="/acteurs/?secteur=alimentation"' in html
    assert re.search(r'<img [^>]*class="organisation__logo"', html)
    assert "Structure fictive de démonstration" not in text


def test_example_organisations_carry_a_notice(client, organisation):
    organisation.is_example = True
    organisation.save()

    assert "Structure fictive de démonstration" in visible_text(client.get(organisation.get_absolute_url()))
    assert "Structure fictive de démonstration" in visible_text(directory(client))


def test_portrait_lists_the_breakfasts_the_organisation_hosts(client, organisation, make_event, time_machine):
    import datetime as dt

    from territory.models import PARIS

    time_machine.move_to(dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS), tick=False)
    make_event(title="Réparer plutôt que jeter", host_organisations=[organisation])

    text = visible_text(client.get(organisation.get_absolute_url()))

    assert "Prochains rendez-vous avec cette structure" in text
    assert "Réparer plutôt que jeter jeudi 10 décembre 2026, 8 h 30 – 10 h 00" in text


def test_unpublished_organisations_are_not_found(client, actors):
    response = client.get(actors["hidden"].get_absolute_url())

    assert response.status_code == 404
    assert "Page introuvable" in visible_text(response)
    assert "Association en sommeil" not in visible_text(directory(client))


def test_unknown_organisation_is_not_found(client, home_page):
    response = client.get("/acteurs/n-existe-pas/")

    assert response.status_code == 404
    assert "Page introuvable" in visible_text(response)


def test_fold_spells_out_what_people_type_without_accents():
    assert fold("Œuvre d’Économie SOLIDAIRE") == "oeuvre d'economie solidaire"
    assert fold("") == ""
    assert fold(None) == ""
    # PostgreSQL's translate() maps the two strings character by character.
    assert len(_PG_ACCENTED) == len(_PG_PLAIN)
    assert fold(_PG_ACCENTED) == _PG_PLAIN
