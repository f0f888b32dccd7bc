"""Who may call the staff endpoints of the API: check-in staff, by token or by admin session.

Two ways in, tried in this order:

- `Authorization: Bearer <token>`: an ApiToken (random, stored hashed with
  events.tokens.hash_code, revocable), for scripts; `create_api_token` prints one;
- the admin session cookie, WITH the CSRF token (`X-CSRFToken` header) on every write:
  the check-in page is a page of this site, and without CSRF another site could make a
  logged-in volunteer's browser check people in.

Refusals use the API's French error format: 401 when nobody is identified, 403 when the
person lacks the `events.perform_checkin` permission or the CSRF token is missing.
ninja's own session auth checks CSRF before it knows whether there is a session at all,
which would answer an anonymous script "CSRF failed" instead of "not authenticated".
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from village.api_errors import ApiError

from .models import ApiToken
from .services.checkin import can_check_in
from .tokens import hash_code

# Writing last_used_at on every scan would add a write to the hot path for a date that
# only needs to say "used today": refresh it once a minute at most.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def _forbidden() -> ApiError:
    return ApiError(
        _("Votre compte n'a pas le droit de pointer (groupe « Équipe de pointage » ou « Organisateurs »)."),
        code="permission_denied",
        status=403,
    )


class CheckinTokenAuth(HttpBearer):
    """Authorization: Bearer <token>, for scripts and devices without a session."""

    def authenticate(self, request, token):
        if not token:
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_code(token.strip()), revoked_at__isnull=True)
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            # Falls through to the session: a request with neither gets a 401.
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        if not can_check_in(api_token.user):
            raise _forbidden()
        return api_token.user


class CheckinSessionAuth(APIKeyCookie):
    """The admin session, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        # CSRF is checked below, once a session is known to exist.
        super().__init__(csrf=False)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            raise ApiError(
                _("Identifiez-vous : session de l'administration ou jeton (Authorization: Bearer)."),
                code="not_authenticated",
                status=401,
            )
        if check_csrf(request) is not None:
            raise ApiError(
                _("Jeton CSRF absent ou invalide : rechargez la page de pointage."),
                code="csrf_failed",
                status=403,
            )
        if not can_check_in(user):
            raise _forbidden()
        return user


# The session comes last: it is the one that answers 401 when nothing identified the caller.
checkin_staff_auth = [CheckinTokenAuth(), CheckinSessionAuth()]
