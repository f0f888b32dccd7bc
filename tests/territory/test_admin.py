"""The "Territoire" menu of the Wagtail admin, as organisers and outsiders use it."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.test.utils.form_data import rich_text

from territory.models import PARIS, Commune, LegalForm, Organisation, Sector, Venue, VenueKind
from tests.html import visible_text

VENUES = "/admin/snippets/territory/venue/"
ORGANISATIONS = "/admin/snippets/territory/organisation/"
COMMUNES = "/admin/snippets/territory/commune/"


@pytest.fixture
def organiser_client(client, organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)
    return client


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def venue_form(commune, **fields):
    return {
        "name": "Marché du samedi",
        "kind": VenueKind.MARKET,
        "commune": commune.pk,
        "address": "",
        "recurrence": "FREQ=WEEKLY;BYDAY=SA",
        "opens_at": "08:00",
        "closes_at": "13:00",
        "accessibility": "",
        # The inline "Jours sans marché" (territory.VenueClosure): none unless a test adds some.
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
        "closures-MIN_NUM_FORMS": "0",
        "closures-MAX_NUM_FORMS": "1000",
        **fields,
    }


# Venues ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_organiser_lists_venues_in_french(organiser_client, venue, market):
    response = organiser_client.get(VENUES)

    text = visible_text(response)
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()
    assert "Salle des fêtes" in text
    assert "Chaque samedi, 8 h 00 – 13 h 00" in text
    assert "Ajouter un(e) lieu" in text
    assert "Filtrer par" in text


@pytest.mark.django_db
def test_organiser_searches_venues_by_name(organiser_client, venue, market):
    text = visible_text(organiser_client.get(VENUES, {"q": "armes"}))

    assert "Marché de la place d'Armes" in text
    assert "Salle des fêtes" not in text


@pytest.mark.django_db
def test_venue_search_ignores_case_and_accents(organiser_client, venue, market):
    text = visible_text(organiser_client.get(VENUES, {"q": "SALLE DES FETES"}))

    assert "Salle des fêtes" in text
    assert "Marché de la place d'Armes" not in text


@pytest.mark.django_db
def test_organiser_filters_venues_by_kind_and_commune(organiser_client, venue, market, other_commune):
    Venue.objects.create(commune=other_commune, name="Marché d'Anzin", kind=VenueKind.MARKET)

    by_kind = visible_text(organiser_client.get(VENUES, {"kind": VenueKind.MARKET}))
    by_commune = visible_text(organiser_client.get(VENUES, {"kind": VenueKind.MARKET, "commune": other_commune.pk}))

    assert "Marché de la place d'Armes" in by_kind
    assert "Marché d'Anzin" in by_kind
    assert "Salle des fêtes" not in by_kind
    assert "Marché d'Anzin" in by_commune
    assert "Marché de la place d'Armes" not in by_commune


@pytest.mark.django_db
def test_venue_list_queries_do_not_grow_with_rows(
    organiser_client, venue, commune, other_commune, django_assert_num_queries
):
    count_queries(organiser_client, VENUES)  # warms Wagtail's per-process caches
    few = count_queries(organiser_client, VENUES)
    for n in range(6):
        Venue.objects.create(commune=other_commune if n % 2 else commune, name=f"Salle {n}", kind=VenueKind.HALL)

    with django_assert_num_queries(few):
        organiser_client.get(VENUES)


@pytest.mark.django_db
def test_organiser_creates_a_venue(organiser_client, commune):
    response = organiser_client.post(f"{VENUES}add/", venue_form(commune))

    assert response.status_code == 302
    venue = Venue.objects.get(name="Marché du samedi")
    assert venue.recurrence == "FREQ=WEEKLY;BYDAY=SA"
    assert venue.opens_at == dt.time(8, 0)


@pytest.mark.django_db
def test_organiser_adds_a_day_without_market_on_the_venue_form(organiser_client, commune):
    closure = {
        "closures-TOTAL_FORMS": "1",
        "closures-0-date": "2026-12-26",
        "closures-0-reason": "Lendemain de Noël",
        "closures-0-ORDER": "1",
        "closures-0-DELETE": "",
        "closures-0-id": "",
    }
    response = organiser_client.post(f"{VENUES}add/", venue_form(commune, **closure))

    assert response.status_code == 302
    venue = Venue.objects.get(name="Marché du samedi")
    assert [(c.date, c.reason) for c in venue.closures.all()] == [(dt.date(2026, 12, 26), "Lendemain de Noël")]


@pytest.mark.django_db
def test_unreadable_recurrence_is_refused_in_french_and_nothing_saved(organiser_client, commune):
    response = organiser_client.post(f"{VENUES}add/", venue_form(commune, recurrence="chaque samedi"))

    text = visible_text(response)
    assert response.status_code == 200
    assert "Règle de récurrence illisible : chaque samedi. Exemple attendu : FREQ=WEEKLY;BYDAY=SA" in text
    assert "Le(la) lieu n'a pas pu être créé(e) à cause d'erreurs." in text
    # Shown on the field itself, where the organiser typed the rule.
    assert response.context["form"].errors["recurrence"][0].startswith("Règle de récurrence illisible")
    assert not Venue.objects.exists()


@pytest.mark.django_db
def test_recurring_venue_without_hours_is_refused_in_french(organiser_client, commune):
    response = organiser_client.post(f"{VENUES}add/", venue_form(commune, opens_at="", closes_at=""))

    assert "Un lieu récurrent a besoin d'une heure d'ouverture et de fermeture." in visible_text(response)
    assert response.context["form"].errors["opens_at"]
    assert not Venue.objects.exists()


@pytest.mark.django_db
def test_closing_before_opening_is_refused_in_french(organiser_client, commune):
    response = organiser_client.post(f"{VENUES}add/", venue_form(commune, opens_at="13:00", closes_at="08:00"))

    assert "L'heure de fermeture doit suivre l'heure d'ouverture." in visible_text(response)
    assert not Venue.objects.exists()


@pytest.mark.django_db
def test_venue_inspect_view_lists_the_next_occurrences_in_french(organiser_client, organiser, market, time_machine):
    # Monday 22 March 2027; summer time starts on Sunday 28 March: the market stays at 8 h 00.
    time_machine.move_to(dt.datetime(2027, 3, 22, 10, 0, tzinfo=PARIS), tick=False)
    organiser_client.force_login(organiser)  # the earlier session has expired by then

    text = visible_text(organiser_client.get(f"{VENUES}inspect/{market.pk}/"))

    assert "Prochaines dates" in text
    assert (
        "samedi 27 mars 2027, 8 h 00 – 13 h 00 samedi 3 avril 2027, 8 h 00 – 13 h 00 "
        "samedi 10 avril 2027, 8 h 00 – 13 h 00 samedi 17 avril 2027, 8 h 00 – 13 h 00 "
        "samedi 24 avril 2027, 8 h 00 – 13 h 00"
    ) in text
    assert "1 mai 2027" not in text


@pytest.mark.django_db
def test_fortnightly_market_keeps_the_weeks_set_in_the_form(organiser_client, organiser, commune, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS), tick=False)
    organiser_client.force_login(organiser)
    organiser_client.post(
        f"{VENUES}add/",
        venue_form(commune, recurrence="FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", recurrence_start="05/12/2026"),
    )
    venue = Venue.objects.get()

    text = visible_text(organiser_client.get(f"{VENUES}inspect/{venue.pk}/"))

    assert venue.recurrence_start == dt.date(2026, 12, 5)
    assert "samedi 5 décembre 2026, 8 h 00 – 13 h 00 samedi 19 décembre 2026, 8 h 00 – 13 h 00" in text
    assert "28 novembre" not in text


@pytest.mark.django_db
def test_venue_inspect_view_of_a_one_off_venue(organiser_client, venue):
    text = visible_text(organiser_client.get(f"{VENUES}inspect/{venue.pk}/"))

    assert "Ce lieu n'a pas de récurrence." in text


# Organisations --------------------------------------------------------------------


@pytest.fixture
def cooperative(other_commune):
    coop = Organisation.objects.create(
        name="Coopérative des Savoirs",
        legal_form=LegalForm.COOPERATIVE,
        commune=other_commune,
        summary="Forme aux métiers du numérique.",
        is_published=False,
    )
    coop.sectors.add(Sector.objects.create(name="Formation", slug="formation"))
    return coop


@pytest.mark.django_db
def test_organiser_lists_organisations(organiser_client, organisation, cooperative):
    text = visible_text(organiser_client.get(ORGANISATIONS))

    assert "Ressourcerie du Hainaut Modifier" in text
    assert "Association Valenciennes Publiée" in text
    assert "Coopérative (SCOP, SCIC…) Anzin Masquée" in text


@pytest.mark.django_db
def test_organiser_searches_organisations(organiser_client, organisation, cooperative):
    text = visible_text(organiser_client.get(ORGANISATIONS, {"q": "répare"}))

    assert "Ressourcerie du Hainaut" in text
    assert "Coopérative des Savoirs" not in text


@pytest.mark.parametrize(
    ("filters", "shown", "hidden"),
    [
        ({"legal_form": LegalForm.COOPERATIVE}, "Coopérative des Savoirs", "Ressourcerie du Hainaut"),
        ({"sectors": "reemploi"}, "Ressourcerie du Hainaut", "Coopérative des Savoirs"),
        ({"commune": "anzin"}, "Coopérative des Savoirs", "Ressourcerie du Hainaut"),
        ({"is_published": "false"}, "Coopérative des Savoirs", "Ressourcerie du Hainaut"),
    ],
)
@pytest.mark.django_db
def test_organiser_filters_organisations(organiser_client, organisation, cooperative, filters, shown, hidden):
    # Filters take primary keys: look them up from the readable names above.
    if "sectors" in filters:
        filters = {"sectors": Sector.objects.get(slug=filters["sectors"]).pk}
    if "commune" in filters:
        filters = {"commune": cooperative.commune_id}

    text = visible_text(organiser_client.get(ORGANISATIONS, filters))

    assert shown in text
    assert hidden not in text


@pytest.mark.django_db
def test_organisation_search_combines_with_filters(organiser_client, organisation, cooperative, sector):
    text = visible_text(organiser_client.get(ORGANISATIONS, {"q": "ressourcerie", "sectors": sector.pk}))

    assert "Ressourcerie du Hainaut" in text


@pytest.mark.django_db
def test_organisation_list_queries_do_not_grow_with_rows(
    organiser_client, organisation, commune, django_assert_num_queries
):
    count_queries(organiser_client, ORGANISATIONS)
    few = count_queries(organiser_client, ORGANISATIONS)
    for n in range(6):
        Organisation.objects.create(name=f"Asso {n}", legal_form=LegalForm.ASSOCIATION, commune=commune, summary="…")

    with django_assert_num_queries(few):
        organiser_client.get(ORGANISATIONS)


@pytest.mark.django_db
def test_organisation_inspect_view(organiser_client, organisation):
    text = visible_text(organiser_client.get(f"{ORGANISATIONS}inspect/{organisation.pk}/"))

    assert "Forme juridique Association" in text
    assert "Secteurs Réemploi" in text
    assert "Publiée dans l'annuaire Oui" in text


@pytest.mark.django_db
def test_organisation_slug_is_made_from_the_name_when_left_blank(organiser_client, commune, sector):
    response = organiser_client.post(
        f"{ORGANISATIONS}add/",
        {
            "name": "Épicerie Solidaire du Hainaut",
            "slug": "",
            "legal_form": LegalForm.ASSOCIATION,
            "sectors": [sector.pk],
            "summary": "Des produits frais à petit prix.",
            "description": rich_text(""),
            "commune": commune.pk,
            "is_published": "on",
        },
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Épicerie Solidaire du Hainaut")
    assert organisation.slug == "epicerie-solidaire-du-hainaut"
    assert list(organisation.sectors.all()) == [sector]


@pytest.mark.django_db
def test_organisation_slug_clash_is_reported_on_the_field(organiser_client, organisation, commune):
    response = organiser_client.post(
        f"{ORGANISATIONS}add/",
        {
            "name": "Ressourcerie du Hainaut !",
            "slug": "",
            "legal_form": LegalForm.ASSOCIATION,
            "summary": "Homonyme.",
            "description": rich_text(""),
            "commune": commune.pk,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    assert Organisation.objects.count() == 1


# Reference data -------------------------------------------------------------------


@pytest.mark.django_db
def test_organiser_views_and_searches_communes(organiser_client, commune, other_commune):
    listing = visible_text(organiser_client.get(COMMUNES))
    searched = visible_text(organiser_client.get(COMMUNES, {"q": "59014"}))

    assert "Valenciennes Inspecter 59606 59300 43 680" in listing
    assert "Anzin" in searched
    assert "Valenciennes" not in searched.replace("Valenciennes Métropole", "")
    assert "Ajouter un(e) commune" not in listing


@pytest.mark.django_db
def test_organiser_cannot_edit_a_commune(organiser_client, commune):
    edit = organiser_client.get(f"{COMMUNES}edit/{commune.pk}/")
    post = organiser_client.post(
        f"{COMMUNES}edit/{commune.pk}/",
        {
            "territory": commune.territory_id,
            "name": "Valenciennes-la-Neuve",
            "insee_code": "59606",
            "postcodes": "59300",
            "population": "1",
            "latitude": "50.3579",
            "longitude": "3.5233",
        },
    )
    add = organiser_client.get(f"{COMMUNES}add/")
    delete = organiser_client.post(f"{COMMUNES}delete/{commune.pk}/")

    assert (edit.status_code, edit["Location"]) == (302, "/admin/")
    assert (post.status_code, post["Location"]) == (302, "/admin/")
    assert (add.status_code, add["Location"]) == (302, "/admin/")
    assert (delete.status_code, delete["Location"]) == (302, "/admin/")
    assert Commune.objects.get(pk=commune.pk).name == "Valenciennes"


@pytest.mark.django_db
def test_superuser_edits_a_commune(client, django_user_model, commune):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "secret-pass-0"))

    response = client.post(
        f"{COMMUNES}edit/{commune.pk}/",
        {
            "territory": commune.territory_id,
            "name": "Valenciennes",
            "insee_code": "59606",
            "postcodes": "59300",
            "population": "43700",
            "latitude": "50.3579",
            "longitude": "3.5233",
        },
    )

    assert response.status_code == 302
    assert Commune.objects.get(pk=commune.pk).population == 43700


# Outsiders ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [VENUES, ORGANISATIONS, COMMUNES, "/admin/snippets/territory/territory/"])
@pytest.mark.django_db
def test_outsider_and_anonymous_are_sent_to_the_login_page(client, outsider, venue, organisation, path):
    anonymous = client.get(path)
    client.force_login(outsider)
    logged_in = client.get(path)

    for response in (anonymous, logged_in):
        assert response.status_code == 302
        assert response["Location"] == f"/admin/login/?next={path}"
    shown = visible_text(client.get(path, follow=True))
    assert "Salle des fêtes" not in shown
    assert "Ressourcerie du Hainaut" not in shown


@pytest.mark.django_db
def test_outsider_cannot_create_a_venue(client, outsider, commune):
    client.force_login(outsider)

    response = client.post(f"{VENUES}add/", venue_form(commune))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not Venue.objects.exists()


@pytest.mark.django_db
def test_admin_access_alone_shows_no_territory_data(client, organiser, venue, organisation):
    # The conftest organiser only has admin access, not the Organisateurs group.
    client.force_login(organiser)

    response = client.get(VENUES)

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert "Salle des fêtes" not in visible_text(client.get("/admin/"))
