"""The volunteer's private calendar feed.

/benevolat/calendrier/<profile>/<token>/benevolat.ics   their shifts and accepted missions, for calendar apps
/benevolat/calendrier/renouveler/                       a new address (the old one stops working)

Calendar applications cannot log in: the address holds an HMAC of the profile's id and
its random `feed_key` (events/tokens.py), as the organisations' feed does
(events/views/organisations.py), and a new key revokes an address shared too widely.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events.ical import calendar_response
from events.tokens import check_private_link_token, ensure_feed_key, private_link_token, renew_feed_key

from ..ical import volunteer_calendar
from ..missions import site_url
from ..models import MatchStatus, MissionMatch, ShiftSignup, ShiftSignupStatus, VolunteerProfile

FEED_PURPOSE = "volunteer-feed"


def feed_path(profile: VolunteerProfile) -> str:
    token = private_link_token(FEED_PURPOSE, profile.pk, profile.feed_key)
    return reverse("volunteers:feed", args=[profile.pk, token])


def feed_url(request, profile: VolunteerProfile) -> str:
    """The feed's full address, the profile given its key if it had none."""
    return request.build_absolute_uri(feed_path(ensure_feed_key(profile)))


@require_GET
def feed(request, profile_id: int, token: str):
    profile = VolunteerProfile.objects.filter(pk=profile_id, user__is_active=True).first()
    if profile is None or not check_private_link_token(FEED_PURPOSE, profile.pk, profile.feed_key, token):
        raise Http404
    # A cancelled event's shift stays, struck out (STATUS:CANCELLED), so calendars update it;
    # a sign-up the volunteer cancelled leaves the feed.
    signups = list(
        ShiftSignup.objects.filter(user_id=profile.user_id, status=ShiftSignupStatus.CONFIRMED)
        .select_related("shift__event__venue", "shift__event__commune")
        .order_by("shift__starts_at", "pk")
    )
    matches = list(
        MissionMatch.objects.filter(user_id=profile.user_id, status=MatchStatus.ACCEPTED)
        .select_related("mission__organisation", "mission__venue", "mission__commune")
        .prefetch_related("mission__dates")
        .order_by("mission__starts_on", "pk")
    )
    calendar = volunteer_calendar(
        signups,
        matches,
        name=_("Mon bénévolat"),
        event_urls={signup.shift.event_id: signup.shift.event.get_full_url(request) for signup in signups},
        mission_urls={
            match.mission_id: site_url(reverse("volunteers:mission", args=[match.mission_id])) for match in matches
        },
    )
    # ETag only, no Last-Modified: a sign-up given back or a match withdrawn leaves the feed
    # without leaving a later date anywhere (events/ical/responses.py).
    return calendar_response(request, calendar, filename="benevolat.ics", private=True)


@login_required
@require_POST
def renew(request):
    profile = VolunteerProfile.objects.filter(user=request.user).first()
    if profile is None:
        raise Http404
    renew_feed_key(profile)
    messages.success(
        request,
        _(
            "L'adresse de votre calendrier est renouvelée : l'ancienne ne fonctionne plus. "
            "Abonnez vos agendas à la nouvelle adresse."
        ),
    )
    return redirect(f"{reverse('volunteers:my_matches')}#calendrier")
