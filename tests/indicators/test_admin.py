"""The "Plan d'actions" menu of the Wagtail admin."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Action, ActionPlan, Committee, Objective, Orientation
from tests.html import visible_text

PLANS = "/admin/snippets/indicators/actionplan/"
COMMITTEES = "/admin/snippets/indicators/committee/"


@pytest.fixture
def organiser_client(client, organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)
    return client


@pytest.fixture
def committees(plan):
    return [
        Committee.objects.create(plan=plan, name="Comité de pilotage", min_meetings_per_year=1, role="Coordonner"),
        Committee.objects.create(plan=plan, name="Comité technique", min_meetings_per_year=2),
    ]


def grow(plan, orientations=4, objectives=3, actions=4):
    """Adds orientations x objectives x actions, and as many committees as orientations."""
    for o in range(orientations):
        orientation = Orientation.objects.create(plan=plan, code=f"X{o}", title=f"Orientation {o}", position=10 + o)
        Committee.objects.create(plan=plan, name=f"Groupe de travail {o}", min_meetings_per_year=o)
        for b in range(objectives):
            objective = Objective.objects.create(
                orientation=orientation, code=f"X{o}.{b}", title=f"Objectif {o}.{b}", position=b
            )
            for a in range(actions):
                Action.objects.create(objective=objective, code=f"X{o}.{b}.{a}", title=f"Action {a}", position=a)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_plan_inspect_view_shows_the_tree_in_plan_order(organiser_client, plan, committees):
    text = visible_text(organiser_client.get(f"{PLANS}inspect/{plan.pk}/"))

    assert "Période 2021–2026" in text
    assert "2 orientations, 3 objectifs, 5 actions." in text
    assert (
        "O3 Visibilité : sensibilisation et promotion "
        "O3.1 Promouvoir l'ESS auprès des décideurs "
        "O3.1.a Sensibilisation auprès des élus O3.1.b Village itinérant de l'ESS "
        "O3.2 Faire connaître l'ESS au grand public O3.2.a Rencontres thématiques "
        "O4 Citoyenneté, bénévolat et jeunesse O4.1 Encourager la participation "
        "O4.1.a Sensibilisation du public jeune O4.1.b Promotion du bénévolat"
    ) in text


@pytest.mark.django_db
def test_plan_inspect_view_shows_the_default_action_of_each_kind(organiser_client, plan):
    text = visible_text(organiser_client.get(f"{PLANS}inspect/{plan.pk}/"))

    assert "Petit-déjeuner thématique O3.2.a Rencontres thématiques" in text
    assert "Village itinérant O3.1.b Village itinérant de l'ESS" in text
    assert "Sensibilisation des élus O3.1.a Sensibilisation auprès des élus" in text
    assert "Sensibilisation des jeunes O4.1.a Sensibilisation du public jeune" in text
    assert "Bénévolat O4.1.b Promotion du bénévolat" in text


@pytest.mark.django_db
def test_plan_inspect_view_points_out_a_default_code_with_no_action(organiser_client, plan):
    plan.default_action_codes["youth_outreach"] = "O9.9.z"
    plan.save()

    text = visible_text(organiser_client.get(f"{PLANS}inspect/{plan.pk}/"))

    assert "Sensibilisation des jeunes O9.9.z — aucune action du plan ne porte ce code" in text


@pytest.mark.django_db
def test_plan_inspect_view_shows_committees_and_their_minimum_meetings(organiser_client, plan, committees):
    text = visible_text(organiser_client.get(f"{PLANS}inspect/{plan.pk}/"))

    assert "Comité de pilotage 1 par an Coordonner" in text
    assert "Comité technique 2 par an —" in text


@pytest.mark.django_db
def test_plan_inspect_view_queries_do_not_grow_with_the_plan(
    organiser_client, plan, committees, django_assert_num_queries
):
    url = f"{PLANS}inspect/{plan.pk}/"
    count_queries(organiser_client, url)  # warms Wagtail's per-process caches
    small = count_queries(organiser_client, url)
    grow(plan)

    with django_assert_num_queries(small):
        response = organiser_client.get(url)
    assert "6 orientations, 15 objectifs, 53 actions." in visible_text(response)


@pytest.mark.django_db
def test_plan_list(organiser_client, plan):
    text = visible_text(organiser_client.get(PLANS))

    assert "PLDESS 2021-2026 Inspecter Valenciennes Métropole 2021–2026" in text
    assert "Ajouter un(e) plan d'actions" not in text


@pytest.mark.django_db
def test_plans_cannot_be_added_or_edited_in_the_admin_even_by_a_superuser(client, django_user_model, plan):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "secret-pass-0"))

    add = client.get(f"{PLANS}add/")
    edit = client.post(f"{PLANS}edit/{plan.pk}/", {"title": "Autre", "short_title": "Autre"})
    listing = visible_text(client.get(PLANS))

    assert (add.status_code, add["Location"]) == (302, "/admin/")
    assert (edit.status_code, edit["Location"]) == (302, "/admin/")
    assert ActionPlan.objects.get().short_title == "PLDESS 2021-2026"
    assert "Supprimer" in listing


@pytest.mark.django_db
def test_organiser_cannot_delete_a_plan(organiser_client, plan):
    response = organiser_client.post(f"{PLANS}delete/{plan.pk}/")

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert ActionPlan.objects.filter(pk=plan.pk).exists()


@pytest.mark.django_db
def test_committee_form_says_what_a_new_plan_import_does(organiser_client, plan):
    text = visible_text(organiser_client.get(f"{COMMITTEES}add/"))

    assert "un nouvel import remet les valeurs du fichier pour les instances qu'il nomme" in text
    assert "Une instance ajoutée ici est conservée." in text


@pytest.mark.django_db
def test_organiser_records_a_committee(organiser_client, plan):
    response = organiser_client.post(
        f"{COMMITTEES}add/",
        {"plan": plan.pk, "name": "Collectif d'acteurs", "role": "", "min_meetings_per_year": "2", "every_years": ""},
    )

    assert response.status_code == 302
    assert Committee.objects.get(plan=plan).min_meetings_per_year == 2
    listing = visible_text(organiser_client.get(COMMITTEES))
    assert "Collectif d'acteurs Modifier Copier Supprimer PLDESS 2021-2026 2" in listing


@pytest.mark.parametrize("path", [PLANS, COMMITTEES, f"{PLANS}inspect/1/"])
@pytest.mark.django_db
def test_outsider_and_anonymous_are_sent_to_the_login_page(client, outsider, plan, path):
    path = path.replace("/1/", f"/{plan.pk}/")
    anonymous = client.get(path)
    client.force_login(outsider)
    logged_in = client.get(path)

    for response in (anonymous, logged_in):
        assert response.status_code == 302
        assert response["Location"] == f"/admin/login/?next={path}"
