"""Accounts of the ESS organisations' contacts: organisers invite them to the organisation space.

The invitation is sent at once, not through the outbox: its link to choose a password is
a Django password-reset token, valid PASSWORD_RESET_TIMEOUT, which the organiser can send
again by inviting again.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from territory.models import Organisation


def invite_contact(organisation: Organisation, *, name: str, email: str) -> tuple:
    """Give a person an account for the organisation space and email them a link to choose a password.

    The account is found by its email if the person already has one (a contact of another
    organisation, an organiser); otherwise it is created with the email as username and no
    usable password, so nobody can log in until the person chooses one. Inviting again
    sends a fresh link (the previous one expires after PASSWORD_RESET_TIMEOUT).
    Returns (user, created).
    """
    user_model = get_user_model()
    email = email.strip().lower()
    name = " ".join(name.split())
    with transaction.atomic():
        user = (
            user_model.objects.filter(username__iexact=email).first()
            or user_model.objects.filter(email__iexact=email).order_by("pk").first()
        )
        created = user is None
        if created:
            first_name, _space, last_name = name.partition(" ")
            user = user_model(username=email, email=email, first_name=first_name[:150], last_name=last_name[:150])
            user.set_unusable_password()
            user.save()
        organisation.contacts.add(user)
    send_invitation(user, organisation, name=name or user.get_full_name())
    return user, created


def send_invitation(user, organisation: Organisation, *, name: str) -> None:
    site_url = settings.SITE_URL.rstrip("/")
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "name": name,
        "organisation": organisation,
        "set_password_url": f"{site_url}{link}",
        "login_url": f"{site_url}{reverse('login')}",
        "site_url": site_url,
        "days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
    }
    # In French whatever language the organiser reads the admin in.
    with translation.override(settings.LANGUAGE_CODE):
        PasswordResetForm().send_mail(
            "registration/invitation_subject.txt",
            "registration/invitation_email.txt",
            context,
            None,
            user.email,
            html_email_template_name="registration/invitation_email.html",
        )
