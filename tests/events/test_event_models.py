import datetime as dt

import pytest

from events.models import EventKind, EventPage, EventStatus
from territory.models import PARIS


@pytest.mark.django_db
def test_each_kind_page_records_its_kind_and_local_date(make_event):
    # 23:30 on 31 December in Paris is 22:30 UTC: the event belongs to that year and day.
    start = dt.datetime(2026, 12, 31, 23, 30, tzinfo=PARIS)
    page = make_event(kind=EventKind.YOUTH_OUTREACH, start=start)
    stored = EventPage.objects.get(pk=page.pk)
    assert stored.kind == EventKind.YOUTH_OUTREACH
    assert stored.start_date == dt.date(2026, 12, 31)


@pytest.mark.django_db
def test_commune_is_taken_from_the_venue(make_event, venue, other_commune):
    page = make_event(venue=venue, commune=other_commune)
    assert page.commune == venue.commune
    assert page.place_label == "Salle des fêtes, Valenciennes"


@pytest.mark.django_db
def test_new_event_serves_the_default_action_of_its_kind(plan, make_event):
    page = make_event(kind=EventKind.ITINERANT_VILLAGE)
    assert [a.code for a in EventPage.objects.get(pk=page.pk).plan_actions.all()] == ["O3.1.b"]


@pytest.mark.django_db
def test_chosen_actions_are_kept(plan, make_event):
    from indicators.models import Action

    chosen = Action.objects.get(code="O4.1.b")
    page = make_event(kind=EventKind.ITINERANT_VILLAGE, plan_actions=[chosen])
    assert [a.code for a in EventPage.objects.get(pk=page.pk).plan_actions.all()] == ["O4.1.b"]


@pytest.mark.django_db
def test_after_the_plan_period_the_last_plan_stays_in_force(plan, make_event):
    page = make_event(start=dt.datetime(2027, 3, 4, 8, 30, tzinfo=PARIS))
    assert [a.code for a in EventPage.objects.get(pk=page.pk).plan_actions.all()] == ["O3.2.a"]


@pytest.mark.django_db
def test_no_default_action_before_the_first_plan(plan, make_event):
    page = make_event(start=dt.datetime(2019, 3, 4, 8, 30, tzinfo=PARIS))
    assert list(page.plan_actions.all()) == []


@pytest.mark.django_db
def test_end_before_start_is_refused_in_french(make_event):
    from django.core.exceptions import ValidationError

    page = make_event()
    page.end = page.start - dt.timedelta(minutes=5)
    with pytest.raises(ValidationError) as excinfo:
        page.full_clean()
    assert "La fin doit être postérieure au début." in excinfo.value.message_dict["end"]


@pytest.mark.django_db
def test_queryset_vocabulary(make_event, other_commune):
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
    past = make_event(start=dt.datetime(2026, 10, 1, 9, 0, tzinfo=PARIS))
    december = make_event(kind=EventKind.ELECTED_AWARENESS, start=dt.datetime(2026, 12, 3, 18, 0, tzinfo=PARIS))
    january = make_event(
        start=dt.datetime(2027, 1, 7, 8, 30, tzinfo=PARIS), commune=other_commune, status=EventStatus.CANCELLED
    )
    events = EventPage.objects.live()
    assert [e.pk for e in events.upcoming(now).order_by("start")] == [december.pk, january.pk]
    assert [e.pk for e in events.past(now)] == [past.pk]
    assert [e.pk for e in events.in_month(2026, 12)] == [december.pk]
    assert [e.pk for e in events.of_kind(EventKind.ELECTED_AWARENESS)] == [december.pk]
    assert [e.pk for e in events.in_commune(other_commune)] == [january.pk]
    assert [e.pk for e in events.not_cancelled().order_by("start")] == [past.pk, december.pk]
