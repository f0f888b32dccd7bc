"""Matching offers and demands: volunteers for a mission, missions and shifts for a volunteer.

The rules, the same in both directions:

- Hard filters: every *required* skill; the place within the distance the volunteer
  accepts; at least one slot of the week in common (a volunteer who filled in no
  availability is not filtered out, and scores nothing for it); not away on the next
  date of the mission; organisers only see volunteers who accept to be contacted.
- A score out of 100: 60 for the skills asked (required and welcome: 3 of 4 gives 45;
  a mission asking none gives all 60), 25 for the slots of the mission the volunteer is
  free on, 15 for closeness (15 on the spot, 0 at the limit of the volunteer's distance,
  falling with the square of the distance).
- Reasons in words: "3 compétences sur 4, disponible le samedi matin, à 6 km".

Distances are between commune coordinates (or the venue's), on the equirectangular
approximation: within 100 km it is within 0.5 % of the great circle, and it is plain
arithmetic, so the database computes it. Ranking many volunteers for one mission runs as
one SQL query that filters (a bounding box on an index, the skill and week masks) and
computes the score, ordered and limited there: Python only words the reasons of the
rows shown. `make bench` ranks 100,000 volunteers this way (docs/benchmarks.md).
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Case, Exists, ExpressionWrapper, F, FloatField, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from territory.models import PARIS

from .models import (
    ROLE_SKILLS,
    AwayPeriod,
    DayPart,
    Mission,
    MissionRhythm,
    Skill,
    VolunteerProfile,
    Weekday,
    slots_between,
)

SKILLS_POINTS = 60
AVAILABILITY_POINTS = 25
DISTANCE_POINTS = 15
# The farthest a volunteer may say they travel (volunteers/services.py save_profile).
MAX_TRAVEL_KM = 100
KM_PER_DEGREE = 111.2
DEFAULT_LIMIT = 50


def km_per_degree_of_longitude(latitude: float) -> float:
    return KM_PER_DEGREE * math.cos(math.radians(latitude))


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Equirectangular distance, with the longitude scale of the first point (the demand's)."""
    dx = (lng2 - lng1) * km_per_degree_of_longitude(lat1)
    dy = (lat2 - lat1) * KM_PER_DEGREE
    return math.sqrt(dx * dx + dy * dy)


def bits_of(mask: int, width: int = 63) -> list[int]:
    return [bit for bit in range(width) if mask >> bit & 1]


def slot_phrase(mask: int, limit: int = 2) -> str:
    """ "le samedi matin et le dimanche matin", "le lundi soir, le mardi soir et 3 autres créneaux" """
    labels = [
        _("le %(day)s %(part)s") % {"day": Weekday(bit // 3).label, "part": DayPart(bit % 3).label}
        for bit in bits_of(mask, 21)
    ]
    if len(labels) <= limit:
        return _(" et ").join(labels)
    rest = len(labels) - limit
    return _("%(first)s et %(count)s autres créneaux") % {"first": ", ".join(labels[:limit]), "count": rest}


@dataclass
class Score:
    points: int
    reasons: list[str] = field(default_factory=list)
    distance_km: float = 0.0

    @property
    def reason_text(self) -> str:
        return ", ".join(self.reasons)


def score(
    *,
    wanted_bits: int,
    skill_bits: int,
    slot_bits: int,
    availability_bits: int,
    distance: float,
    travel_km: int,
) -> Score:
    """The score and its reasons: the formula the SQL of `rank_volunteers` computes, in Python."""
    wanted = bits_of(wanted_bits)
    matched = [bit for bit in wanted if skill_bits >> bit & 1]
    skills = SKILLS_POINTS * len(matched) / len(wanted) if wanted else SKILLS_POINTS
    slots = bits_of(slot_bits, 21)
    free = availability_bits & slot_bits
    availability = AVAILABILITY_POINTS * len(bits_of(free, 21)) / len(slots) if slots else AVAILABILITY_POINTS
    ratio = distance / max(travel_km, 1)
    closeness = DISTANCE_POINTS * (1 - ratio * ratio)
    reasons = []
    if wanted:
        # French puts 0 and 1 in the singular ("0 compétence sur 2"); ngettext without a
        # compiled catalogue would apply the English rule, so the choice is made here.
        phrase = (
            _("%(matched)s compétence sur %(count)s")
            if len(matched) <= 1
            else _("%(matched)s compétences sur %(count)s")
        )
        reasons.append(phrase % {"matched": len(matched), "count": len(wanted)})

    if slots:
        if not availability_bits:
            reasons.append(_("disponibilités non renseignées"))
        elif free:
            reasons.append(_("disponible %(slots)s") % {"slots": slot_phrase(free)})
    reasons.append(_("à %(km)s km") % {"km": round(distance)} if distance >= 0.5 else _("dans la même commune"))
    return Score(points=round(skills + availability + closeness), reasons=reasons, distance_km=distance)


# Volunteers for a mission ---------------------------------------------------------------------------------


@dataclass
class Candidate:
    profile: VolunteerProfile
    score: Score


def next_date(mission: Mission, today: dt.date | None = None) -> dt.date | None:
    """The first day the mission needs someone from today on (None when weekly with no start)."""
    today = today or timezone.localdate()
    if mission.rhythm == MissionRhythm.DATES:
        upcoming = [timezone.localtime(date.starts_at, PARIS).date() for date in mission.dates.all()]
        upcoming = [day for day in upcoming if day >= today]
        return min(upcoming) if upcoming else None
    if mission.starts_on and mission.starts_on > today:
        return mission.starts_on
    return today


def _bit_count(aliases: dict, mask_field: str, mask: int, width: int):
    """An SQL sum counting the bits of `mask` set in the column (SQLite has no popcount):
    one CASE per bit, on aliases added to `aliases`. Returns (expression or None, bits)."""
    bits = bits_of(mask, width)
    if not bits:
        return None, 0
    total = None
    for bit in bits:
        name = f"{mask_field}_{bit}"
        aliases[name] = F(mask_field).bitand(1 << bit)
        term = Case(When(**{f"{name}__gt": 0}, then=Value(1)), default=Value(0), output_field=IntegerField())
        total = term if total is None else total + term
    return total, len(bits)


def candidates(mission: Mission, today: dt.date | None = None):
    """The volunteers a mission may go to, filtered and scored in SQL, best first.

    One query whatever the number of volunteers; `Candidate`s come from `rank_volunteers`.
    """
    lat, lng = mission.latitude, mission.longitude
    kx = km_per_degree_of_longitude(lat)
    reach_lat = MAX_TRAVEL_KM / KM_PER_DEGREE
    reach_lng = MAX_TRAVEL_KM / kx
    dx = (F("longitude") - Value(lng)) * Value(kx)
    dy = (F("latitude") - Value(lat)) * Value(KM_PER_DEGREE)
    required, wanted = mission.required_bits, mission.required_bits | mission.welcome_bits
    slot_bits = mission.slot_bits
    profiles = (
        VolunteerProfile.objects.filter(
            user__is_active=True,
            accepts_contact=True,
            latitude__range=(lat - reach_lat, lat + reach_lat),
            longitude__range=(lng - reach_lng, lng + reach_lng),
        )
        .alias(
            distance2=dx * dx + dy * dy,
            reach2=Greatest(F("travel_km"), Value(1)) * Greatest(F("travel_km"), Value(1)),
        )
        .filter(distance2__lte=F("reach2"))
    )
    if required:
        profiles = profiles.alias(required_held=F("skill_bits").bitand(required)).filter(required_held=required)
    if slot_bits:
        profiles = profiles.alias(free=F("availability_bits").bitand(slot_bits)).filter(
            Q(free__gt=0) | Q(availability_bits=0)
        )
    day = next_date(mission, today)
    if day is not None:
        away = AwayPeriod.objects.filter(profile=OuterRef("pk"), start__lte=day, end__gte=day)
        profiles = profiles.filter(~Exists(away))

    masks: dict = {}
    skills_held, skills_count = _bit_count(masks, "skill_bits", wanted, 63)
    slots_free, slots_count = _bit_count(masks, "availability_bits", slot_bits, 21)
    profiles = profiles.alias(**masks)
    skills_points = (
        Value(float(SKILLS_POINTS)) * skills_held / Value(float(skills_count))
        if skills_count
        else Value(float(SKILLS_POINTS))
    )
    availability_points = (
        Value(float(AVAILABILITY_POINTS)) * slots_free / Value(float(slots_count))
        if slots_count
        else Value(float(AVAILABILITY_POINTS))
    )
    closeness_points = Value(float(DISTANCE_POINTS)) * (Value(1.0) - F("distance2") / F("reach2"))
    return (
        profiles.annotate(
            points=ExpressionWrapper(skills_points + availability_points + closeness_points, output_field=FloatField()),
        )
        .select_related("user", "home_commune")
        .order_by("-points", "distance2", "pk")
    )


def rank_volunteers(mission: Mission, limit: int = DEFAULT_LIMIT, today: dt.date | None = None) -> list[Candidate]:
    """The best `limit` volunteers for a mission, each with its score and reasons."""
    wanted = mission.required_bits | mission.welcome_bits
    ranked = []
    for profile in candidates(mission, today)[:limit]:
        distance = distance_km(mission.latitude, mission.longitude, profile.latitude, profile.longitude)
        ranked.append(
            Candidate(
                profile=profile,
                score=score(
                    wanted_bits=wanted,
                    skill_bits=profile.skill_bits,
                    slot_bits=mission.slot_bits,
                    availability_bits=profile.availability_bits,
                    distance=distance,
                    travel_km=profile.travel_km,
                ),
            )
        )
    return ranked


# Missions and shifts for a volunteer -----------------------------------------------------------------------


@dataclass
class Opportunity:
    """A mission or a shift, as ranked for one volunteer."""

    kind: str  # "mission" or "shift"
    item: object
    score: Score
    starts: dt.datetime | None = None


def _is_away(profile: VolunteerProfile, day: dt.date | None, away_periods) -> bool:
    return day is not None and any(period.start <= day <= period.end for period in away_periods)


def _fits(profile: VolunteerProfile, required: int, slot_bits: int, distance: float) -> bool:
    if required and profile.skill_bits & required != required:
        return False
    if distance > max(profile.travel_km, 1):
        return False
    return not (slot_bits and profile.availability_bits and not profile.availability_bits & slot_bits)


def missions_for(profile: VolunteerProfile, today: dt.date | None = None) -> list[Opportunity]:
    """The open missions within the volunteer's reach that they fit, best first."""
    today = today or timezone.localdate()
    lat, lng = profile.latitude, profile.longitude
    reach_lat = MAX_TRAVEL_KM / KM_PER_DEGREE
    reach_lng = MAX_TRAVEL_KM / km_per_degree_of_longitude(lat)
    missions = (
        Mission.objects.open(today)
        .filter(
            latitude__range=(lat - reach_lat, lat + reach_lat),
            longitude__range=(lng - reach_lng, lng + reach_lng),
        )
        .select_related("organisation", "commune", "venue")
        .prefetch_related("dates")
    )
    away_periods = list(profile.away_periods.all())
    found = []
    for mission in missions:
        distance = distance_km(mission.latitude, mission.longitude, lat, lng)
        if not _fits(profile, mission.required_bits, mission.slot_bits, distance):
            continue
        day = next_date(mission, today)
        if mission.rhythm == MissionRhythm.DATES and day is None:
            continue  # every date is past
        if _is_away(profile, day, away_periods):
            continue
        points = score(
            wanted_bits=mission.required_bits | mission.welcome_bits,
            skill_bits=profile.skill_bits,
            slot_bits=mission.slot_bits,
            availability_bits=profile.availability_bits,
            distance=distance,
            travel_km=profile.travel_km,
        )
        starts = min(
            (d.starts_at for d in mission.dates.all() if timezone.localdate(d.starts_at) >= today), default=None
        )
        found.append(Opportunity("mission", mission, points, starts))
    return sorted(found, key=lambda o: (-o.score.points, o.score.distance_km, o.item.pk))


def role_skill_bits() -> dict[str, int]:
    """The mask of the skill each shift role calls for (ROLE_SKILLS), in one query."""
    bits = dict(Skill.objects.filter(slug__in=set(ROLE_SKILLS.values())).values_list("slug", "bit"))
    return {role: 1 << bits[slug] for role, slug in ROLE_SKILLS.items() if slug in bits}


def shifts_for(profile: VolunteerProfile, shifts, now: dt.datetime | None = None) -> list[Opportunity]:
    """Rank shifts (open_shifts() rows, annotated with `taken`) for a volunteer. Shifts are the
    village's own needs: a shift's role asks for one welcome skill, never a required one."""
    masks = role_skill_bits()
    away_periods = list(profile.away_periods.all())
    found = []
    for shift in shifts:
        if getattr(shift, "taken", 0) >= shift.capacity:
            continue
        event = shift.event
        if event.venue_id and event.venue.latitude is not None:
            lat, lng = event.venue.latitude, event.venue.longitude
        elif event.commune_id:
            lat, lng = event.commune.latitude, event.commune.longitude
        else:
            continue
        distance = distance_km(lat, lng, profile.latitude, profile.longitude)
        slot_bits = slots_between(shift.starts_at, shift.ends_at)
        if not _fits(profile, 0, slot_bits, distance):
            continue
        if _is_away(profile, timezone.localtime(shift.starts_at, PARIS).date(), away_periods):
            continue
        points = score(
            wanted_bits=masks.get(shift.role, 0),
            skill_bits=profile.skill_bits,
            slot_bits=slot_bits,
            availability_bits=profile.availability_bits,
            distance=distance,
            travel_km=profile.travel_km,
        )
        found.append(Opportunity("shift", shift, points, shift.starts_at))
    return sorted(found, key=lambda o: (-o.score.points, o.starts, o.item.pk))
