from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """The four kinds of public event; the values are the API's `kind`."""

    THEMATIC_BREAKFAST = "thematic_breakfast", _("Petit-déjeuner thématique")
    ITINERANT_VILLAGE = "itinerant_village", _("Village itinérant")
    ELECTED_AWARENESS = "elected_awareness", _("Sensibilisation des élus")
    YOUTH_OUTREACH = "youth_outreach", _("Sensibilisation des jeunes")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Programmé")
    POSTPONED = "postponed", _("Reporté")
    CANCELLED = "cancelled", _("Annulé")


class VillageFormat(models.TextChoices):
    FULL_VILLAGE = "full_village", _("Village complet")
    MINI_VILLAGE = "mini_village", _("Mini-village")
    SINGLE_STAND = "single_stand", _("Stand éphémère")


class YouthLevel(models.TextChoices):
    PRIMARY = "primary", _("École élémentaire")
    MIDDLE_SCHOOL = "middle_school", _("Collège")
    HIGH_SCHOOL = "high_school", _("Lycée")
    VOCATIONAL = "vocational", _("Lycée professionnel / CFA")
    HIGHER_EDUCATION = "higher_education", _("Enseignement supérieur")
    MISSION_LOCALE = "mission_locale", _("Mission Locale")
    OTHER = "other", _("Autre structure jeunesse")
