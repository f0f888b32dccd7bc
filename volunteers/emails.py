"""The volunteers' account emails: the confirmation link and the inactivity warning.

They are queued after commit and sent by django-q2 (inline in the tests); the task
receives the user's id and builds the email from the row as it is then.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_q.tasks import async_task


def confirmation_path(user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("volunteers:confirm", args=[uidb64, default_token_generator.make_token(user)])


def queue_confirmation(user) -> None:
    transaction.on_commit(lambda: async_task("volunteers.emails.send_confirmation", user.pk))


def queue_inactivity_warning(user) -> None:
    transaction.on_commit(lambda: async_task("volunteers.emails.send_inactivity_warning", user.pk))


def _send(user, subject: str, template: str, context: dict) -> None:
    site_url = settings.SITE_URL.rstrip("/")
    context = {"user": user, "site_url": site_url, **context}
    body = render_to_string(template, context)
    EmailMessage(subject=subject, body=body, to=[user.email]).send()


def send_confirmation(user_id: int) -> str:
    user = get_user_model().objects.filter(pk=user_id, is_active=False).first()
    if user is None or not user.email:
        return "nothing to confirm"
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            user,
            _("Confirmez votre compte bénévole"),
            "volunteers/emails/confirmation.txt",
            {"confirm_url": settings.SITE_URL.rstrip("/") + confirmation_path(user)},
        )
    return "sent"


def send_inactivity_warning(user_id: int) -> str:
    user = get_user_model().objects.filter(pk=user_id, volunteer_profile__isnull=False).first()
    if user is None or not user.email:
        return "nothing to warn"
    from .services import GRACE_DAYS

    with translation.override(settings.LANGUAGE_CODE):
        _send(
            user,
            _("Votre compte bénévole sera bientôt supprimé"),
            "volunteers/emails/inactivity_warning.txt",
            {
                "months": settings.VOLUNTEER_INACTIVITY_MONTHS,
                "days": GRACE_DAYS,
                "login_url": settings.SITE_URL.rstrip("/") + settings.LOGIN_URL,
                "profile_url": settings.SITE_URL.rstrip("/") + reverse("volunteers:profile"),
            },
        )
    return "sent"
