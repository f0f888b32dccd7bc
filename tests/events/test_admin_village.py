"""The village in the admin: the kits, a stop's editor (kit and day rules, a market's next dates),
and cancelling or moving an event in one action."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from events.admin_village import people_to_tell
from events.models import (
    EventKind,
    EventStatus,
    KitDay,
    OutgoingEmail,
    VillageStopPage,
    VisitRequestAction,
    VisitRequestStatus,
)
from events.services.village import apply_for_stand, confirm_stand
from territory.models import PARIS
from tests.html import visible_text
from volunteers.models import Shift, ShiftSignup

from .conftest import STOP_START

pytestmark = pytest.mark.django_db

KITS = "/admin/kits-du-village/"


@pytest.fixture(autouse=True)
def _now(village_now):
    pass


@pytest.fixture
def organiser_client(client, village_organiser):
    client.force_login(village_organiser)
    return client


def cancel_or_move_url(event) -> str:
    return f"/admin/evenements/{event.pk}/annuler-ou-reporter/"


def refused(response) -> bool:
    """Wagtail answers a refusal in its admin by sending back to the dashboard (or to the login)."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and (
        response["Location"] == "/admin/" or response["Location"].startswith("/admin/login/")
    )


# Kits -----------------------------------------------------------------------------------------


def test_the_kits_page_shows_the_usual_number_and_the_special_days(organiser_client, territory, stop):
    KitDay.objects.create(territory=territory, date=dt.date(2026, 12, 5), kits=3, reason="Faites de l'ESS")

    response = organiser_client.get(KITS)
    text = visible_text(response)

    assert "Kits du village" in text
    assert "Kits habituels" in text
    assert f'name="territory-{territory.pk}-village_kits" value="1"' in response.content.decode()
    assert "5 décembre 2026 Modifier Supprimer 3 1 étape programmée Faites de l'ESS Valenciennes Métropole" in text


def test_the_kits_list_is_constant_query(organiser_client, territory, make_event, django_assert_num_queries):
    def add_days(first, count):
        for n in range(count):
            day = first + dt.timedelta(days=7 * n)
            KitDay.objects.create(territory=territory, date=day, kits=2)
            make_event(EventKind.ITINERANT_VILLAGE, start=dt.datetime.combine(day, dt.time(9), tzinfo=PARIS), hours=3)

    add_days(dt.date(2026, 12, 5), 2)
    with CaptureQueriesContext(connection) as few:
        organiser_client.get(KITS)
    add_days(dt.date(2027, 1, 2), 8)

    with django_assert_num_queries(len(few)):
        response = organiser_client.get(KITS)

    assert visible_text(response).count("1 étape programmée") == 10


def test_organiser_sets_the_usual_number_of_kits(organiser_client, territory):
    response = organiser_client.post(KITS, {"territory": territory.pk, f"territory-{territory.pk}-village_kits": "3"})

    territory.refresh_from_db()
    assert territory.village_kits == 3
    assert "Valenciennes Métropole : 3 kits habituels." in visible_text(organiser_client.get(response["Location"]))


def test_more_than_twenty_kits_is_refused(organiser_client, territory):
    response = organiser_client.post(KITS, {"territory": territory.pk, f"territory-{territory.pk}-village_kits": "21"})

    assert response.status_code == 200
    assert "20 kits au plus." in visible_text(response)
    territory.refresh_from_db()
    assert territory.village_kits == 1


def test_fewer_kits_than_stops_on_a_day_is_pointed_out(organiser_client, territory, stop):
    response = organiser_client.post(
        KITS, {"territory": territory.pk, f"territory-{territory.pk}-village_kits": "0"}, follow=True
    )

    assert "Plus d'étapes que de kits ces jours-là : 5 décembre 2026 : 1 étapes pour 0 kit(s)." in visible_text(
        response
    )


def test_organiser_adds_a_day_with_more_kits(organiser_client, territory):
    response = organiser_client.post(
        f"{KITS}new/", {"territory": territory.pk, "date": "12/12/2026", "kits": "2", "reason": "Faites de l'ESS"}
    )

    assert response.status_code == 302
    day = KitDay.objects.get()
    assert (day.date, day.kits, day.reason) == (dt.date(2026, 12, 12), 2, "Faites de l'ESS")


def test_a_second_row_for_the_same_day_or_too_many_kits_is_refused(organiser_client, territory):
    KitDay.objects.create(territory=territory, date=dt.date(2026, 12, 12), kits=2)

    twice = organiser_client.post(f"{KITS}new/", {"territory": territory.pk, "date": "12/12/2026", "kits": "3"})
    too_many = organiser_client.post(f"{KITS}new/", {"territory": territory.pk, "date": "19/12/2026", "kits": "21"})

    assert "Le 12 décembre 2026 a déjà son nombre de kits : modifiez cette journée plutôt." in visible_text(twice)
    assert "20 kits au plus." in visible_text(too_many)
    assert KitDay.objects.count() == 1


def test_the_kits_are_the_organisers_only(client, outsider, organiser, territory):
    for user in (outsider, organiser):
        client.force_login(user)
        page = client.get(KITS)
        change = client.post(KITS, {"territory": territory.pk, f"territory-{territory.pk}-village_kits": "5"})
        add = client.post(f"{KITS}new/", {"territory": territory.pk, "date": "12/12/2026", "kits": "2"})
        assert refused(page) and refused(change) and refused(add)
    client.logout()
    assert client.get(KITS)["Location"].startswith("/admin/login/")
    territory.refresh_from_db()
    assert territory.village_kits == 1
    assert not KitDay.objects.exists()


# A stop's editor -------------------------------------------------------------------------------------


def stop_form(place, **fields) -> dict:
    values = {
        "title": "Village à la ducasse",
        "slug": "village-a-la-ducasse",
        "summary": "Le village s'installe à la ducasse.",
        "village_format": "full_village",
        "setup_from": "",
        "teardown_until": "",
        "start": "05/12/2026 14:00",
        "end": "05/12/2026 18:00",
        "venue": "",
        "commune": str(place.pk),
        "status": EventStatus.SCHEDULED,
        "status_note": "",
        "capacity": "",
        "audience": "",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "body": rich_text(""),
        "accessibility": "",
        "contact_email": "",
        "pitches": inline_formset([]),
        "seo_title": "",
        "search_description": "",
        "action-publish": "action-publish",
        **fields,
    }
    return nested_form_data(values)


def add_stop_url(parent) -> str:
    return reverse("wagtailadmin_pages:add", args=("events", "villagestoppage", parent.pk))


def test_a_stop_on_a_day_without_a_free_kit_is_refused_naming_the_other(organiser_client, agenda_page, stop, commune):
    response = organiser_client.post(add_stop_url(agenda_page), stop_form(commune))

    text = visible_text(response)
    assert response.status_code == 200
    assert "Le village est déjà programmé le samedi 5 décembre 2026 : « Village au marché »" in text
    assert list(VillageStopPage.objects.all()) == [stop]


def test_moving_a_stop_onto_a_taken_day_in_the_editor_is_refused(organiser_client, make_event, stop, commune):
    other = make_event(EventKind.ITINERANT_VILLAGE, start=dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS), hours=4)
    revisions = other.revisions.count()

    response = organiser_client.post(
        reverse("wagtailadmin_pages:edit", args=[other.pk]),
        stop_form(commune, title=other.title, slug=other.slug),
    )

    assert "« Village au marché »" in visible_text(response)
    other.refresh_from_db()
    assert other.start == dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS)
    assert other.revisions.count() == revisions


def test_editing_a_stop_on_its_own_day_is_not_a_clash(organiser_client, make_event, commune):
    own = make_event(EventKind.ITINERANT_VILLAGE, start=dt.datetime(2026, 12, 5, 14, 0, tzinfo=PARIS), hours=4)

    response = organiser_client.post(
        reverse("wagtailadmin_pages:edit", args=[own.pk]),
        stop_form(commune, title="Village à la ducasse, nouveau titre", slug=own.slug),
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.title == "Village à la ducasse, nouveau titre"


def test_a_day_with_more_kits_takes_a_second_stop(organiser_client, agenda_page, stop, commune, territory):
    KitDay.objects.create(territory=territory, date=dt.date(2026, 12, 5), kits=2)

    response = organiser_client.post(add_stop_url(agenda_page), stop_form(commune))

    assert response.status_code == 302
    assert VillageStopPage.objects.count() == 2


def test_a_postponed_stop_holds_no_kit(organiser_client, agenda_page, stop, commune):
    response = organiser_client.post(
        add_stop_url(agenda_page), stop_form(commune, status=EventStatus.POSTPONED, status_note="Date à venir")
    )

    # Saved although `stop` holds the only kit that day: a postponed stop takes none.
    assert response.status_code == 302
    postponed = VillageStopPage.objects.get(status=EventStatus.POSTPONED)
    assert postponed.start_date == stop.start_date


def test_a_stop_over_two_days_is_refused(organiser_client, agenda_page, commune):
    response = organiser_client.post(
        add_stop_url(agenda_page), stop_form(commune, start="12/12/2026 20:00", end="13/12/2026 02:00")
    )

    assert "Une étape du village tient sur une seule journée." in visible_text(response)
    assert not VillageStopPage.objects.exists()


def test_the_editor_loads_the_market_dates_script(organiser_client, agenda_page):
    html = organiser_client.get(add_stop_url(agenda_page)).content.decode()

    assert "js/admin-stop-occurrences.js" in html
    assert 'data-occurrences-url="/admin/village/venue/0/occurrences/"' in html
    assert 'data-label="Prochaines dates du marché"' in html


# A market's next dates --------------------------------------------------------------------------------


def occurrences_url(venue) -> str:
    return f"/admin/village/venue/{venue.pk}/occurrences/"


def test_a_saturday_market_stays_at_eight_across_the_change_to_summer_time(
    client, village_organiser, market, time_machine
):
    time_machine.move_to(dt.datetime(2027, 3, 15, 12, 0, tzinfo=PARIS), tick=False)
    client.force_login(village_organiser)

    data = client.get(occurrences_url(market)).json()

    first = data["occurrences"][:3]
    assert data["venue"] == "Marché de la place d'Armes"
    assert len(data["occurrences"]) == 8
    # 27 March is the last Saturday in winter time (UTC+1), 3 April the first in summer time (UTC+2).
    assert [o["start"] for o in first] == ["2027-03-20 08:00", "2027-03-27 08:00", "2027-04-03 08:00"]
    assert [o["end"] for o in first] == ["2027-03-20 13:00", "2027-03-27 13:00", "2027-04-03 13:00"]
    assert first[2]["start_input"] == "03/04/2027 08:00"
    assert first[2]["label"] == "samedi 3 avril 2027, 8 h 00 – 13 h 00"


def test_a_venue_without_recurrence_has_no_dates(organiser_client, venue):
    assert organiser_client.get(occurrences_url(venue)).json()["occurrences"] == []


def test_the_dates_are_for_people_who_plan_events(client, outsider, organiser, market):
    assert client.get(occurrences_url(market))["Location"].startswith("/admin/login/")
    for user in (outsider, organiser):
        client.force_login(user)
        response = client.get(occurrences_url(market), headers={"x-requested-with": "XMLHttpRequest"})
        assert response.status_code == 403
        assert b"occurrences" not in response.content


# Cancel or move -------------------------------------------------------------------------------------


@pytest.fixture
def concerned(stop, visit_request, organisation, village_organiser, django_capture_on_commit_callbacks):
    """The stop with a stand holder, a volunteer on a shift, and the commune whose request it answers."""
    visit_request.stop = stop
    visit_request.status = VisitRequestStatus.ACCEPTED
    visit_request.save()
    with django_capture_on_commit_callbacks(execute=True):
        stand = apply_for_stand(
            stop, organisation, contact_name="Nadia Benali", contact_email="nadia@ressourcerie.example.org"
        )
        confirm_stand(stand, stop.pitches.get(number=2), by=village_organiser)
    shift = Shift.objects.create(
        event=stop, role="welcome", starts_at=STOP_START, ends_at=STOP_START + dt.timedelta(hours=2)
    )
    ShiftSignup.objects.create(shift=shift, name="Marc Lefèvre", email="marc@example.org")
    return stop


EVERYONE = {"nadia@ressourcerie.example.org", "marc@example.org", "vie-associative@mairie.example.fr"}


def sent(kind) -> set[str]:
    return set(OutgoingEmail.objects.filter(kind=kind).values_list("to", flat=True))


def test_the_editor_header_offers_cancel_or_move_on_every_event(organiser_client, stop, breakfast):
    for event in (stop, breakfast):
        html = organiser_client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
        assert f'href="{cancel_or_move_url(event)}"' in html
        assert "Annuler ou reporter" in html


def test_the_page_says_who_will_be_told_before_confirming(organiser_client, concerned):
    text = visible_text(organiser_client.get(cancel_or_move_url(concerned)))

    assert "Village au marché — samedi 5 décembre 2026, 8 h 00 – 13 h 00" in text
    assert "3 personnes recevront un courriel (une seule fois chacune)" in text
    assert "inscription" not in text
    assert "1 structure qui tient un stand" in text
    assert "1 bénévole sur les créneaux" in text
    assert "la commune qui a demandé l'étape" in text
    assert "Demande de la commune : Acceptée." in text


def test_cancelling_a_stop_tells_the_stand_the_volunteer_and_the_commune(
    organiser_client, concerned, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            cancel_or_move_url(concerned), {"action": "cancel", "cancel-reason": "Tempête annoncée samedi."}
        )

    concerned.refresh_from_db()
    assert response["Location"] == f"/admin/pages/{concerned.pk}/edit/"
    assert concerned.status == EventStatus.CANCELLED
    assert concerned.status_note == "Tempête annoncée samedi."
    assert sent("event_cancelled") == EVERYONE
    assert concerned.visit_request.history.filter(action=VisitRequestAction.STOP_CANCELLED).exists()
    assert "Événement annulé. 3 personnes prévenues." in visible_text(organiser_client.get(response["Location"]))


def test_cancelling_a_breakfast_tells_its_registrants(
    organiser_client, breakfast, register_person, django_capture_on_commit_callbacks
):
    register_person(breakfast, email="camille@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            cancel_or_move_url(breakfast), {"action": "cancel", "cancel-reason": "Intervenante malade."}, follow=True
        )

    assert sent("event_cancelled") == {"camille@example.org"}
    assert "Événement annulé. 1 personne prévenue." in visible_text(response)


def test_cancelling_without_a_reason_or_twice_is_refused(organiser_client, concerned):
    no_reason = organiser_client.post(cancel_or_move_url(concerned), {"action": "cancel", "cancel-reason": ""})
    concerned.status = EventStatus.CANCELLED
    concerned.save()
    twice = organiser_client.post(cancel_or_move_url(concerned), {"action": "cancel", "cancel-reason": "Encore."})

    assert "Indiquez le motif de l'annulation : il est envoyé aux personnes concernées." in visible_text(no_reason)
    assert "Cet événement est déjà annulé." in visible_text(twice)
    assert not sent("event_cancelled")


def test_moving_a_stop_tells_everyone(organiser_client, concerned, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            cancel_or_move_url(concerned),
            {
                "action": "move",
                "move-start": "12/12/2026 08:00",
                "move-end": "12/12/2026 13:00",
                "move-venue": "",
                "move-note": "Le marché est déplacé d'une semaine.",
            },
            follow=True,
        )

    concerned.refresh_from_db()
    assert concerned.start == dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS)
    assert concerned.status == EventStatus.SCHEDULED
    assert sent("event_moved") == EVERYONE
    assert "Événement déplacé au samedi 12 décembre 2026, 8 h 00. 3 personnes prévenues." in visible_text(response)


def test_moving_a_stop_onto_a_day_without_a_free_kit_changes_nothing(organiser_client, concerned, make_event):
    make_event(
        EventKind.ITINERANT_VILLAGE,
        title="Village à Anzin",
        start=dt.datetime(2026, 12, 12, 9, 0, tzinfo=PARIS),
        hours=4,
    )

    response = organiser_client.post(
        cancel_or_move_url(concerned),
        {"action": "move", "move-start": "12/12/2026 14:00", "move-end": "12/12/2026 17:00"},
    )

    assert "Le village est déjà programmé le samedi 12 décembre 2026 : « Village à Anzin »" in visible_text(response)
    assert 'aria-describedby="id_move-start_error"' in response.content.decode()
    concerned.refresh_from_db()
    assert concerned.start == STOP_START
    assert not sent("event_moved")


def test_moving_into_the_past_is_refused(organiser_client, concerned):
    response = organiser_client.post(
        cancel_or_move_url(concerned),
        {"action": "move", "move-start": "20/11/2026 08:00", "move-end": "20/11/2026 12:00"},
    )

    assert "La nouvelle date est déjà passée." in visible_text(response)
    concerned.refresh_from_db()
    assert concerned.start == STOP_START


def test_the_count_shown_is_what_the_service_sends(organiser_client, concerned, django_capture_on_commit_callbacks):
    # The volunteer also holds the stand: one email, not two.
    ShiftSignup.objects.filter(email="marc@example.org").update(email="NADIA@ressourcerie.example.org")
    shown = people_to_tell(concerned)

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            cancel_or_move_url(concerned), {"action": "cancel", "cancel-reason": "Tempête."}, follow=True
        )

    # Counted once, as the stand holder.
    assert (shown.stand_holders, shown.volunteers, shown.commune, shown.total) == (1, 0, 1, 2)
    assert OutgoingEmail.objects.filter(kind="event_cancelled").count() == 2
    assert "2 personnes prévenues." in visible_text(response)


@pytest.fixture
def editor(django_user_model):
    """Persona: writes and edits pages, but may not publish them."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    user = django_user_model.objects.create_user("redactrice", "redaction@example.org", "secret-pass-6")
    group = Group.objects.create(name="Rédaction")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group, page=Page.get_first_root_node(), permission=Permission.objects.get(codename=codename)
        )
    user.groups.add(group)
    return user


def test_only_who_may_publish_the_page_cancels_or_moves(client, outsider, editor, concerned):
    client.force_login(editor)
    editor_page = client.get(reverse("wagtailadmin_pages:edit", args=[concerned.pk])).content.decode()
    assert "Annuler ou reporter" not in editor_page
    for user in (outsider, editor):
        client.force_login(user)
        page = client.get(cancel_or_move_url(concerned))
        cancel = client.post(cancel_or_move_url(concerned), {"action": "cancel", "cancel-reason": "Non."})
        assert refused(page) and refused(cancel)
        assert "Nadia" not in page.content.decode()
    client.logout()
    assert client.get(cancel_or_move_url(concerned))["Location"].startswith("/admin/login/")
    concerned.refresh_from_db()
    assert concerned.status == EventStatus.SCHEDULED
    assert not sent("event_cancelled")
