"""Volunteer accounts and their offers: sign-up, profile, consents, and the RGPD rights.

Views, the admin, commands and tasks call these functions; they hold the rules.
"""

import datetime as dt
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    AwayPeriod,
    ConsentPurpose,
    ConsentRecord,
    DayPart,
    MatchStatus,
    MissionMatch,
    ShiftSignup,
    VolunteerProfile,
    Weekday,
    availability_bit,
)

# The version of the texts a person agrees to (sign-up form, contact and map boxes of the
# profile). Change it with the texts: each consent record keeps the version that was read.
CONSENT_TEXT_VERSION = "2026-11"

# Days between the inactivity warning and the anonymisation, for the person to log in.
GRACE_DAYS = 30

ANONYMOUS_VOLUNTEER = "Bénévole anonyme"

Slot = tuple[int, int]  # (Weekday, DayPart)


class VolunteerError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def email_taken_message() -> str:
    return _("Un compte existe déjà avec cette adresse ; connectez-vous ou choisissez « mot de passe oublié ».")


def _accounts_with(email: str):
    email = email.strip().lower()
    return get_user_model().objects.filter(Q(username__iexact=email) | Q(email__iexact=email))


def _unconfirmed(accounts):
    """Volunteer accounts created by the sign-up form whose email was never confirmed."""
    return accounts.filter(is_active=False, last_login__isnull=True, volunteer_profile__isnull=False)


def email_in_use(email: str) -> bool:
    """Whether the address belongs to an account. An unconfirmed sign-up does not count: signing
    up again replaces it and sends a new link (the first email may have been lost)."""
    accounts = _accounts_with(email)
    return accounts.exclude(pk__in=_unconfirmed(accounts).values("pk")).exists()


# Sign-up -----------------------------------------------------------------------------------


@transaction.atomic
def sign_up(*, first_name: str, last_name: str, email: str, password: str, home_commune, now=None):
    """Create an inactive account and its profile, record the consent, and email the confirmation link."""
    now = now or timezone.now()
    email = email.strip().lower()
    if email_in_use(email):
        raise VolunteerError(email_taken_message(), code="email_taken")
    User = get_user_model()
    user = _unconfirmed(_accounts_with(email)).select_for_update().first()
    if user is None:
        user = User.objects.create_user(
            username=email, email=email, password=password, first_name=first_name, last_name=last_name, is_active=False
        )
        VolunteerProfile.objects.create(user=user, home_commune=home_commune, last_active_at=now)
    else:
        # A new password also voids the first confirmation link (tokens depend on it).
        user.first_name, user.last_name = first_name, last_name
        user.set_password(password)
        user.save(update_fields=["first_name", "last_name", "password"])
        profile = user.volunteer_profile
        profile.home_commune = home_commune
        profile.last_active_at = now
        profile.save()
    ConsentRecord.objects.create(
        user=user, purpose=ConsentPurpose.ACCOUNT, text_version=CONSENT_TEXT_VERSION, given_at=now
    )
    from .emails import queue_confirmation

    queue_confirmation(user)
    return user


def confirm_account(user, now=None) -> None:
    """Activate an account whose owner followed the confirmation link."""
    now = now or timezone.now()
    user.is_active = True
    user.save(update_fields=["is_active"])
    VolunteerProfile.objects.filter(user=user).update(last_active_at=now, inactivity_warned_at=None)


def record_activity(user, now=None) -> None:
    """A login or a saved profile: the person is active, a pending inactivity warning is void."""
    VolunteerProfile.objects.filter(user=user).update(last_active_at=now or timezone.now(), inactivity_warned_at=None)


# Profile -----------------------------------------------------------------------------------


def slot_label(weekday: int, part: int) -> str:
    """ "samedi matin" """
    return f"{Weekday(weekday).label} {DayPart(part).label}"


def all_slots() -> list[Slot]:
    return [(day.value, part.value) for day in Weekday for part in DayPart]


def slots_of(profile: VolunteerProfile) -> list[Slot]:
    return [slot for slot in all_slots() if profile.is_available(*slot)]


def set_availability(profile: VolunteerProfile, slots: Iterable[Slot]) -> int:
    """Set the weekly availability from (weekday, part) slots; returns the new mask."""
    bits = 0
    for weekday, part in slots:
        bits |= availability_bit(weekday, part)
    profile.availability_bits = bits
    VolunteerProfile.objects.filter(pk=profile.pk).update(availability_bits=bits)
    return bits


def _record_consent(user, purpose: str, given: bool, now: dt.datetime) -> None:
    if given:
        ConsentRecord.objects.create(user=user, purpose=purpose, text_version=CONSENT_TEXT_VERSION, given_at=now)
    else:
        ConsentRecord.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).update(withdrawn_at=now)


@transaction.atomic
def save_profile(
    profile: VolunteerProfile,
    *,
    home_commune,
    travel_km: int,
    skills: Iterable,
    sectors: Iterable,
    slots: Iterable[Slot],
    phone: str = "",
    accepts_contact: bool = False,
    on_map: bool = False,
    now=None,
) -> VolunteerProfile:
    """Save the offer, keep the skill and availability masks in step, record consent changes."""
    now = now or timezone.now()
    if not 1 <= travel_km <= 100:
        raise VolunteerError(_("Indiquez une distance entre 1 et 100 km."), code="invalid_travel_km")
    previous = VolunteerProfile.objects.select_for_update().get(pk=profile.pk)
    for purpose, before, after in (
        (ConsentPurpose.CONTACT, previous.accepts_contact, accepts_contact),
        (ConsentPurpose.MAP, previous.on_map, on_map),
    ):
        if before != after:
            _record_consent(profile.user, purpose, after, now)
    profile.home_commune = home_commune
    profile.travel_km = travel_km
    profile.phone = phone.strip()
    profile.accepts_contact = accepts_contact
    profile.on_map = on_map
    profile.last_active_at = now
    profile.inactivity_warned_at = None
    bits = 0
    for weekday, part in slots:
        bits |= availability_bit(weekday, part)
    profile.availability_bits = bits
    profile.save()
    profile.skills.set(skills)
    profile.sectors.set(sectors)
    profile.refresh_skill_bits()
    return profile


def add_away_period(profile: VolunteerProfile, start: dt.date, end: dt.date) -> AwayPeriod:
    if end < start:
        raise VolunteerError(_("La fin de l'absence doit venir après son début."), code="away_end_before_start")
    return AwayPeriod.objects.create(profile=profile, start=start, end=end)


def remove_away_period(profile: VolunteerProfile, period_id: int) -> bool:
    deleted, _ = profile.away_periods.filter(pk=period_id).delete()
    return bool(deleted)


# RGPD: access, erasure, inactivity ----------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_data(user) -> dict:
    """Everything the site holds about a volunteer, for the right of access and portability."""
    data = {
        "compte": {
            "identifiant": user.get_username(),
            "prenom": user.first_name,
            "nom": user.last_name,
            "courriel": user.email,
            "inscrit_le": _iso(user.date_joined),
            "derniere_connexion": _iso(user.last_login),
        },
        "profil": None,
        "consentements": [
            {
                "objet": record.purpose,
                "libelle": record.get_purpose_display(),
                "version_du_texte": record.text_version,
                "donne_le": _iso(record.given_at),
                "retire_le": _iso(record.withdrawn_at),
            }
            for record in ConsentRecord.objects.filter(user=user).order_by("given_at", "pk")
        ],
        "creneaux": [
            {
                "evenement": signup.shift.event.title,
                "role": signup.shift.label or signup.shift.get_role_display(),
                "debut": _iso(signup.shift.starts_at),
                "fin": _iso(signup.shift.ends_at),
                "statut": signup.get_status_display(),
                "presence": signup.get_attendance_display() if signup.attendance else None,
                "heures": signup.hours_served,
                "nom": signup.name,
                "courriel": signup.email,
                "telephone": signup.phone,
            }
            for signup in ShiftSignup.objects.filter(user=user).select_related("shift__event")
        ],
        "missions": [
            {
                "mission": match.mission.title,
                "structure": match.mission.poster_name,
                "origine": match.get_kind_display(),
                "statut": match.get_status_display(),
                "score": match.score,
                "raisons": match.reasons,
                "message": match.message,
                "le": _iso(match.created_at),
                "reponse_le": _iso(match.decided_at),
            }
            for match in MissionMatch.objects.filter(user=user).select_related("mission__organisation")
        ],
    }
    profile = VolunteerProfile.objects.filter(user=user).select_related("home_commune").first()
    if profile is not None:
        data["profil"] = {
            "commune": profile.home_commune.name,
            "distance_km": profile.travel_km,
            "competences": list(profile.skills.values_list("name", flat=True)),
            "centres_d_interet": list(profile.sectors.values_list("name", flat=True)),
            "disponibilites": [slot_label(*slot) for slot in slots_of(profile)],
            "telephone": profile.phone,
            "accepte_d_etre_contacte": profile.accepts_contact,
            "sur_la_carte": profile.on_map,
            "absences": [{"du": _iso(period.start), "au": _iso(period.end)} for period in profile.away_periods.all()],
            "cree_le": _iso(profile.created_at),
            "derniere_activite": _iso(profile.last_active_at),
        }
    return data


@transaction.atomic
def erase_volunteer(user) -> None:
    """Erase a volunteer: the offer goes, the account, shift sign-ups and matches stay as anonymous rows.

    Shift sign-ups (with their attendance, hence the hours served) and mission matches are
    kept without the person so that the plan's volunteering figures stay true; consent records are kept without the person as proof that the
    consents existed (RGPD art. 7.1).
    """
    if user.is_staff or user.is_superuser:
        raise VolunteerError(
            _("Un compte de l'équipe ne peut pas être supprimé ici : adressez-vous à un administrateur."),
            code="staff_account",
        )
    VolunteerProfile.objects.filter(user=user).delete()  # away periods follow (CASCADE)
    ShiftSignup.objects.filter(user=user).update(name=ANONYMOUS_VOLUNTEER, email="", phone="", user=None)
    # Matches stay for the plan's figures (proposals made, accepted), without the person or
    # their words; what was still pending cannot be answered any more.
    MissionMatch.objects.filter(user=user, status=MatchStatus.PENDING).update(
        status=MatchStatus.WITHDRAWN, decided_at=timezone.now()
    )
    MissionMatch.objects.filter(user=user).update(user=None, message="")
    ConsentRecord.objects.filter(user=user).update(user=None)
    user.set_unusable_password()
    user.is_active = False
    user.username = f"supprime-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.save()


def inactivity_cutoff(now: dt.datetime) -> dt.datetime:
    return now - relativedelta(months=settings.VOLUNTEER_INACTIVITY_MONTHS)


def warn_then_anonymise_inactive(now=None) -> tuple[int, int]:
    """Warn once the volunteers inactive past the period; anonymise those still inactive GRACE_DAYS later.

    Returns (warned, anonymised).
    """
    from .emails import queue_inactivity_warning

    now = now or timezone.now()
    cutoff = inactivity_cutoff(now)
    inactive = Q(last_active_at__lt=cutoff) | Q(last_active_at__isnull=True, created_at__lt=cutoff)
    warned = 0
    for profile in VolunteerProfile.objects.filter(inactive, inactivity_warned_at__isnull=True).select_related("user"):
        with transaction.atomic():
            VolunteerProfile.objects.filter(pk=profile.pk).update(inactivity_warned_at=now)
            queue_inactivity_warning(profile.user)
        warned += 1
    anonymised = 0
    due = VolunteerProfile.objects.filter(
        inactive, inactivity_warned_at__lte=now - dt.timedelta(days=GRACE_DAYS)
    ).select_related("user")
    for profile in due:
        try:
            erase_volunteer(profile.user)
        except VolunteerError:
            continue
        anonymised += 1
    return warned, anonymised
