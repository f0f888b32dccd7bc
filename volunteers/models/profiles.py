"""Offers: the volunteers, what they can do, when and where; their consents."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Skill(models.Model):
    """A skill volunteers offer and missions ask for, maintained by organisers.

    Each skill owns one bit of a 63-bit mask (`bit`), copied onto every profile as
    `skill_bits`, so that ranking many volunteers for a mission starts with one indexed
    bitwise filter in SQL instead of a join per skill.
    """

    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    bit = models.PositiveSmallIntegerField(_("rang"), unique=True, editable=False)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["position", "name"]
        constraints = [models.CheckConstraint(condition=Q(bit__lte=62), name="skill_bit_fits_the_mask")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.bit is None:
            taken = set(Skill.objects.values_list("bit", flat=True))
            self.bit = next(bit for bit in range(63) if bit not in taken)
        super().save(*args, **kwargs)

    @property
    def mask(self) -> int:
        return 1 << self.bit


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lundi")
    TUESDAY = 1, _("mardi")
    WEDNESDAY = 2, _("mercredi")
    THURSDAY = 3, _("jeudi")
    FRIDAY = 4, _("vendredi")
    SATURDAY = 5, _("samedi")
    SUNDAY = 6, _("dimanche")


class DayPart(models.IntegerChoices):
    MORNING = 0, _("matin")
    AFTERNOON = 1, _("après-midi")
    EVENING = 2, _("soir")


def availability_bit(weekday: int, part: int) -> int:
    """The bit of a (weekday, part of the day) slot in `availability_bits`: 21 slots in a week."""
    return 1 << (weekday * 3 + part)


# Where a part of the day begins, in local hours: a shift at 13:30 is an afternoon's.
AFTERNOON_FROM, EVENING_FROM = 12, 18


def day_part(hour: int) -> int:
    if hour < AFTERNOON_FROM:
        return DayPart.MORNING
    return DayPart.AFTERNOON if hour < EVENING_FROM else DayPart.EVENING


def slots_between(start: dt.datetime, end: dt.datetime) -> int:
    """The availability bits a time span covers, in local time (a 10:00-14:00 shift needs the
    morning and the afternoon). Spans longer than a week cover every slot."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    if end - start >= dt.timedelta(days=7):
        return (1 << 21) - 1
    bits = 0
    cursor = start
    while cursor < end:
        bits |= availability_bit(cursor.weekday(), day_part(cursor.hour))
        next_hour = (cursor + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        cursor = next_hour
    return bits


class VolunteerProfile(models.Model):
    """A volunteer's offer: where they live, how far they go, what they can do and when."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_profile")
    home_commune = models.ForeignKey(
        "territory.Commune", verbose_name=_("commune de résidence"), on_delete=models.PROTECT, related_name="+"
    )
    # The commune's coordinates, copied so that ranking filters on a bounding box in SQL
    # (only the commune: never an address).
    latitude = models.FloatField(editable=False)
    longitude = models.FloatField(editable=False)
    travel_km = models.PositiveSmallIntegerField(_("distance acceptée (km)"), default=10)
    skills = models.ManyToManyField(Skill, verbose_name=_("compétences"), blank=True, related_name="volunteers")
    skill_bits = models.BigIntegerField(default=0, editable=False)
    sectors = models.ManyToManyField(
        "territory.Sector", verbose_name=_("centres d'intérêt"), blank=True, related_name="volunteers"
    )
    # 21 bits: weekday * 3 + part of the day (availability_bit).
    availability_bits = models.PositiveIntegerField(default=0, editable=False)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    accepts_contact = models.BooleanField(_("accepte d'être contacté·e par les organisateurs"), default=False)
    on_map = models.BooleanField(_("apparaît sur la carte (à l'échelle de la commune)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_active_at = models.DateTimeField(_("dernière activité"), null=True, blank=True)
    inactivity_warned_at = models.DateTimeField(null=True, blank=True)
    # The random half of the private calendar feed's token (events/tokens.py,
    # private_link_token): a new key revokes the feed's address.
    feed_key = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("profil de bénévole")
        verbose_name_plural = _("profils de bénévoles")
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="volunteer_position"),
            models.Index(fields=["accepts_contact", "skill_bits"], name="volunteer_contact_skills"),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    def save(self, *args, **kwargs):
        if self.home_commune_id:
            self.latitude, self.longitude = self.home_commune.latitude, self.home_commune.longitude
        super().save(*args, **kwargs)

    def refresh_skill_bits(self) -> None:
        """Copy the chosen skills into `skill_bits` (after the M2M is saved)."""
        bits = 0
        for bit in self.skills.values_list("bit", flat=True):
            bits |= 1 << bit
        VolunteerProfile.objects.filter(pk=self.pk).update(skill_bits=bits)
        self.skill_bits = bits

    def is_available(self, weekday: int, part: int) -> bool:
        return bool(self.availability_bits & availability_bit(weekday, part))


class AwayPeriod(models.Model):
    profile = models.ForeignKey(VolunteerProfile, on_delete=models.CASCADE, related_name="away_periods")
    start = models.DateField(_("du"))
    end = models.DateField(_("au"))

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="away_period_in_order")]


class ConsentPurpose(models.TextChoices):
    ACCOUNT = "account", _("Compte bénévole et mise en relation")
    CONTACT = "contact", _("Être contacté·e par les organisateurs")
    MAP = "map", _("Apparaître sur la carte à l'échelle de la commune")


class ConsentRecord(models.Model):
    """What a person agreed to, with the version of the text they read, and when they withdrew it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents"
    )
    purpose = models.CharField(_("objet"), max_length=20, choices=ConsentPurpose.choices)
    text_version = models.CharField(_("version du texte"), max_length=20)
    given_at = models.DateTimeField(_("donné le"))
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("consentement")
        verbose_name_plural = _("consentements")
        ordering = ["-given_at"]
