"""Event pages in the Wagtail admin: creating each kind, and the "Événements" listing."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from events.models import EventKind, EventPage, EventStatus
from indicators.models import Action, ActionPlan, Objective, Orientation
from territory.models import PARIS
from tests.html import visible_text

EVENTS = "/admin/events/"

KIND_FORMS = {
    EventKind.THEMATIC_BREAKFAST: ("thematicbreakfastpage", {"theme": "Alimentation durable"}),
    EventKind.ITINERANT_VILLAGE: ("villagestoppage", {"village_format": "mini_village", "setup_from": "07:00"}),
    EventKind.ELECTED_AWARENESS: ("electedawarenesspage", {}),
    EventKind.YOUTH_OUTREACH: ("youthoutreachpage", {"structure_name": "Lycée Watteau", "level": "vocational"}),
}


@pytest.fixture(autouse=True)
def now(time_machine):
    """Monday 23 November 2026: the plan 2021-2026 is still running."""
    moment = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def organiser_client(client, organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)
    return client


def add_url(agenda_page, kind) -> str:
    return f"/admin/pages/add/events/{KIND_FORMS[kind][0]}/{agenda_page.pk}/"


def filled_form(client, url, **fields):
    """The add form as the browser would send it, with the organiser's input."""
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    values = {
        "title": "Rencontre de l'ESS",
        "slug": "rencontre-de-l-ess",
        "summary": "Un temps d'échange autour de l'ESS.",
        "start": "10/12/2026 08:30",
        "end": "10/12/2026 10:00",
        "action-publish": "action-publish",
        **fields,
    }
    for name, value in values.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


@pytest.mark.parametrize("kind", list(EventKind))
@pytest.mark.django_db
def test_organiser_creates_and_publishes_each_kind(organiser_client, agenda_page, plan, venue, kind):
    url = add_url(agenda_page, kind)
    data = filled_form(organiser_client, url, venue=str(venue.pk), **KIND_FORMS[kind][1])

    response = organiser_client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{agenda_page.pk}/"
    page = EventPage.objects.get(slug="rencontre-de-l-ess")
    assert page.live
    assert page.kind == kind
    assert page.commune == venue.commune
    assert page.start == dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS)
    assert page.start_date == dt.date(2026, 12, 10)
    assert [a.code for a in page.plan_actions.all()] == [plan.default_action_codes[kind]]
    assert [a.code for a in page.get_latest_revision_as_object().plan_actions.all()] == [
        plan.default_action_codes[kind]
    ]


@pytest.mark.django_db
def test_kind_specific_fields_are_saved(organiser_client, agenda_page, plan, commune):
    url = add_url(agenda_page, EventKind.YOUTH_OUTREACH)
    data = filled_form(organiser_client, url, commune=str(commune.pk), **KIND_FORMS[EventKind.YOUTH_OUTREACH][1])

    organiser_client.post(url, data)

    page = EventPage.objects.get(slug="rencontre-de-l-ess").specific
    assert (page.structure_name, page.level) == ("Lycée Watteau", "vocational")


@pytest.mark.django_db
def test_chosen_plan_actions_replace_the_default(organiser_client, agenda_page, plan, commune):
    chosen = Action.objects.get(code="O4.1.b")
    url = add_url(agenda_page, EventKind.ITINERANT_VILLAGE)
    data = filled_form(organiser_client, url, commune=str(commune.pk), plan_actions=[str(chosen.pk)])

    organiser_client.post(url, data)

    page = EventPage.objects.get(slug="rencontre-de-l-ess")
    assert page.live
    assert [a.code for a in page.plan_actions.all()] == ["O4.1.b"]


@pytest.mark.django_db
def test_end_before_start_is_refused_in_french_and_nothing_saved(organiser_client, agenda_page, commune):
    url = add_url(agenda_page, EventKind.ELECTED_AWARENESS)
    data = filled_form(organiser_client, url, commune=str(commune.pk), end="10/12/2026 08:00")

    response = organiser_client.post(url, data)

    assert response.status_code == 200
    assert "La fin doit être postérieure au début." in visible_text(response)
    assert not EventPage.objects.exists()


@pytest.mark.django_db
def test_event_without_place_is_refused_in_french(organiser_client, agenda_page):
    url = add_url(agenda_page, EventKind.ELECTED_AWARENESS)

    response = organiser_client.post(url, filled_form(organiser_client, url))

    assert "Indiquez un lieu ou au moins une commune." in visible_text(response)
    assert not EventPage.objects.exists()


@pytest.fixture
def ended_plan(territory):
    plan = ActionPlan.objects.create(
        territory=territory, title="Ancien plan", short_title="PLESS 2015-2020", start_year=2015, end_year=2020
    )
    orientation = Orientation.objects.create(plan=plan, code="A1", title="Ancienne orientation")
    objective = Objective.objects.create(orientation=orientation, code="A1.1", title="Ancien objectif")
    return Action.objects.create(objective=objective, code="A1.1.a", title="Ancienne action")


@pytest.mark.django_db
def test_plan_actions_are_checkboxes_grouped_by_objective(organiser_client, agenda_page, plan, ended_plan):
    response = organiser_client.get(add_url(agenda_page, EventKind.YOUTH_OUTREACH))

    html = response.content.decode()
    text = visible_text(response)
    assert 'type="checkbox" name="plan_actions"' in html
    assert (
        "O4.1 Encourager la participation O4.1.a Sensibilisation du public jeune "
        "(par défaut pour ce type d'événement) O4.1.b Promotion du bénévolat"
    ) in text
    assert "Ancienne action" not in text


@pytest.mark.django_db
def test_after_its_period_the_last_plan_is_still_offered(organiser_client, organiser, agenda_page, plan, time_machine):
    # No successor adopted yet: the 2021-2026 plan stays in force, as for the default action.
    time_machine.move_to(dt.datetime(2027, 2, 1, 10, 0, tzinfo=PARIS), tick=False)
    organiser_client.force_login(organiser)

    text = visible_text(organiser_client.get(add_url(agenda_page, EventKind.ITINERANT_VILLAGE)))

    assert "O3.1.b Village itinérant de l'ESS (par défaut pour ce type d'événement)" in text


@pytest.mark.django_db
def test_editing_keeps_offering_an_action_of_an_ended_plan(organiser_client, make_event, plan, ended_plan):
    event = make_event(plan_actions=[ended_plan])

    response = organiser_client.get(f"/admin/pages/{event.pk}/edit/")

    text = visible_text(response)
    assert "PLESS 2015-2020 · A1.1 Ancien objectif A1.1.a Ancienne action" in text
    assert "PLDESS 2021-2026 · O3.1 Promouvoir l'ESS auprès des décideurs" in text


@pytest.mark.parametrize("kind", list(EventKind))
@pytest.mark.django_db
def test_outsider_and_anonymous_cannot_create_events(client, outsider, agenda_page, commune, kind):
    url = add_url(agenda_page, kind)
    data = {
        "title": "Intrus",
        "slug": "intrus",
        "summary": "…",
        "start": "10/12/2026 08:30",
        "end": "10/12/2026 10:00",
        "commune": commune.pk,
        "action-publish": "action-publish",
    }

    anonymous = client.post(url, data)
    client.force_login(outsider)
    logged_in = client.post(url, data)

    for response in (anonymous, logged_in):
        assert response.status_code == 302
        assert response["Location"] == f"/admin/login/?next={url}"
    assert not EventPage.objects.exists()


# The "Événements" listing ---------------------------------------------------------


@pytest.fixture
def season(make_event, commune, other_commune, venue):
    return {
        "breakfast": make_event(title="Petit-déjeuner réemploi", start=dt.datetime(2026, 12, 3, 8, 30, tzinfo=PARIS)),
        "village": make_event(
            kind=EventKind.ITINERANT_VILLAGE,
            title="Village à Anzin",
            commune=other_commune,
            start=dt.datetime(2027, 1, 9, 8, 0, tzinfo=PARIS),
            status=EventStatus.POSTPONED,
        ),
        "elected": make_event(
            kind=EventKind.ELECTED_AWARENESS,
            title="Élus de Valenciennes",
            venue=venue,
            start=dt.datetime(2027, 2, 4, 18, 0, tzinfo=PARIS),
        ),
    }


@pytest.mark.django_db
def test_organiser_lists_all_events_in_french(organiser_client, season):
    text = visible_text(organiser_client.get(EVENTS))

    assert "Tous les événements" in text
    assert "Sensibilisation des élus 4 février 2027, 18:00 Salle des fêtes, Valenciennes Programmé" in text
    assert "Village itinérant 9 janvier 2027, 08:00 Anzin Reporté" in text
    assert "Petit-déjeuner thématique 3 décembre 2026, 08:30 Valenciennes Programmé" in text
    # Latest first.
    assert text.index("Élus de Valenciennes") < text.index("Village à Anzin") < text.index("Petit-déjeuner réemploi")


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        ({"kind": EventKind.ITINERANT_VILLAGE}, {"Village à Anzin"}),
        ({"status": EventStatus.SCHEDULED}, {"Petit-déjeuner réemploi", "Élus de Valenciennes"}),
        ({"commune": "other"}, {"Village à Anzin"}),
        ({"start_date_from": "2027-01-01", "start_date_to": "2027-01-31"}, {"Village à Anzin"}),
        ({"q": "élus"}, {"Élus de Valenciennes"}),
        ({"q": "village", "status": EventStatus.POSTPONED}, {"Village à Anzin"}),
    ],
)
@pytest.mark.django_db
def test_organiser_filters_events(organiser_client, season, other_commune, filters, shown):
    if filters.get("commune") == "other":
        filters = {"commune": other_commune.pk}

    text = visible_text(organiser_client.get(EVENTS, filters))

    for title in {"Petit-déjeuner réemploi", "Village à Anzin", "Élus de Valenciennes"}:
        assert (title in text) == (title in shown), title


@pytest.mark.django_db
def test_event_list_queries_do_not_grow_with_rows(
    organiser_client, season, make_event, other_commune, venue, django_assert_num_queries
):
    # Wagtail fetches the specific pages with one query per page type: have every kind
    # listed from the start, so only the number of rows changes.
    make_event(kind=EventKind.YOUTH_OUTREACH, title="Forum des métiers")
    count_queries = _count_queries(organiser_client, EVENTS)
    for n in range(8):
        make_event(
            kind=list(EventKind)[n % 4], title=f"Événement {n}", venue=venue if n % 2 else None, commune=other_commune
        )

    with django_assert_num_queries(count_queries):
        organiser_client.get(EVENTS)


def _count_queries(client, url) -> int:
    client.get(url)  # warms Wagtail's per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_add_button_leads_to_the_choice_of_kinds(organiser_client, agenda_page):
    response = organiser_client.get(EVENTS)

    choose_kind = reverse("wagtailadmin_pages:add_subpage", args=[agenda_page.pk])
    assert f'href="{choose_kind}"' in response.content.decode()
    kinds = visible_text(organiser_client.get(choose_kind))
    for label in (
        "Petit-déjeuner thématique",
        "Étape du village itinérant",
        "Sensibilisation des élus",
        "Sensibilisation des jeunes",
    ):
        assert label in kinds


@pytest.mark.django_db
def test_outsider_and_anonymous_do_not_see_the_event_list(client, outsider, season):
    anonymous = client.get(EVENTS)
    client.force_login(outsider)
    logged_in = client.get(EVENTS)

    for response in (anonymous, logged_in):
        assert response.status_code == 302
        assert response["Location"] == f"/admin/login/?next={EVENTS}"
