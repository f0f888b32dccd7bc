"""load_demo's attendance, volunteers and missions: the plan's dashboard has figures to show.

As in test_demo_village.py, the command runs once for the module inside a transaction rolled
back at the end.
"""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from indicators.models import ActionPlan, CommitteeMeeting, IndicatorTarget
from indicators.rollups import Scope, compute
from tests.cms.test_load_demo import database_snapshot
from volunteers.models import Mission, MissionStatus, VolunteerProfile


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        stdout = io.StringIO()
        call_command("load_demo", "--with-demo-account", stdout=stdout)
        yield stdout.getvalue()
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def test_the_plan_has_figures_over_its_whole_period(demo):
    plan = ActionPlan.objects.get(short_title="PLDESS 2021-2026")
    values = compute(Scope(plan)).plan.values
    assert values["events_held"] > 0
    assert values["participants"] > values["unique_participants"] > 0  # some came back
    assert values["elected_reached"] > 0 and values["young_reached"] > 0
    assert values["stand_visitors"] > 0
    assert 0 < values["no_show_rate"] < 50


def test_governance_targets_volunteers_and_missions_are_there(demo):
    plan = ActionPlan.objects.get(short_title="PLDESS 2021-2026")
    year = timezone.localdate().year
    assert CommitteeMeeting.objects.filter(committee__plan=plan, date__year=year - 1).count() == 5  # 1 + 2 + 2
    assert IndicatorTarget.objects.filter(plan=plan).count() == 4
    assert VolunteerProfile.objects.filter(on_map=True).count() > 20
    assert Mission.objects.filter(status=MissionStatus.SUBMITTED).count() == 1
    assert Mission.objects.filter(status=MissionStatus.PUBLISHED).count() == 4


def test_a_second_run_changes_nothing(demo):
    before = database_snapshot()
    stdout = io.StringIO()
    call_command("load_demo", "--with-demo-account", stdout=stdout)
    assert "rien n'a changé" in stdout.getvalue()
    assert database_snapshot() == before
