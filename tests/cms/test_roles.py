"""The back-office roles created by cms/migrations/0002_organiser_group.py, and the admin's language."""

import importlib
import json
import re
import types

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from tests.html import visible_text

roles_migration = importlib.import_module("cms.migrations.0002_organiser_group")

ORGANISER_PERMISSIONS = {
    "wagtailadmin.access_admin",
    *(
        f"territory.{action}_{model}"
        for model in ("venue", "organisation", "sector")
        for action in ("add", "change", "delete", "view")
    ),
    *(f"indicators.{action}_committee" for action in ("add", "change", "delete", "view")),
    "territory.view_territory",
    "territory.view_commune",
    *(f"indicators.view_{model}" for model in ("actionplan", "orientation", "objective", "action")),
    # cms/migrations/0003: check-in and registrations.
    "events.perform_checkin",
    "events.view_checkin",
    "events.view_scan",
    "events.view_registration",
    "events.add_registration",
    "events.change_registration",
    "events.view_visitorcheckin",
    "events.view_tallymark",
    "events.view_outgoingemail",
    # cms/migrations/0004: the village's back office.
    "events.view_visitrequest",
    "events.change_visitrequest",
    "events.decide_visitrequest",
    "events.view_stand",
    "events.add_stand",
    "events.change_stand",
    *(f"events.{action}_kitday" for action in ("add", "change", "delete", "view")),
    *(f"volunteers.{action}_shift" for action in ("add", "change", "delete", "view")),
    # cms/migrations/0005: the volunteers' skills and profiles.
    *(f"volunteers.{action}_skill" for action in ("add", "change", "view")),
    "volunteers.view_volunteerprofile",
    # cms/migrations/0006: missions, and the matches of their volunteers.
    *(f"volunteers.{action}_mission" for action in ("add", "change", "delete", "view")),
    "volunteers.view_missionmatch",
    "volunteers.change_missionmatch",
    # cms/migrations/0007: the indicators' targets and the governance bodies' meetings.
    *(
        f"indicators.{action}_{model}"
        for action in ("add", "change", "delete", "view")
        for model in ("indicatortarget", "committeemeeting")
    ),
}
CHECKIN_STAFF_PERMISSIONS = {"events.perform_checkin", "events.view_registration"}


def menu_labels(response) -> set[str]:
    """The labels of the admin's sidebar, which the page ships as JSON for its script to draw."""
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', response.content.decode(), re.S)
    labels = set()

    def collect(node):
        if isinstance(node, dict):
            if isinstance(node.get("label"), str):
                labels.add(node["label"])
            node = list(node.values())
        if isinstance(node, list):
            for child in node:
                collect(child)

    collect(json.loads(props.group(1)))
    return labels


def group_permissions(group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.django_db
def test_organisers_group_has_exactly_the_planned_model_permissions():
    assert group_permissions(Group.objects.get(name="Organisateurs")) == ORGANISER_PERMISSIONS


@pytest.mark.django_db
def test_checkin_staff_may_check_in_and_see_registrations_only():
    assert group_permissions(Group.objects.get(name="Équipe de pointage")) == CHECKIN_STAFF_PERMISSIONS


@pytest.mark.django_db
def test_organisers_manage_every_page_from_the_root():
    organisers = Group.objects.get(name="Organisateurs")

    granted = GroupPagePermission.objects.filter(group=organisers).select_related("permission", "page")

    assert {p.page.pk for p in granted} == {Page.get_first_root_node().pk}
    assert {p.permission.codename for p in granted} == {
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    }


@pytest.mark.django_db
def test_organisers_add_and_choose_images_and_documents_in_every_collection():
    organisers = Group.objects.get(name="Organisateurs")

    granted = GroupCollectionPermission.objects.filter(group=organisers).select_related("permission__content_type")

    assert {p.collection_id for p in granted} == {Collection.get_first_root_node().pk}
    assert {f"{p.permission.content_type.app_label}.{p.permission.codename}" for p in granted} == {
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    }


@pytest.mark.django_db
def test_checkin_staff_group_has_no_page_permission():
    staff = Group.objects.get(name="Équipe de pointage")

    assert not GroupPagePermission.objects.filter(group=staff).exists()


@pytest.mark.django_db
def test_an_organiser_member_has_the_permissions(organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))

    assert organiser.has_perms(["territory.change_venue", "indicators.view_actionplan", "wagtailadmin.access_admin"])
    assert not organiser.has_perm("territory.change_commune")
    assert not organiser.has_perm("indicators.change_actionplan")


@pytest.mark.django_db
def test_migration_reverses_and_reapplies():
    state_apps = MigrationLoader(connection).project_state(("cms", "0002_organiser_group")).apps
    schema_editor = types.SimpleNamespace(connection=connection)

    roles_migration.delete_groups(state_apps, schema_editor)
    assert not Group.objects.filter(name__in=["Organisateurs", "Équipe de pointage"]).exists()
    assert (
        not GroupPagePermission.objects.exists()
        or not GroupPagePermission.objects.filter(group__name="Organisateurs").exists()
    )

    roles_migration.create_groups(state_apps, schema_editor)
    roles_migration.create_groups(state_apps, schema_editor)  # idempotent
    assert group_permissions(Group.objects.get(name="Organisateurs")) == {
        p
        for p in ORGANISER_PERMISSIONS
        # Granted by later migrations: 0003 (events), 0005-0006 (volunteers), 0007 (targets, meetings).
        if not p.startswith(("events.", "volunteers.")) and not p.endswith(("_indicatortarget", "_committeemeeting"))
    }
    assert GroupPagePermission.objects.filter(group__name="Organisateurs").count() == 5
    assert Group.objects.filter(name="Équipe de pointage").count() == 1


# The admin, as each persona meets it -------------------------------------------------


@pytest.mark.django_db
def test_admin_speaks_french_to_a_user_without_preference(client, organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)

    response = client.get("/admin/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in html
    assert "<title>Tableau de bord - Le Village de l'ESS</title>" in " ".join(html.split())
    assert "Le Village de l'ESS" in visible_text(response)
    assert {
        "Pages",
        "Événements",
        "Territoire",
        "Structures de l'ESS",
        "Lieux",
        "Communes",
        "Plan d'actions",
        "Plans d'actions",
        "Images",
        "Documents",
        "Rapports",
    } <= menu_labels(response)


@pytest.mark.django_db
def test_login_page_is_branded_and_french(client):
    text = visible_text(client.get("/admin/login/"))

    assert "Espace des organisateurs du Village de l'ESS" in text
    assert "Nom d’utilisateur* Mot de passe*" in text
    assert "S'identifier" in text


@pytest.mark.django_db
def test_outsider_is_refused_the_admin(client, outsider):
    client.force_login(outsider)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[0] == ("/admin/login/?next=/admin/", 302)
    assert "Vous n’avez pas l’autorisation d’accéder à l’administration." in visible_text(response)


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get("/admin/")

    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")


@pytest.mark.django_db
def test_organiser_edits_any_page(client, organiser, agenda_page, event):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)

    for page in (agenda_page, event, agenda_page.get_parent()):
        assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
