"""The territory's reference data: one home for it, read by every other app.

A territory is an intercommunal authority (EPCI) with its member communes; venues
(markets, squares, town halls, schools...) sit in a commune; ESS organisations are
the actors of the territory that the public directory lists.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.search import index

PARIS = ZoneInfo("Europe/Paris")


class Territory(models.Model):
    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    siren = models.CharField(_("SIREN de l'EPCI"), max_length=9, blank=True)
    village_kits = models.PositiveSmallIntegerField(
        _("kits du village"),
        default=1,
        help_text=_("Combien d'étapes du village peuvent avoir lieu le même jour (tentes, tables, banderoles)."),
    )

    # Each territory has its Wagtail site (its home page and hostname): the public pages of a
    # request show the territory of the site it came to (`for_request`).
    site = models.OneToOneField(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="territory",
    )
    # The organisers who act for the territory (territory/access.py). In an installation with a
    # single territory, every organiser acts for it without being listed here.
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("équipe"),
        blank=True,
        related_name="territories",
        help_text=_("Les organisateurs qui voient et gèrent les données de ce territoire."),
    )

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def default(cls):
        """The territory the public site shows (settings.DEFAULT_TERRITORY), or the first one."""
        return cls.objects.filter(slug=settings.DEFAULT_TERRITORY).first() or cls.objects.first()

    @classmethod
    def for_request(cls, request):
        """The territory of the Wagtail site the request came to; the default one otherwise."""
        from wagtail.models import Site

        site = Site.find_for_request(request) if request is not None else None
        if site is not None:
            territory = cls.objects.filter(site=site).first()
            if territory is not None:
                return territory
        return cls.default()


class CommuneQuerySet(models.QuerySet):
    def in_territory(self, territory):
        return self.filter(territory=territory)


class Commune(models.Model):
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, related_name="communes"
    )
    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    # La Poste lists several postcodes for some communes (Lille has five); kept as "59000|59160".
    postcodes = models.CharField(_("codes postaux"), max_length=80)
    population = models.PositiveIntegerField(_("population municipale"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def postcode_list(self) -> list[str]:
        return self.postcodes.split("|")

    @property
    def main_postcode(self) -> str:
        return self.postcode_list[0]


class VenueKind(models.TextChoices):
    MARKET = "market", _("Marché")
    SQUARE = "square", _("Place")
    LIBRARY = "library", _("Médiathèque")
    SCHOOL = "school", _("Établissement scolaire")
    TOWN_HALL = "town_hall", _("Mairie")
    HALL = "hall", _("Salle")
    THIRD_PLACE = "third_place", _("Tiers-lieu")
    OTHER = "other", _("Autre lieu")


RECURRENCE_EPOCH = dt.date(2024, 1, 1)
WEEKDAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def parse_recurrence(rule: str, dtstart: dt.datetime) -> rrule.rrule:
    """Parse an iCalendar RRULE ("FREQ=WEEKLY;BYDAY=SA"), raising ValidationError in French."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    try:
        return rrule.rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            _("Règle de récurrence illisible : %(rule)s. Exemple attendu : FREQ=WEEKLY;BYDAY=SA"),
            code="invalid_recurrence",
            params={"rule": rule},
        ) from exc


class Venue(ClusterableModel):
    """A place where events happen. A market also has its recurrence, opening hours and closures.

    Clusterable so organisers edit the market's closures inline, on the venue's own form.
    """

    commune = models.ForeignKey(Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="venues")
    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("type de lieu"), max_length=20, choices=VenueKind.choices, default=VenueKind.OTHER)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    recurrence = models.CharField(
        _("récurrence (RRULE)"),
        max_length=255,
        blank=True,
        help_text=_("Pour un marché : règle iCalendar, par exemple FREQ=WEEKLY;BYDAY=SA pour chaque samedi."),
    )
    recurrence_start = models.DateField(
        _("première occurrence"),
        null=True,
        blank=True,
        help_text=_("Date d'une occurrence connue : elle fixe la bonne semaine pour un marché tous les 15 jours."),
    )
    opens_at = models.TimeField(_("heure d'ouverture"), null=True, blank=True)
    closes_at = models.TimeField(_("heure de fermeture"), null=True, blank=True)
    accessibility = models.TextField(_("accessibilité"), blank=True)
    is_example = models.BooleanField(
        _("exemple"),
        default=False,
        help_text=_("Lieu d'exemple (données de démonstration), signalé comme tel au public."),
    )

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["commune__name", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="venue_unique_name_in_commune")]

    def __str__(self):
        return f"{self.name} ({self.commune.name})"

    def clean(self):
        if self.recurrence:
            if self.opens_at is None or self.closes_at is None:
                raise ValidationError(
                    _("Un lieu récurrent a besoin d'une heure d'ouverture et de fermeture."), code="missing_hours"
                )
            if self.closes_at <= self.opens_at:
                raise ValidationError(
                    {"closes_at": _("L'heure de fermeture doit suivre l'heure d'ouverture.")}, code="hours_order"
                )
            parse_recurrence(self.recurrence, dt.datetime(2000, 1, 1))

    @property
    def coordinates(self) -> tuple[float, float]:
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude
        return self.commune.latitude, self.commune.longitude

    def next_occurrences(
        self, count: int = 5, after: dt.datetime | None = None
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """The next (start, end) of a recurring venue, aware in Europe/Paris.

        Occurrences are computed on naive local wall-clock times, then made aware, so a
        Saturday market stays at 8:00 across the change to and from summer time.
        """
        if not self.recurrence or self.opens_at is None or self.closes_at is None:
            return []
        after = timezone.localtime(after or timezone.now(), PARIS)
        local_after = after.replace(tzinfo=None)
        # A fixed anchor, not "today": with INTERVAL=2 the weeks of the market must not
        # depend on the day someone asks. A Monday, so weekly rules start on a week boundary.
        anchor = self.recurrence_start or RECURRENCE_EPOCH
        dtstart = dt.datetime.combine(anchor, self.opens_at)
        rule = parse_recurrence(self.recurrence, dtstart)
        # Start the search one opening-length earlier, so a market under way is still listed.
        length = dt.datetime.combine(dt.date.min, self.closes_at) - dt.datetime.combine(dt.date.min, self.opens_at)
        # closures.all(), not a filter: a list of markets prefetches them once for all.
        closed = {closure.date for closure in self.closures.all()}
        occurrences = []
        for start in rule.xafter(local_after - length, inc=True):
            end = dt.datetime.combine(start.date(), self.closes_at)
            if end <= local_after or start.date() in closed:
                continue
            occurrences.append((start.replace(tzinfo=PARIS), end.replace(tzinfo=PARIS)))
            if len(occurrences) == count:
                break
        return occurrences

    @property
    def recurrence_label(self) -> str:
        """ "Chaque samedi, 8 h 00 - 13 h 00" for simple weekly rules; the raw rule otherwise."""
        if not self.recurrence:
            return ""
        parts = dict(p.split("=", 1) for p in self.recurrence.upper().removeprefix("RRULE:").split(";") if "=" in p)
        hours = ""
        if self.opens_at and self.closes_at:
            # French typography: "8 h 00", not "08 h 00".
            hours = f", {self.opens_at.hour} h {self.opens_at:%M} – {self.closes_at.hour} h {self.closes_at:%M}"
        codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        days = [d for d in parts.get("BYDAY", "").split(",") if d in codes]
        if parts.get("FREQ") == "WEEKLY" and days and set(parts) <= {"FREQ", "BYDAY", "INTERVAL", "WKST"}:
            interval = parts.get("INTERVAL", "1")
            names = " et ".join(WEEKDAY_NAMES[codes.index(d)] for d in days)
            prefix = _("Chaque") if interval == "1" else _("Toutes les %(n)s semaines, le") % {"n": interval}
            return f"{prefix} {names}{hours}"
        return f"{self.recurrence}{hours}"


class VenueClosure(models.Model):
    """A day a recurring market does not take place (a bank holiday, the fair on the square).

    The market's feed writes these as EXDATE, and Venue.next_occurrences() skips them.
    """

    venue = ParentalKey(Venue, verbose_name=_("lieu"), on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    reason = models.CharField(_("motif"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("jour sans marché")
        verbose_name_plural = _("jours sans marché")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["venue", "date"], name="venue_closure_unique_date")]

    def __str__(self):
        return f"{self.venue.name} : {self.date:%d/%m/%Y}"


class Sector(models.Model):
    """An ESS sector of activity (alimentation, réemploi, insertion...), maintained by organisers."""

    name = models.CharField(_("nom"), max_length=80, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    COOPERATIVE = "cooperative", _("Coopérative (SCOP, SCIC…)")
    MUTUAL = "mutual", _("Mutuelle")
    FOUNDATION = "foundation", _("Fondation")
    ESUS_COMPANY = "esus_company", _("Entreprise agréée ESUS")


class OrganisationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def in_territory(self, territory):
        return self.filter(commune__territory=territory)


class Organisation(index.Indexed, models.Model):
    """An ESS organisation: listed in the directory, hosts events, holds stands, posts missions."""

    name = models.CharField(_("nom"), max_length=160)
    slug = models.SlugField(_("identifiant"), max_length=160, unique=True)
    legal_form = models.CharField(_("forme juridique"), max_length=20, choices=LegalForm.choices)
    sectors = models.ManyToManyField(Sector, verbose_name=_("secteurs"), related_name="organisations", blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="organisations"
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    summary = models.CharField(_("en une phrase"), max_length=240)
    description = RichTextField(_("portrait"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    website = models.URLField(_("site web"), blank=True)
    contact_email = models.EmailField(_("courriel de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    is_published = models.BooleanField(_("publiée dans l'annuaire"), default=True)
    is_example = models.BooleanField(
        _("exemple"), default=False, help_text=_("Structure fictive des données de démonstration.")
    )
    # The random half of the private calendar feed's token (events/tokens.py,
    # private_link_token): a new key revokes the feed's address.
    feed_key = models.CharField(max_length=32, blank=True, editable=False)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("comptes des contacts"),
        blank=True,
        related_name="organisations",
        help_text=_("Les personnes qui candidatent aux stands au nom de la structure."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("legal_form"),
        index.FilterField("is_published"),
    ]

    class Meta:
        verbose_name = _("structure de l'ESS")
        verbose_name_plural = _("structures de l'ESS")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:160]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("organisation_detail", kwargs={"slug": self.slug})
