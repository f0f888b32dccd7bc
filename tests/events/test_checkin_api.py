"""The check-in API: who may call it, what it answers, the offline queue, the offline list, undo, tally."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from events.models import ApiToken, CheckIn, RegistrationStatus, Scan, TallyMark
from events.tokens import hash_code
from territory.models import PARIS
from tests.events.checkin_fixtures import *  # noqa: F403
from tests.events.checkin_fixtures import DOOR_OPEN, EVENT_START

pytestmark = pytest.mark.usefixtures("door_open")


def body(event, ticket, nonce="n-1", **extra):
    return {"event": event.pk, "ticket": ticket.code, "nonce": nonce, **extra}


@pytest.fixture
def staff_client(checkin_staff):
    """The check-in page's way in: the admin session, with the CSRF token in a header."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(checkin_staff)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


@pytest.fixture
def token_client(api_token):
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {api_token[1]}")


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


# Who may call it --------------------------------------------------------------------------------------


def test_anonymous_gets_401_in_french_and_nothing_is_recorded(event, ticket):
    response = post(Client(enforce_csrf_checks=True), "/api/v1/checkins", body(event, ticket))

    assert response.status_code == 401
    assert response.json() == {
        "detail": [
            {
                "field": None,
                "code": "not_authenticated",
                "message": "Identifiez-vous : session de l'administration ou jeton (Authorization: Bearer).",
            }
        ]
    }
    assert not Scan.objects.exists()


def test_an_outsider_with_a_session_gets_403(event, ticket, outsider):
    client = Client()
    client.force_login(outsider)

    response = post(client, "/api/v1/checkins", body(event, ticket))

    assert response.status_code == 403
    assert response.json()["detail"][0]["code"] == "permission_denied"
    assert not Scan.objects.exists()


def test_an_outsider_cannot_read_the_list_of_names(event, ticket, outsider):
    client = Client()
    client.force_login(outsider)

    response = client.get(f"/api/v1/events/{event.pk}/checkin-list")

    assert response.status_code == 403
    assert "Hélène" not in response.content.decode()


def test_anonymous_cannot_read_the_list_of_names(client, event, ticket):
    response = client.get(f"/api/v1/events/{event.pk}/checkin-list")

    assert response.status_code == 401
    assert "Hélène" not in response.content.decode()


def test_staff_session_without_csrf_is_refused(event, ticket, checkin_staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(checkin_staff)

    response = post(client, "/api/v1/checkins", body(event, ticket))

    assert response.status_code == 403
    assert response.json()["detail"][0] == {
        "field": None,
        "code": "csrf_failed",
        "message": "Jeton CSRF absent ou invalide : rechargez la page de pointage.",
    }
    assert not Scan.objects.exists()


def test_staff_session_with_csrf_checks_in(staff_client, event, ticket, checkin_staff):
    response = post(staff_client, "/api/v1/checkins", body(event, ticket))

    assert response.status_code == 200
    assert response.json()["result"] == "accepted"
    assert CheckIn.objects.get().checked_in_by == checkin_staff


def test_organisers_may_check_in_too(event, ticket, organiser):
    from django.contrib.auth.models import Group

    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client = Client()
    client.force_login(organiser)

    assert post(client, "/api/v1/checkins", body(event, ticket)).json()["result"] == "accepted"


def test_a_token_needs_no_csrf_and_records_its_use(token_client, api_token, event, ticket, checkin_staff):
    response = post(token_client, "/api/v1/checkins", body(event, ticket))

    assert response.status_code == 200
    assert CheckIn.objects.get().checked_in_by == checkin_staff
    api_token[0].refresh_from_db()
    assert api_token[0].last_used_at == DOOR_OPEN


def test_a_revoked_token_is_refused(api_token, event, ticket):
    record, token = api_token
    record.revoked_at = DOOR_OPEN
    record.save()

    response = post(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), "/api/v1/checkins", body(event, ticket))

    assert response.status_code == 401
    assert not Scan.objects.exists()


def test_a_wrong_token_is_refused(event, ticket):
    response = post(Client(HTTP_AUTHORIZATION="Bearer not-a-token"), "/api/v1/checkins", body(event, ticket))

    assert response.status_code == 401


def test_the_token_of_an_outsider_is_refused(outsider, event, ticket):
    ApiToken.objects.create(user=outsider, label="?", token_hash=hash_code("outsider-token"))

    response = post(Client(HTTP_AUTHORIZATION="Bearer outsider-token"), "/api/v1/checkins", body(event, ticket))

    assert response.status_code == 403
    assert response.json()["detail"][0]["code"] == "permission_denied"


def test_create_api_token_prints_a_working_token_once(checkin_staff, event, ticket, capsys):
    call_command("create_api_token", "camille", "--label", "Téléphone de l'accueil")

    token = capsys.readouterr().out.strip()
    record = ApiToken.objects.get()
    assert (record.user, record.label, record.token_hash) == (checkin_staff, "Téléphone de l'accueil", hash_code(token))
    response = post(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), "/api/v1/checkins", body(event, ticket))
    assert response.status_code == 200

    call_command("create_api_token", "camille", "--revoke", str(record.pk))

    response = post(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), "/api/v1/checkins", body(event, ticket, "n-2"))
    assert response.status_code == 401


# What it answers --------------------------------------------------------------------------------------


def test_an_accepted_scan(staff_client, event, ticket):
    response = post(staff_client, "/api/v1/checkins", body(event, ticket, device="Entrée"))

    checkin = CheckIn.objects.get()
    assert response.json() == {
        "nonce": "n-1",
        "result": "accepted",
        "result_label": "Présent·e",
        "message": "Présent·e",
        "attendee": {
            "registration": ticket.registration_id,
            "name": "Hélène Dupont",
            "category": "resident",
            "category_label": "Habitant·e",
            "seats": 1,
            "organisation": "",
        },
        "checkin_id": checkin.pk,
        "checked_in_at": "2026-12-10T08:15:00+01:00",
        "checked_in_by": "Camille",
        "offline": False,
        "replayed": False,
        "counts": {
            "event": event.pk,
            "present": 1,
            "registered": 1,
            "present_seats": 1,
            "registered_seats": 1,
            "tally": 0,
        },
    }


def test_a_duplicate_scan_says_when_and_who(staff_client, event, ticket):
    post(staff_client, "/api/v1/checkins", body(event, ticket, "first"))

    payload = post(staff_client, "/api/v1/checkins", body(event, ticket, "second")).json()

    assert (payload["result"], payload["message"], payload["checked_in_at"]) == (
        "duplicate",
        "Déjà pointé·e à 8 h 15 par Camille",
        "2026-12-10T08:15:00+01:00",
    )


def test_an_unknown_ticket(staff_client, event):
    payload = post(staff_client, "/api/v1/checkins", {"event": event.pk, "ticket": "x" * 22, "nonce": "u"}).json()

    assert (payload["result"], payload["message"], payload["attendee"]) == ("unknown", "Billet inconnu", None)


def test_the_same_nonce_answers_the_same(staff_client, event, ticket):
    first = post(staff_client, "/api/v1/checkins", body(event, ticket)).json()

    again = post(staff_client, "/api/v1/checkins", body(event, ticket)).json()

    assert (again["result"], again["checkin_id"], again["replayed"]) == ("accepted", first["checkin_id"], True)
    assert Scan.objects.count() == 1


def test_check_in_by_registration(staff_client, event, ticket):
    payload = post(
        staff_client, "/api/v1/checkins", {"event": event.pk, "registration": ticket.registration_id, "nonce": "r"}
    ).json()

    assert (payload["result"], payload["attendee"]["name"]) == ("accepted", "Hélène Dupont")


def test_check_in_by_registration_of_another_event_is_not_found(staff_client, event, make_event, make_ticket):
    elsewhere = make_ticket(make_event(start=EVENT_START))

    response = post(
        staff_client, "/api/v1/checkins", {"event": event.pk, "registration": elsewhere.registration_id, "nonce": "r"}
    )

    assert response.status_code == 404
    assert response.json()["detail"][0]["code"] == "registration_not_found"


def test_ticket_and_registration_are_exclusive(staff_client, event, ticket):
    response = post(staff_client, "/api/v1/checkins", body(event, ticket, registration=ticket.registration_id))

    assert response.status_code == 400
    assert response.json()["detail"] == [
        {
            "field": "scan",
            "code": "ticket_or_registration",
            "message": "Indiquez soit le billet scanné (ticket), soit l'inscription (registration).",
        }
    ]


def test_a_missing_nonce_is_a_french_400(staff_client, event, ticket):
    response = post(staff_client, "/api/v1/checkins", {"event": event.pk, "ticket": ticket.code})

    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "scan.nonce", "code": "missing", "message": "Ce paramètre est obligatoire."}
    ]


def test_an_unknown_event_is_a_404(staff_client, ticket):
    response = post(staff_client, "/api/v1/checkins", {"event": 999999, "ticket": ticket.code, "nonce": "x"})

    assert response.status_code == 404
    assert response.json()["detail"][0]["code"] == "event_not_found"


def test_a_closed_event_is_a_400_with_the_reason(staff_client, event, ticket, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 11, 10, 0, tzinfo=PARIS), tick=False)

    response = post(staff_client, "/api/v1/checkins", body(event, ticket))

    assert response.status_code == 400
    assert response.json()["detail"] == [
        {
            "field": None,
            "code": "checkin_closed",
            "message": "Le pointage de cet événement est clos depuis la fin du 10/12.",
        }
    ]


# The offline queue ------------------------------------------------------------------------------------


def test_one_ticket_in_the_queues_of_two_offline_phones(event, ticket, checkin_staff, other_staff):
    phones = []
    for user in (checkin_staff, other_staff):
        client = Client()
        client.force_login(user)
        phones.append(client)
    scanned_at = dt.datetime(2026, 12, 10, 8, 5, tzinfo=PARIS).isoformat()

    first = post(
        phones[0],
        "/api/v1/checkins/batch",
        {"items": [body(event, ticket, "a-1", device="Téléphone A", offline=True, scanned_at=scanned_at)]},
    ).json()
    second = post(
        phones[1],
        "/api/v1/checkins/batch",
        {"items": [body(event, ticket, "b-1", device="Téléphone B", offline=True, scanned_at=scanned_at)]},
    ).json()

    assert first["items"][0]["outcome"]["result"] == "accepted"
    assert second["items"][0]["outcome"]["result"] == "duplicate"
    assert second["items"][0]["outcome"]["message"] == "Déjà pointé·e à 8 h 05 par Camille"
    assert CheckIn.objects.count() == 1
    assert list(Scan.objects.order_by("pk").values_list("result", "device", "offline")) == [
        ("accepted", "Téléphone A", True),
        ("duplicate", "Téléphone B", True),
    ]
    assert second["counts"] == [
        {"event": event.pk, "present": 1, "registered": 1, "present_seats": 1, "registered_seats": 1, "tally": 0}
    ]


def test_a_batch_sent_twice_records_once(staff_client, event, make_ticket):
    tickets = [make_ticket(event, name=f"Personne {n}") for n in range(3)]
    batch = {"items": [body(event, t, f"q-{n}", offline=True) for n, t in enumerate(tickets)]}

    first = post(staff_client, "/api/v1/checkins/batch", batch).json()
    again = post(staff_client, "/api/v1/checkins/batch", batch).json()

    assert [i["outcome"]["result"] for i in first["items"]] == ["accepted"] * 3
    assert [i["outcome"]["result"] for i in again["items"]] == ["accepted"] * 3
    assert [i["outcome"]["replayed"] for i in again["items"]] == [True] * 3
    assert Scan.objects.count() == 3
    assert CheckIn.objects.count() == 3


def test_a_batch_answers_each_item_even_when_one_cannot_be_judged(staff_client, event, ticket):
    batch = {"items": [{"event": 999999, "ticket": ticket.code, "nonce": "lost"}, body(event, ticket, "kept")]}

    payload = post(staff_client, "/api/v1/checkins/batch", batch).json()

    assert payload["items"][0] == {
        "nonce": "lost",
        "ok": False,
        "outcome": None,
        "error": {
            "field": "event",
            "code": "event_not_found",
            "message": "Aucun événement ne porte l'identifiant 999999.",
        },
    }
    assert (payload["items"][1]["ok"], payload["items"][1]["outcome"]["result"]) == (True, "accepted")


def test_a_batch_is_limited(staff_client, event, ticket):
    batch = {"items": [body(event, ticket, f"n{n}") for n in range(201)]}

    response = post(staff_client, "/api/v1/checkins/batch", batch)

    assert response.status_code == 400
    assert not Scan.objects.exists()


# The offline list, counts, search -----------------------------------------------------------------------


def test_the_offline_list(staff_client, event, ticket, make_ticket):
    make_ticket(event, name="Zoé Annulée", status=RegistrationStatus.CANCELLED)

    response = staff_client.get(f"/api/v1/events/{event.pk}/checkin-list")

    payload = response.json()
    assert response["ETag"] == f'"{payload["version"]}"'
    assert payload["event"] == event.pk
    assert payload["generated_at"] == "2026-12-10T08:15:00+01:00"
    assert payload["tickets"] == [
        {
            "code_hash": hash_code(ticket.code),
            "registration": ticket.registration_id,
            "name": "Hélène Dupont",
            "category": "resident",
            "category_label": "Habitant·e",
            "seats": 1,
            "organisation": "",
            "checked_in": False,
            "checked_in_at": None,
        }
    ]
    assert payload["counts"]["registered"] == 1


def test_the_offline_list_answers_304_when_nothing_changed(staff_client, event, ticket):
    etag = staff_client.get(f"/api/v1/events/{event.pk}/checkin-list")["ETag"]

    assert staff_client.get(f"/api/v1/events/{event.pk}/checkin-list", HTTP_IF_NONE_MATCH=etag).status_code == 304
    post(staff_client, "/api/v1/checkins", body(event, ticket))
    assert staff_client.get(f"/api/v1/events/{event.pk}/checkin-list", HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_the_offline_list_takes_constant_queries(staff_client, event, make_ticket, django_assert_num_queries, size):
    for n in range(size):
        make_ticket(event, name=f"Personne {n}")

    # session, user, permissions (user and groups), the user's territories (count, team), event,
    # manifest, two counts.
    with django_assert_num_queries(10):
        response = staff_client.get(f"/api/v1/events/{event.pk}/checkin-list")

    assert len(response.json()["tickets"]) == size


def test_counts(staff_client, event, ticket, make_ticket):
    make_ticket(event, name="Un groupe", seats=12)
    post(staff_client, "/api/v1/checkins", body(event, ticket))

    payload = staff_client.get(f"/api/v1/events/{event.pk}/checkin-counts").json()

    assert payload == {
        "event": event.pk,
        "present": 1,
        "registered": 2,
        "present_seats": 1,
        "registered_seats": 13,
        "tally": 0,
    }


def test_search_by_name(staff_client, event, ticket, make_ticket):
    make_ticket(event, name="Héloïse Martin", status=RegistrationStatus.WAITLISTED)
    post(staff_client, "/api/v1/checkins", body(event, ticket))

    payload = staff_client.get(f"/api/v1/events/{event.pk}/attendees", {"q": "HEL"}).json()

    assert [(m["attendee"]["name"], m["status"], m["status_label"], m["checked_in_at"]) for m in payload] == [
        ("Hélène Dupont", "confirmed", "Confirmée", "2026-12-10T08:15:00+01:00"),
        ("Héloïse Martin", "waitlisted", "Liste d'attente", None),
    ]


# Undo and tally ---------------------------------------------------------------------------------------


def test_undo(staff_client, event, ticket):
    checkin_id = post(staff_client, "/api/v1/checkins", body(event, ticket)).json()["checkin_id"]

    response = staff_client.delete(f"/api/v1/checkins/{checkin_id}?device=Entrée")

    assert response.status_code == 200
    assert response.json()["message"] == "Pointage annulé"
    assert response.json()["counts"]["present"] == 0
    assert not CheckIn.objects.exists()
    assert Scan.objects.order_by("-pk").values_list("result", "device").first() == ("undone", "Entrée")
    assert staff_client.delete(f"/api/v1/checkins/{checkin_id}").status_code == 404


def test_undo_needs_the_permission(event, ticket, outsider, staff_client):
    checkin_id = post(staff_client, "/api/v1/checkins", body(event, ticket)).json()["checkin_id"]
    client = Client()
    client.force_login(outsider)

    assert client.delete(f"/api/v1/checkins/{checkin_id}").status_code == 403
    assert CheckIn.objects.exists()


def test_tally(staff_client, event):
    mark = {"event": event.pk, "delta": 1, "nonce": "t-1", "device": "Stand"}

    first = post(staff_client, "/api/v1/tally", mark).json()
    again = post(staff_client, "/api/v1/tally", mark).json()
    minus = post(staff_client, "/api/v1/tally", {**mark, "delta": -1, "nonce": "t-2"}).json()

    assert (first["total"], again["total"], again["replayed"], minus["total"]) == (1, 1, True, 0)
    assert TallyMark.objects.count() == 2


def test_tally_refuses_other_steps(staff_client, event):
    response = post(staff_client, "/api/v1/tally", {"event": event.pk, "delta": 5, "nonce": "t"})

    assert response.status_code == 400
    assert response.json()["detail"][0]["code"] == "invalid_delta"


def test_tally_batch(staff_client, event):
    counted_at = dt.datetime(2026, 12, 10, 8, 1, tzinfo=PARIS).isoformat()
    items = [{"event": event.pk, "delta": 1, "nonce": f"t-{n}", "counted_at": counted_at} for n in range(4)]

    payload = post(staff_client, "/api/v1/tally/batch", {"items": items}).json()

    assert [i["outcome"]["total"] for i in payload["items"]] == [1, 2, 3, 4]
    assert payload["counts"][0]["tally"] == 4
    assert TallyMark.objects.filter(counted_at=dt.datetime(2026, 12, 10, 8, 1, tzinfo=PARIS)).count() == 4


def test_the_tally_needs_the_permission(client, event):
    assert post(client, "/api/v1/tally", {"event": event.pk, "delta": 1, "nonce": "t"}).status_code == 401
    assert not TallyMark.objects.exists()


# The schema ------------------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_checkin_endpoints_and_their_auth(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/checkins"]["post"]
    assert operation["tags"] == ["Pointage"]
    assert operation["security"] == [{"CheckinTokenAuth": []}, {"CheckinSessionAuth": []}]
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert schema["components"]["securitySchemes"]["CheckinTokenAuth"] == {"type": "http", "scheme": "bearer"}
    for path in (
        "/api/v1/checkins/batch",
        "/api/v1/checkins/{checkin_id}",
        "/api/v1/events/{event_id}/checkin-list",
        "/api/v1/events/{event_id}/checkin-counts",
        "/api/v1/events/{event_id}/attendees",
        "/api/v1/tally",
        "/api/v1/tally/batch",
    ):
        assert path in schema["paths"]
    result = schema["components"]["schemas"]["CheckinAnswer"]["properties"]["result"]
    assert "duplicate" in str(schema["components"]["schemas"].get("ScanResult", result))


def test_create_api_token_warns_when_the_account_cannot_check_in(outsider, capsys):
    call_command("create_api_token", "charlie", "--label", "Script")

    captured = capsys.readouterr()
    assert "n'a pas la permission events.perform_checkin" in captured.err
    assert len(captured.out.strip()) == 22


def test_create_api_token_needs_a_label_and_an_existing_account(checkin_staff):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--label"):
        call_command("create_api_token", "camille")
    with pytest.raises(CommandError, match="Aucun compte"):
        call_command("create_api_token", "personne", "--label", "x")
    assert not ApiToken.objects.exists()
