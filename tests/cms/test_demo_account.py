"""The demo organiser account: organisatrice / village-demo, only when asked for or in DEBUG."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from cms.demo.account import DEMO_PASSWORD, DEMO_USERNAME, ORGANISERS_GROUP, DemoAccountStatus, ensure_demo_account

pytestmark = pytest.mark.django_db


def test_account_can_log_in_to_the_wagtail_admin(client, django_user_model):
    assert ensure_demo_account() == DemoAccountStatus.CREATED
    user = django_user_model.objects.get(username=DEMO_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    assert not user.is_superuser
    assert user.has_perm("wagtailadmin.access_admin")
    assert client.login(username=DEMO_USERNAME, password=DEMO_PASSWORD)


def test_account_joins_the_existing_organisers_group():
    group, _ = Group.objects.get_or_create(name=ORGANISERS_GROUP)
    ensure_demo_account()
    assert list(Group.objects.filter(user__username=DEMO_USERNAME)) == [group]


def test_existing_account_is_left_as_it_is(django_user_model):
    ensure_demo_account()
    user = django_user_model.objects.get(username=DEMO_USERNAME)
    user.set_password("changed-on-purpose")
    user.save()
    assert ensure_demo_account() == DemoAccountStatus.EXISTING
    assert django_user_model.objects.get(username=DEMO_USERNAME).check_password("changed-on-purpose")


def test_load_demo_creates_the_account_when_asked(django_user_model):
    stdout = io.StringIO()
    call_command("load_demo", "--with-demo-account", stdout=stdout)
    assert f"{DEMO_USERNAME} / {DEMO_PASSWORD}" in stdout.getvalue()
    assert django_user_model.objects.filter(username=DEMO_USERNAME, groups__name=ORGANISERS_GROUP).exists()
