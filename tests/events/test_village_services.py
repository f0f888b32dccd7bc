"""The village's rules (events/services/village.py): kits, stands, cancelling and moving."""

import datetime as dt

import pytest
from django.core import mail

from events.models import (
    EventKind,
    EventStatus,
    KitDay,
    OutgoingEmail,
    Pitch,
    Stand,
    StandStatus,
    VillageFormat,
    VillageStopPage,
)
from events.services import village
from events.services.outbox import VillageEmail
from events.services.registrations import register
from territory.models import PARIS, Organisation, Venue, VenueKind
from volunteers.models import Shift, ShiftRole, ShiftSignup

from .conftest import STOP_START, person

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 8, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=PARIS)


def schedule(commune, organiser, start, hours=5, **kwargs):
    return village.schedule_stop(
        commune=commune, start=start, end=start + dt.timedelta(hours=hours), by=organiser, **kwargs
    )


@pytest.fixture
def second_organisation(other_commune, sector):
    return Organisation.objects.create(
        name="Épicerie solidaire d'Anzin", legal_form="association", commune=other_commune, summary="Épicerie."
    )


def stand_values(**overrides):
    values = {
        "contact_name": "Nadia Benali",
        "contact_email": "nadia@ressourcerie.example.org",
        "contact_phone": "06 00 00 00 00",
    }
    values.update(overrides)
    return values


# Kits -----------------------------------------------------------------------------------


class TestKits:
    def test_a_scheduled_stop_is_a_draft_on_its_local_date(self, agenda_page, commune, organiser, village_now):
        stop = schedule(commune, organiser, at(12), village_format=VillageFormat.MINI_VILLAGE)
        assert not stop.live
        assert stop.start_date == dt.date(2026, 12, 12)
        assert stop.village_format == VillageFormat.MINI_VILLAGE
        assert stop.slug == "village-valenciennes-2026-12-12"
        assert stop.setup_from == dt.time(7, 0) and stop.teardown_until == dt.time(14, 0)
        assert stop.get_latest_revision() is not None

    def test_a_second_stop_on_the_same_day_is_refused_naming_the_first(
        self, agenda_page, commune, other_commune, organiser, village_now
    ):
        first = schedule(commune, organiser, at(12))
        with pytest.raises(village.VillageError) as refused:
            schedule(other_commune, organiser, at(12, 14), hours=3)
        assert refused.value.code == "kit_unavailable"
        assert first.title in refused.value.message
        assert "samedi 12 décembre 2026" in refused.value.message
        assert refused.value.clash.pk == first.pk
        assert VillageStopPage.objects.count() == 1

    def test_the_day_is_the_local_day(self, agenda_page, commune, other_commune, organiser, village_now):
        # 23:30 in Paris on the 11th is 22:30 UTC on the 11th; 00:30 on the 13th is 23:30 UTC on the 12th.
        schedule(commune, organiser, at(11, 20), hours=3)
        late = dt.datetime(2026, 12, 13, 0, 30, tzinfo=PARIS)
        schedule(other_commune, organiser, late, hours=2)
        with pytest.raises(village.VillageError):
            schedule(commune, organiser, dt.datetime(2026, 12, 13, 10, tzinfo=PARIS), hours=2)

    def test_a_cancelled_or_postponed_stop_gives_its_kit_back(self, agenda_page, commune, organiser, village_now):
        first = schedule(commune, organiser, at(12))
        first.status = EventStatus.POSTPONED
        first.save()
        second = schedule(commune, organiser, at(12, 14), hours=2)
        assert second.pk != first.pk

    def test_several_kits_allow_several_stops(
        self, agenda_page, commune, other_commune, organiser, village_now, territory
    ):
        territory.village_kits = 2
        territory.save()
        schedule(commune, organiser, at(12))
        schedule(other_commune, organiser, at(12))
        with pytest.raises(village.VillageError) as refused:
            schedule(commune, organiser, at(12, 15), hours=2)
        assert "Les 2 kits du village sont déjà pris" in refused.value.message

    def test_a_kit_day_overrides_the_usual_count(
        self, agenda_page, commune, other_commune, organiser, village_now, territory
    ):
        KitDay.objects.create(territory=territory, date=dt.date(2026, 12, 19), kits=5, reason="Faites de l'ESS")
        for n in range(5):
            schedule(commune if n % 2 else other_commune, organiser, at(19, 8 + n), hours=1)
        with pytest.raises(village.VillageError):
            schedule(commune, organiser, at(19, 15), hours=1)
        # The next day is back to one kit.
        schedule(commune, organiser, at(20))
        with pytest.raises(village.VillageError):
            schedule(other_commune, organiser, at(20, 14), hours=1)

    def test_other_territories_have_their_own_kits(self, agenda_page, commune, organiser, village_now):
        from territory.models import Commune, Territory

        mel = Territory.objects.create(name="Métropole Européenne de Lille", slug="mel")
        lille = Commune.objects.create(
            territory=mel,
            insee_code="59350",
            name="Lille",
            postcodes="59000",
            population=236710,
            latitude=50.63,
            longitude=3.06,
        )
        schedule(commune, organiser, at(12))
        assert schedule(lille, organiser, at(12)).commune == lille

    def test_a_stop_holds_on_one_day_and_ends_after_it_starts(self, agenda_page, commune, organiser, village_now):
        with pytest.raises(village.VillageError) as refused:
            schedule(commune, organiser, at(12), hours=-1)
        assert refused.value.code == "end_before_start"
        with pytest.raises(village.VillageError) as refused:
            schedule(commune, organiser, at(12, 20), hours=6)
        assert refused.value.code == "several_days"

    def test_a_venue_sets_the_commune(self, agenda_page, commune, other_commune, organiser, village_now):
        square = Venue.objects.create(commune=other_commune, name="Place Roger Salengro", kind=VenueKind.SQUARE)
        stop = schedule(commune, organiser, at(12), venue=square)
        assert stop.commune == other_commune and stop.venue == square


# Stands ---------------------------------------------------------------------------------


class TestStands:
    def test_an_organisation_applies_and_is_acknowledged(
        self, stop, organisation, contact_user, village_now, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            stand = village.apply_for_stand(
                stop, organisation, activity="Atelier réparation", by=contact_user, **stand_values()
            )
        assert stand.status == StandStatus.APPLIED and stand.pitch is None
        assert stand.applied_by == contact_user
        email = OutgoingEmail.objects.get(kind=VillageEmail.STAND_RECEIVED)
        assert email.to == "nadia@ressourcerie.example.org" and email.context == {"stand": stand.pk}

    def test_applying_twice_for_the_same_stop_is_refused(self, stop, organisation, village_now):
        village.apply_for_stand(stop, organisation, **stand_values())
        with pytest.raises(village.VillageError) as refused:
            village.apply_for_stand(stop, organisation, **stand_values())
        assert refused.value.code == "already_applied"
        assert Stand.objects.count() == 1

    def test_a_withdrawn_organisation_may_apply_again(self, stop, organisation, village_now):
        stand = village.apply_for_stand(stop, organisation, **stand_values())
        village.withdraw_stand(stand, by=None)
        again = village.apply_for_stand(stop, organisation, **stand_values())
        assert again.status == StandStatus.APPLIED

    def test_two_stands_at_overlapping_times_are_refused(
        self, stop, organisation, make_event, other_commune, village_now
    ):
        village.apply_for_stand(stop, organisation, **stand_values())
        # Same Saturday, 11:00-15:00 in Anzin, while the first stop runs 8:00-13:00.
        other = make_event(
            EventKind.ITINERANT_VILLAGE, start=STOP_START + dt.timedelta(hours=3), hours=4, commune=other_commune
        )
        Pitch.objects.create(stop=other, number=1)
        with pytest.raises(village.VillageError) as refused:
            village.apply_for_stand(other, organisation, **stand_values())
        assert refused.value.code == "overlapping_stand"
        assert "Village au marché" in refused.value.message and "Valenciennes" in refused.value.message
        assert Stand.objects.filter(stop=other).count() == 0

    def test_back_to_back_stands_do_not_overlap(self, stop, organisation, make_event, other_commune, village_now):
        village.apply_for_stand(stop, organisation, **stand_values())
        later = make_event(
            EventKind.ITINERANT_VILLAGE, start=STOP_START + dt.timedelta(hours=5), hours=3, commune=other_commune
        )
        Pitch.objects.create(stop=later, number=1)
        assert village.apply_for_stand(later, organisation, **stand_values()).stop_id == later.pk

    def test_a_stop_without_pitches_takes_no_stand(self, make_event, organisation, village_now):
        bare = make_event(EventKind.ITINERANT_VILLAGE, start=STOP_START, hours=5)
        with pytest.raises(village.VillageError) as refused:
            village.apply_for_stand(bare, organisation, **stand_values())
        assert refused.value.code == "no_pitches"

    def test_a_cancelled_or_past_stop_takes_no_stand(self, stop, organisation, village_now, time_machine):
        time_machine.move_to(STOP_START + dt.timedelta(days=1), tick=False)
        with pytest.raises(village.VillageError) as refused:
            village.apply_for_stand(stop, organisation, **stand_values())
        assert refused.value.code == "stop_past"

    def test_a_contact_is_required(self, stop, organisation, village_now):
        with pytest.raises(village.VillageError) as refused:
            village.apply_for_stand(stop, organisation, **stand_values(contact_email=" "))
        assert refused.value.code == "contact_required"

    def test_confirming_puts_the_stand_on_its_pitch_and_emails(
        self, stop, organisation, organiser, village_now, django_capture_on_commit_callbacks
    ):
        stand = village.apply_for_stand(stop, organisation, needs_power=True, **stand_values())
        pitch = stop.pitches.get(number=2)
        with django_capture_on_commit_callbacks(execute=False):
            village.confirm_stand(stand, pitch, by=organiser)
        stand.refresh_from_db()
        assert (stand.status, stand.pitch, stand.decided_by) == (StandStatus.CONFIRMED, pitch, organiser)
        assert stand.unmet_needs == ["électricité"]
        assert OutgoingEmail.objects.filter(kind=VillageEmail.STAND_CONFIRMED, context={"stand": stand.pk}).exists()

    def test_a_pitch_holds_one_stand(self, stop, organisation, second_organisation, organiser, village_now):
        pitch = stop.pitches.get(number=1)
        village.confirm_stand(village.apply_for_stand(stop, organisation, **stand_values()), pitch, by=organiser)
        other = village.apply_for_stand(stop, second_organisation, **stand_values(contact_email="epicerie@example.org"))
        with pytest.raises(village.VillageError) as refused:
            village.confirm_stand(other, pitch, by=organiser)
        assert refused.value.code == "pitch_taken"
        assert "Ressourcerie du Hainaut" in refused.value.message
        other.refresh_from_db()
        assert other.status == StandStatus.APPLIED

    def test_a_pitch_of_another_stop_is_refused(self, stop, organisation, organiser, make_event, village_now):
        other = make_event(EventKind.ITINERANT_VILLAGE, start=STOP_START + dt.timedelta(days=7), hours=5)
        foreign = Pitch.objects.create(stop=other, number=9)
        stand = village.apply_for_stand(stop, organisation, **stand_values())
        with pytest.raises(village.VillageError) as refused:
            village.confirm_stand(stand, foreign, by=organiser)
        assert refused.value.code == "pitch_not_at_stop"

    def test_more_stands_than_pitches_are_refused(self, stop, organiser, commune, village_now):
        organisations = [
            Organisation.objects.create(name=f"Structure {n}", legal_form="association", commune=commune, summary="-")
            for n in range(4)
        ]
        for organisation, pitch in zip(organisations, stop.pitches.order_by("number"), strict=False):
            village.place_stand(
                stop,
                organisation,
                pitch,
                by=organiser,
                **stand_values(contact_email=f"{organisation.slug}@example.org"),
            )
        with pytest.raises(village.VillageError) as refused:
            village.apply_for_stand(stop, organisations[3], **stand_values())
        assert refused.value.code == "no_pitch_left"
        assert "Les 3 emplacements de cette étape sont tous attribués." == refused.value.message
        assert Stand.objects.confirmed().count() == 3 and Stand.objects.count() == 3

    def test_refusing_needs_a_reason_and_frees_nothing_else(self, stop, organisation, organiser, village_now):
        stand = village.apply_for_stand(stop, organisation, **stand_values())
        with pytest.raises(village.VillageError) as refused:
            village.refuse_stand(stand, by=organiser, reason="  ")
        assert refused.value.code == "reason_required"
        village.refuse_stand(stand, by=organiser, reason="Thème déjà représenté")
        stand.refresh_from_db()
        assert (stand.status, stand.decision_note) == (StandStatus.REFUSED, "Thème déjà représenté")
        assert OutgoingEmail.objects.filter(kind=VillageEmail.STAND_REFUSED).count() == 1

    def test_moving_a_stand_to_a_free_pitch(self, stop, organisation, second_organisation, organiser, village_now):
        first = village.place_stand(stop, organisation, stop.pitches.get(number=1), by=organiser, **stand_values())
        village.place_stand(
            stop,
            second_organisation,
            stop.pitches.get(number=2),
            by=organiser,
            **stand_values(contact_email="e@example.org"),
        )
        with pytest.raises(village.VillageError) as refused:
            village.move_stand(first, stop.pitches.get(number=2), by=organiser)
        assert refused.value.code == "pitch_taken"
        village.move_stand(first, stop.pitches.get(number=3), by=organiser)
        first.refresh_from_db()
        assert first.pitch.number == 3
        assert list(village.free_pitches(stop).values_list("number", flat=True)) == [1]
        assert OutgoingEmail.objects.filter(kind=VillageEmail.STAND_MOVED).count() == 1

    def test_only_a_pending_application_can_be_confirmed(self, stop, organisation, organiser, village_now):
        stand = village.place_stand(stop, organisation, stop.pitches.get(number=1), by=organiser, **stand_values())
        with pytest.raises(village.VillageError) as refused:
            village.confirm_stand(stand, stop.pitches.get(number=2), by=organiser)
        assert refused.value.code == "stand_not_pending"


# Cancelling and moving -------------------------------------------------------------------


@pytest.fixture
def everyone(stop, organisation, organiser, village_now, make_event):
    """A stop with a registrant... (stops take no registrations: a breakfast has them), a stand holder, a volunteer."""
    village.place_stand(stop, organisation, stop.pitches.get(number=1), by=organiser, **stand_values())
    shift = Shift.objects.create(
        event=stop, role=ShiftRole.SETUP, starts_at=STOP_START - dt.timedelta(hours=1), ends_at=STOP_START, capacity=2
    )
    ShiftSignup.objects.create(shift=shift, name="Paul Lefebvre", email="paul@example.org")
    # The same person twice (a volunteer who also holds the stand) gets one email.
    ShiftSignup.objects.create(shift=shift, name="Nadia Benali", email="NADIA@ressourcerie.example.org")
    OutgoingEmail.objects.all().delete()
    return stop


class TestCancelAndMove:
    def test_cancelling_tells_everyone_once_and_publishes(
        self, everyone, organiser, django_capture_on_commit_callbacks
    ):
        stop = everyone
        before = stop.live_revision_id
        with django_capture_on_commit_callbacks(execute=False):
            told = village.cancel_event(stop, by=organiser, reason="Alerte météo : vents violents")
        assert told == 2
        stop.refresh_from_db()
        assert stop.status == EventStatus.CANCELLED and stop.status_note == "Alerte météo : vents violents"
        assert stop.live_revision_id != before
        emails = OutgoingEmail.objects.filter(kind=VillageEmail.EVENT_CANCELLED)
        assert sorted((e.to.lower(), e.context["audience"]) for e in emails) == [
            ("nadia@ressourcerie.example.org", "stand"),
            ("paul@example.org", "volunteer"),
        ]

    def test_cancelling_a_breakfast_tells_its_registrants(self, make_event, organiser, village_now):
        breakfast = make_event(EventKind.THEMATIC_BREAKFAST, capacity=1)
        confirmed, _ = register(breakfast, **person())
        waiting, _ = register(breakfast, **person())
        OutgoingEmail.objects.all().delete()
        assert village.cancel_event(breakfast, by=organiser, reason="Intervenant malade") == 2
        rows = OutgoingEmail.objects.filter(kind=VillageEmail.EVENT_CANCELLED)
        assert {row.registration_id for row in rows} == {confirmed.pk, waiting.pk}

    def test_cancelling_needs_a_reason_and_happens_once(self, everyone, organiser):
        with pytest.raises(village.VillageError) as refused:
            village.cancel_event(everyone, by=organiser, reason="")
        assert refused.value.code == "reason_required"
        village.cancel_event(everyone, by=organiser, reason="Pluie")
        with pytest.raises(village.VillageError) as refused:
            village.cancel_event(everyone, by=organiser, reason="Pluie")
        assert refused.value.code == "already_cancelled"
        assert OutgoingEmail.objects.filter(kind=VillageEmail.EVENT_CANCELLED).count() == 2

    def test_moving_tells_everyone_and_keeps_the_old_date_in_the_note(self, everyone, organiser):
        new_start = STOP_START + dt.timedelta(days=7)
        assert village.move_event(everyone, start=new_start, end=new_start + dt.timedelta(hours=5), by=organiser) == 2
        everyone.refresh_from_db()
        assert everyone.start == new_start and everyone.start_date == dt.date(2026, 12, 12)
        assert everyone.status == EventStatus.SCHEDULED
        assert everyone.status_note == "Nouvelle date (initialement le 5 décembre 2026 à 08h00)."
        row = OutgoingEmail.objects.filter(kind=VillageEmail.EVENT_MOVED).first()
        assert row.context["previous_start"] == "2026-12-05T08:00:00+01:00"

    def test_moving_a_stop_needs_a_kit_on_the_new_day(self, everyone, organiser, other_commune):
        other = schedule(other_commune, organiser, at(12))
        with pytest.raises(village.VillageError) as refused:
            village.move_event(everyone, start=at(12, 9), end=at(12, 12), by=organiser)
        assert refused.value.code == "kit_unavailable" and other.title in refused.value.message
        everyone.refresh_from_db()
        assert everyone.start == STOP_START
        assert not OutgoingEmail.objects.filter(kind=VillageEmail.EVENT_MOVED).exists()

    def test_moving_within_its_own_day_is_not_a_clash_with_itself(self, everyone, organiser):
        village.move_event(
            everyone, start=STOP_START + dt.timedelta(hours=1), end=STOP_START + dt.timedelta(hours=6), by=organiser
        )
        everyone.refresh_from_db()
        assert everyone.start == STOP_START + dt.timedelta(hours=1)

    def test_moving_into_the_past_is_refused(self, everyone, organiser):
        with pytest.raises(village.VillageError) as refused:
            village.move_event(everyone, start=at(1, 8, month=11), end=at(1, 12, month=11), by=organiser)
        assert refused.value.code == "date_in_past"

    def test_cancelled_emails_are_really_sent(self, everyone, organiser, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            village.cancel_event(everyone, by=organiser, reason="Marché annulé par la mairie")
        assert sorted(m.to[0].lower() for m in mail.outbox) == ["nadia@ressourcerie.example.org", "paul@example.org"]
