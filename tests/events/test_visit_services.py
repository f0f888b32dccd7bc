"""A commune's request through all its transitions (events/services/visits.py)."""

import datetime as dt

import pytest

from events.models import (
    EventKind,
    EventStatus,
    OutgoingEmail,
    Pitch,
    Stand,
    TallyMark,
    VillageStopPage,
    VisitRequest,
    VisitRequestAction,
    VisitRequestStatus,
)
from events.services import village, visits
from events.services.outbox import VillageEmail
from territory.models import PARIS, Commune, Territory

from .conftest import STOP_START, visit_request_values

pytestmark = pytest.mark.django_db


def at(day, hour=9, month=12):
    return dt.datetime(2026, month, day, hour, 0, tzinfo=PARIS)


def actions(request):
    return list(request.history.values_list("action", flat=True))


def kinds(request):
    # By address: a sent email's context is emptied.
    return list(OutgoingEmail.objects.filter(to=request.email).order_by("pk").values_list("kind", flat=True))


class TestSubmission:
    def test_a_request_is_recorded_with_its_history_and_acknowledged(self, visit_request, commune):
        assert visit_request.status == VisitRequestStatus.RECEIVED
        assert visit_request.consent_at is not None
        assert actions(visit_request) == [VisitRequestAction.SUBMITTED]
        assert visit_request.history.get().by_commune
        assert kinds(visit_request) == [VillageEmail.VISIT_RECEIVED]

    def test_the_tracking_link_opens_this_request_only(self, visit_request):
        path = visits.tracking_path(visit_request)
        pk, token = path.rstrip("/").split("/")[-2:]
        assert visits.find_request(int(pk), token) == visit_request
        assert visits.find_request(int(pk), token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert len(token) == 22  # 128 bits

    def test_a_new_link_key_revokes_the_link(self, visit_request):
        token = visits.tracking_token(visit_request)
        visit_request.link_key = "0" * 32
        visit_request.save()
        assert visits.find_request(visit_request.pk, token) is None

    @pytest.mark.parametrize(
        ("overrides", "field", "code"),
        [
            ({"preferred_dates": [dt.date(2026, 11, 20)]}, "preferred_date_1", "date_in_past"),
            ({"preferred_dates": [dt.date(2026, 11, 23)]}, "preferred_date_1", "date_in_past"),
            ({"preferred_dates": [dt.date(2030, 1, 1)]}, "preferred_date_1", "date_too_far"),
            ({"preferred_dates": []}, "preferred_date_1", "date_required"),
            ({"contact_name": " "}, "contact_name", "contact_required"),
            ({"email": ""}, "email", "email_required"),
            ({"consent": False}, "consent", "consent_required"),
            (
                {"preferred_dates": [], "flexible_from": dt.date(2027, 3, 1), "flexible_until": dt.date(2027, 2, 1)},
                "flexible_until",
                "period_order",
            ),
            ({"preferred_dates": [], "flexible_from": dt.date(2027, 3, 1)}, "flexible_until", "period_incomplete"),
        ],
    )
    def test_each_refusal_names_its_field_and_stores_nothing(self, commune, village_now, overrides, field, code):
        with pytest.raises(visits.VisitRequestError) as refused:
            visits.submit_visit_request(**visit_request_values(commune, **overrides))
        assert (refused.value.field, refused.value.code) == (field, code)
        assert VisitRequest.objects.count() == 0 and OutgoingEmail.objects.count() == 0

    def test_a_commune_of_another_territory_is_refused(self, commune, village_now):
        mel = Territory.objects.create(name="Métropole Européenne de Lille", slug="mel")
        lille = Commune.objects.create(
            territory=mel,
            insee_code="59350",
            name="Lille",
            postcodes="59000",
            population=1,
            latitude=50.6,
            longitude=3.0,
        )
        with pytest.raises(visits.VisitRequestError) as refused:
            visits.submit_visit_request(**visit_request_values(commune, commune=lille))
        assert refused.value.code == "commune_outside"
        assert "Valenciennes Métropole" in refused.value.message

    def test_all_errors_at_once_for_the_form(self, commune, village_now):
        values = visit_request_values(commune, contact_name="", consent=False, preferred_dates=[dt.date(2026, 1, 1)])
        values.pop("contact_role"), values.pop("phone"), values.pop("occasion")
        errors = visits.validate_request(
            **{
                k: values[k]
                for k in values
                if k in {"territory", "commune", "contact_name", "email", "preferred_dates", "consent"}
            },
            flexible_from=None,
            flexible_until=None,
        )
        assert {e.field for e in errors} == {"contact_name", "consent", "preferred_date_1"}

    def test_a_flexible_period_is_enough(self, commune, village_now):
        request = visits.submit_visit_request(
            **visit_request_values(
                commune, preferred_dates=[], flexible_from=dt.date(2027, 4, 1), flexible_until=dt.date(2027, 6, 30)
            )
        )
        assert request.preferred_dates == [] and request.flexible_until == dt.date(2027, 6, 30)


class TestDecisions:
    def test_accepting_creates_the_draft_stop_linked_to_the_request(
        self, visit_request, village_organiser, agenda_page, market
    ):
        stop = visits.accept_visit_request(
            visit_request, start=at(12, 8), end=at(12, 13), by=village_organiser, venue=market, note="Avec plaisir"
        )
        visit_request.refresh_from_db()
        assert visit_request.status == VisitRequestStatus.ACCEPTED
        assert visit_request.stop_id == stop.pk and not stop.live
        assert stop.venue == market and stop.kind == EventKind.ITINERANT_VILLAGE
        assert visit_request.first_decision_at is not None
        last = visit_request.history.last()
        assert (last.action, last.by, last.note) == (VisitRequestAction.ACCEPTED, village_organiser, "Avec plaisir")
        assert kinds(visit_request) == [VillageEmail.VISIT_RECEIVED, VillageEmail.VISIT_ACCEPTED]

    def test_accepting_on_a_taken_day_names_the_clashing_stop_and_changes_nothing(
        self, visit_request, village_organiser, stop
    ):
        with pytest.raises(village.VillageError) as refused:
            visits.accept_visit_request(
                visit_request, start=STOP_START, end=STOP_START + dt.timedelta(hours=4), by=village_organiser
            )
        assert "Village au marché" in refused.value.message
        visit_request.refresh_from_db()
        assert visit_request.status == VisitRequestStatus.RECEIVED and visit_request.stop is None
        assert VillageStopPage.objects.count() == 1
        assert kinds(visit_request) == [VillageEmail.VISIT_RECEIVED]

    def test_a_decided_request_cannot_be_decided_again(self, visit_request, village_organiser, agenda_page):
        visits.decline_visit_request(visit_request, by=village_organiser, reason="Calendrier complet")
        with pytest.raises(visits.VisitRequestError) as refused:
            visits.accept_visit_request(visit_request, start=at(12), end=at(12, 13), by=village_organiser)
        assert refused.value.code == "already_decided"

    def test_accepting_in_the_past_is_refused(self, visit_request, village_organiser, agenda_page):
        with pytest.raises(visits.VisitRequestError) as refused:
            visits.accept_visit_request(
                visit_request, start=at(1, month=11), end=at(1, 13, month=11), by=village_organiser
            )
        assert refused.value.code == "date_in_past"

    def test_declining_needs_a_reason(self, visit_request, village_organiser):
        with pytest.raises(visits.VisitRequestError) as refused:
            visits.decline_visit_request(visit_request, by=village_organiser, reason="")
        assert refused.value.code == "reason_required"
        visits.decline_visit_request(
            visit_request, by=village_organiser, reason="Le village est complet jusqu'en juin."
        )
        visit_request.refresh_from_db()
        assert visit_request.status == VisitRequestStatus.DECLINED
        assert visit_request.decline_reason == "Le village est complet jusqu'en juin."
        assert kinds(visit_request)[-1] == VillageEmail.VISIT_DECLINED

    def test_a_proposed_date_accepted_by_the_commune(self, visit_request, village_organiser, agenda_page, market):
        visits.propose_visit_date(
            visit_request, start=at(19, 8), end=at(19, 13), by=village_organiser, venue=market, note="Le 12 est pris"
        )
        visit_request.refresh_from_db()
        assert visit_request.status == VisitRequestStatus.DATE_PROPOSED
        assert visit_request.proposed_start == at(19, 8)
        visits.answer_proposal(visit_request, accept=True)
        visit_request.refresh_from_db()
        assert visit_request.status == VisitRequestStatus.ACCEPTED
        assert visit_request.stop.start == at(19, 8) and visit_request.stop.venue == market
        assert actions(visit_request) == [
            VisitRequestAction.SUBMITTED,
            VisitRequestAction.DATE_PROPOSED,
            VisitRequestAction.PROPOSAL_ACCEPTED,
        ]
        assert visit_request.history.last().by_commune
        assert kinds(visit_request) == [
            VillageEmail.VISIT_RECEIVED,
            VillageEmail.VISIT_DATE_PROPOSED,
            VillageEmail.VISIT_ACCEPTED,
        ]

    def test_a_proposed_date_declined_goes_back_to_the_organisers(self, visit_request, village_organiser, agenda_page):
        visits.propose_visit_date(visit_request, start=at(19), end=at(19, 13), by=village_organiser)
        visits.answer_proposal(visit_request, accept=False, note="Le 19 c'est la ducasse")
        visit_request.refresh_from_db()
        assert visit_request.status == VisitRequestStatus.RECEIVED
        assert visit_request.history.last().note == "Le 19 c'est la ducasse"
        assert kinds(visit_request)[-1] == VillageEmail.VISIT_PROPOSAL_DECLINED

    def test_a_proposed_day_taken_in_the_meantime_is_explained_to_the_commune(
        self, visit_request, village_organiser, agenda_page, other_commune
    ):
        visits.propose_visit_date(visit_request, start=at(19), end=at(19, 13), by=village_organiser)
        village.schedule_stop(commune=other_commune, start=at(19, 14), end=at(19, 17), by=village_organiser)
        with pytest.raises(visits.VisitRequestError) as refused:
            visits.answer_proposal(visit_request, accept=True)
        assert "n'est plus disponible" in refused.value.message
        visit_request.refresh_from_db()
        assert visit_request.status == VisitRequestStatus.DATE_PROPOSED

    def test_proposing_a_taken_day_is_refused(self, visit_request, village_organiser, stop):
        with pytest.raises(village.VillageError):
            visits.propose_visit_date(
                visit_request, start=STOP_START, end=STOP_START + dt.timedelta(hours=3), by=village_organiser
            )

    def test_only_a_proposal_can_be_answered(self, visit_request):
        with pytest.raises(visits.VisitRequestError) as refused:
            visits.answer_proposal(visit_request, accept=True)
        assert refused.value.code == "already_decided"

    def test_cancelling_the_stop_is_written_in_the_request_history(self, visit_request, village_organiser, agenda_page):
        stop = visits.accept_visit_request(visit_request, start=at(12, 8), end=at(12, 13), by=village_organiser)
        village.cancel_event(stop, by=village_organiser, reason="Marché annulé")
        visit_request.refresh_from_db()
        assert actions(visit_request)[-1] == VisitRequestAction.STOP_CANCELLED
        assert OutgoingEmail.objects.filter(kind=VillageEmail.EVENT_CANCELLED, to=visit_request.email).count() == 1


class TestHistoryAndFollowUp:
    def test_the_commune_history(
        self, visit_request, village_organiser, make_event, commune, other_commune, time_machine
    ):
        past = make_event(EventKind.ITINERANT_VILLAGE, start=at(3, 8, month=10), hours=4, commune=commune)
        make_event(EventKind.ITINERANT_VILLAGE, start=at(10, 8, month=10), hours=4, commune=other_commune)
        coming = make_event(EventKind.ITINERANT_VILLAGE, start=at(12, 8), hours=4, commune=commune)
        earlier = visits.submit_visit_request(**visit_request_values(commune))
        history = visits.commune_history(commune, exclude_request=visit_request)
        assert history.past_stops == [past] and history.upcoming_stops == [coming]
        assert history.last_visit == dt.date(2026, 10, 3)
        assert history.earlier_requests == [earlier]
        assert (history.communes_visited, history.communes_total) == (2, 2)
        assert visits.last_visits(commune.territory) == {commune.pk: past.start, other_commune.pk: at(10, 8, month=10)}

    def test_reminders_seven_days_and_one_day_before_each_once(
        self, visit_request, village_organiser, agenda_page, time_machine
    ):
        stop = visits.accept_visit_request(visit_request, start=at(12, 8), end=at(12, 13), by=village_organiser)
        assert visits.queue_visit_reminders() == []  # 19 days ahead
        time_machine.move_to(at(5, 10), tick=False)
        assert len(visits.queue_visit_reminders()) == 1
        assert visits.queue_visit_reminders() == []
        time_machine.move_to(at(11, 9), tick=False)
        assert len(visits.queue_visit_reminders()) == 1
        reminders = OutgoingEmail.objects.filter(kind=VillageEmail.VISIT_REMINDER).order_by("pk")
        assert [r.context["days"] for r in reminders] == [7, 1]
        visit_request.refresh_from_db()
        assert stop.pk == visit_request.stop_id

    def test_a_late_acceptance_gets_the_one_day_reminder_only(
        self, visit_request, village_organiser, agenda_page, time_machine
    ):
        visits.accept_visit_request(visit_request, start=at(12, 8), end=at(12, 13), by=village_organiser)
        time_machine.move_to(at(11, 12), tick=False)
        visits.queue_visit_reminders()
        assert [r.context["days"] for r in OutgoingEmail.objects.filter(kind=VillageEmail.VISIT_REMINDER)] == [1]

    def test_the_summary_after_the_stop(
        self, visit_request, village_organiser, agenda_page, organisation, time_machine
    ):
        stop = visits.accept_visit_request(visit_request, start=at(12, 8), end=at(12, 13), by=village_organiser)
        pitch = Pitch.objects.create(stop=stop, number=1)
        village.place_stand(
            stop,
            organisation,
            pitch,
            by=village_organiser,
            contact_name="N",
            contact_email="n@example.org",
        )
        TallyMark.objects.create(event=stop, delta=1, device="x", nonce="a", counted_at=at(12, 10))
        assert visits.queue_visit_summaries() == []
        time_machine.move_to(at(12, 14), tick=False)
        assert len(visits.queue_visit_summaries()) == 1
        assert visits.queue_visit_summaries() == []
        summary = visits.stop_summary(stop)
        assert (summary.visitors, summary.stands, summary.organisations) == (1, 1, ["Ressourcerie du Hainaut"])
        assert Stand.objects.count() == 1

    def test_no_summary_for_a_cancelled_stop(self, visit_request, village_organiser, agenda_page, time_machine):
        stop = visits.accept_visit_request(visit_request, start=at(12, 8), end=at(12, 13), by=village_organiser)
        stop.status = EventStatus.CANCELLED
        stop.save()
        time_machine.move_to(at(12, 14), tick=False)
        assert visits.queue_visit_summaries() == []


class TestRetention:
    def test_contact_details_are_erased_three_years_after_the_stop_and_the_figures_stay(
        self, visit_request, village_organiser, agenda_page, time_machine
    ):
        stop = visits.accept_visit_request(visit_request, start=at(12, 8), end=at(12, 13), by=village_organiser)
        time_machine.move_to(dt.datetime(2029, 12, 1, tzinfo=PARIS), tick=False)
        assert visits.anonymise_settled_requests() == 0
        time_machine.move_to(dt.datetime(2029, 12, 13, tzinfo=PARIS), tick=False)
        assert visits.anonymise_settled_requests() == 1
        visit_request.refresh_from_db()
        assert (visit_request.contact_name, visit_request.email, visit_request.phone, visit_request.link_key) == (
            "",
            "",
            "",
            "",
        )
        assert visit_request.anonymised_at is not None
        assert visit_request.status == VisitRequestStatus.ACCEPTED and visit_request.stop == stop
        assert visit_request.first_decision_at is not None and visit_request.history.count() == 2
        assert visits.find_request(visit_request.pk, "x" * 22) is None
        assert visits.anonymise_settled_requests() == 0

    def test_a_declined_request_is_anonymised_three_years_after_its_answer(
        self, visit_request, village_organiser, time_machine
    ):
        visits.decline_visit_request(visit_request, by=village_organiser, reason="Complet")
        time_machine.move_to(dt.datetime(2029, 11, 25, tzinfo=PARIS), tick=False)
        assert visits.anonymise_settled_requests() == 1


def test_stand_contacts_are_erased_a_year_after_the_stop(
    village_now, stop, organisation, village_organiser, time_machine
):
    stand = village.place_stand(
        stop,
        organisation,
        stop.pitches.first(),
        by=village_organiser,
        contact_name="Nadia",
        contact_email="n@example.org",
    )
    time_machine.move_to(dt.datetime(2027, 12, 6, tzinfo=PARIS), tick=False)
    assert village.anonymise_past_stand_contacts() == 1
    stand.refresh_from_db()
    assert (stand.contact_name, stand.contact_email, stand.status) == ("", "", "confirmed")


def test_the_daily_retention_task_runs_through_the_worker(visit_request, village_organiser, time_machine):
    from django_q.models import Schedule
    from django_q.tasks import async_task, result

    visits.decline_visit_request(visit_request, by=village_organiser, reason="Complet")
    schedule = Schedule.objects.get(func="events.tasks.apply_retention")
    assert schedule.schedule_type == Schedule.DAILY
    time_machine.move_to(dt.datetime(2029, 11, 25, tzinfo=PARIS), tick=False)
    task_id = async_task(schedule.func)  # inline in the tests (Q_CLUSTER sync)
    assert result(task_id) == {"registrations": 0, "visit_requests": 1, "stand_contacts": 0}
    visit_request.refresh_from_db()
    assert visit_request.email == "" and visit_request.status == VisitRequestStatus.DECLINED
