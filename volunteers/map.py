"""What the public map of volunteering (/benevolat/carte/) shows: offers and demands, commune by commune.

The citizens' workshop asked to "mettre en lien offre et demande de bénévolat à travers une
plateforme, avec notamment une cartographie". Each commune of the territory that has
something to show gets one entry, one marker on the map and one section of the list:

- Demands: the open missions (published, period not over, a date still to come for
  missions on dates) and the village's shifts still to come with places left.
- Offers: the volunteers who chose to appear on the map (`VolunteerProfile.on_map`),
  active accounts only, COUNTED PER COMMUNE and never shown one by one. No name, no
  address, no contact, no position finer than the commune's centre leaves this module:
  the rows it reads are aggregated by the database.

Re-identification rule. A volunteer consented to appear "à l'échelle de la commune": a
commune with a single volunteer may say "1 bénévole". Their skills are another matter:
"1 bénévole à Marly, qui offre comptabilité et langues étrangères" is a profile that
neighbours can put a name on. So the per-skill counts of a commune are shown only when
the commune counts at least `SKILL_COUNTS_MIN_VOLUNTEERS` (3) volunteers in the figures
shown, that is after the filters: filtering narrows the group, and a group of two
filtered by availability is as recognisable as a group of two.

Filters (skill, a part of the week, a commune) run in SQL on the bit masks the profiles
and missions keep (as volunteers/matching.py does), and the offers are counted by one
aggregate query grouped by commune: the page takes the same number of queries whatever
the number of volunteers, missions, shifts and communes. Only the shifts' slots are
checked in Python, since a shift keeps its times and not a mask (`slots_between`).
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from territory.models import PARIS

from .matching import slot_phrase
from .models import (
    ROLE_SKILLS,
    DayPart,
    Mission,
    MissionDate,
    MissionRhythm,
    Skill,
    VolunteerProfile,
    Weekday,
    availability_bit,
    slots_between,
)
from .shifts import open_shifts

# Below this many volunteers in a commune (after filters), no per-skill counts: see the docstring.
SKILL_COUNTS_MIN_VOLUNTEERS = 3


def availability_mask(weekday: int | None = None, part: int | None = None) -> int:
    """The slots a filter on the week covers: a day alone is its three parts, a part alone is
    that part on every day, neither is no filter (0)."""
    if weekday is None and part is None:
        return 0
    days = [weekday] if weekday is not None else [day.value for day in Weekday]
    parts = [part] if part is not None else [value.value for value in DayPart]
    mask = 0
    for day in days:
        for value in parts:
            mask |= availability_bit(day, value)
    return mask


@dataclass(frozen=True)
class SkillCount:
    skill: Skill
    count: int


@dataclass
class MissionItem:
    """An open mission as the list shows it."""

    mission: Mission
    skills: list[Skill]  # asked for, required ones first
    required: set[int]  # pks of the required skills
    next_date: MissionDate | None = None  # missions on dates: the first one to come
    more_dates: int = 0
    weekly: str = ""  # weekly missions: "le samedi matin et le dimanche matin"


@dataclass
class ShiftItem:
    shift: object
    places_left: int


@dataclass
class CommuneEntry:
    """One commune of the map: a marker, and a section of the list."""

    pk: int
    name: str
    insee_code: str
    latitude: float
    longitude: float
    volunteers: int = 0
    skill_counts: list[SkillCount] = field(default_factory=list)
    missions: list[MissionItem] = field(default_factory=list)
    shifts: list[ShiftItem] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"commune-{self.insee_code}"

    @property
    def demands(self) -> int:
        return len(self.missions) + len(self.shifts)

    @property
    def shows_skill_counts(self) -> bool:
        return self.volunteers >= SKILL_COUNTS_MIN_VOLUNTEERS

    def volunteers_text(self) -> str:
        if not self.volunteers:
            return _("aucun bénévole")
        return ngettext("%(count)s bénévole", "%(count)s bénévoles", self.volunteers) % {"count": self.volunteers}

    def demands_text(self) -> str:
        parts = []
        if self.missions:
            parts.append(
                ngettext("%(count)s mission", "%(count)s missions", len(self.missions)) % {"count": len(self.missions)}
            )
        if self.shifts:
            parts.append(
                ngettext("%(count)s créneau du village", "%(count)s créneaux du village", len(self.shifts))
                % {"count": len(self.shifts)}
            )
        return _(" et ").join(parts) if parts else _("aucune mission ouverte")

    def map_point(self) -> dict:
        """The marker's data for static/js/volunteer-map.js: the commune's centre and counts, nothing
        about a person. `label` names the marker (aria-label and title)."""
        return {
            "name": self.name,
            "anchor": self.anchor,
            "lat": self.latitude,
            "lng": self.longitude,
            "volunteers": self.volunteers,
            "missions": len(self.missions),
            "shifts": len(self.shifts),
            "volunteers_text": self.volunteers_text(),
            "demands_text": self.demands_text(),
            "label": _("%(commune)s : %(volunteers)s, %(demands)s")
            % {"commune": self.name, "volunteers": self.volunteers_text(), "demands": self.demands_text()},
        }


@dataclass
class VolunteerMap:
    communes: list[CommuneEntry]

    @property
    def volunteers(self) -> int:
        return sum(entry.volunteers for entry in self.communes)

    @property
    def missions(self) -> int:
        return sum(len(entry.missions) for entry in self.communes)

    @property
    def shifts(self) -> int:
        return sum(len(entry.shifts) for entry in self.communes)

    def map_points(self) -> list[dict]:
        return [entry.map_point() for entry in self.communes]


def _sort_key(name: str) -> str:
    """French alphabetical order without a collation: "Écaillon" between "Douchy" and "Famars"."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


# Offers ------------------------------------------------------------------------------------------


def offers_per_commune(
    skills: list[Skill],
    *,
    territory=None,
    skill: Skill | None = None,
    mask: int = 0,
    commune=None,
) -> list[dict]:
    """The volunteers on the map, counted per commune in one query: a row per commune with
    `volunteers`, and `skill_<pk>` for each of `skills`. Never a row per person."""
    profiles = VolunteerProfile.objects.filter(on_map=True, user__is_active=True)
    if territory is not None:
        profiles = profiles.filter(home_commune__territory=territory)
    if commune is not None:
        profiles = profiles.filter(home_commune=commune)
    if skill is not None:
        profiles = profiles.alias(wanted_skill=F("skill_bits").bitand(skill.mask)).filter(wanted_skill__gt=0)
    if mask:
        profiles = profiles.alias(free=F("availability_bits").bitand(mask)).filter(free__gt=0)
    held = {f"held_{each.pk}": F("skill_bits").bitand(each.mask) for each in skills}
    per_skill = {f"skill_{each.pk}": Count("pk", filter=Q(**{f"held_{each.pk}__gt": 0})) for each in skills}
    return list(
        profiles.alias(**held)
        .values(
            "home_commune_id",
            "home_commune__name",
            "home_commune__insee_code",
            "home_commune__latitude",
            "home_commune__longitude",
        )
        .annotate(volunteers=Count("pk"), **per_skill)
        .order_by()
    )


# Demands -----------------------------------------------------------------------------------------


def open_missions(
    skills: list[Skill],
    *,
    territory=None,
    skill: Skill | None = None,
    mask: int = 0,
    commune=None,
    now: dt.datetime | None = None,
) -> list[MissionItem]:
    """The open missions, with the skills they ask for and when, in two queries (missions, dates)."""
    now = now or timezone.now()
    today = timezone.localdate(now, PARIS)
    start_of_today = dt.datetime.combine(today, dt.time(), tzinfo=PARIS)
    missions = Mission.objects.open(today)
    if territory is not None:
        missions = missions.in_territory(territory)
    if commune is not None:
        missions = missions.filter(commune=commune)
    if skill is not None:
        missions = missions.alias(asks_skill=F("required_bits").bitor(F("welcome_bits")).bitand(skill.mask)).filter(
            asks_skill__gt=0
        )
    if mask:
        missions = missions.alias(in_slots=F("slot_bits").bitand(mask)).filter(in_slots__gt=0)
    missions = (
        missions.select_related("organisation", "commune")
        .prefetch_related(
            Prefetch("dates", queryset=MissionDate.objects.filter(starts_at__gte=start_of_today), to_attr="coming")
        )
        .order_by("-created_at", "-pk")
    )
    items = []
    for mission in missions:
        if mission.rhythm == MissionRhythm.DATES and not mission.coming:
            continue  # every date is past: nothing left to offer
        wanted = mission.required_bits | mission.welcome_bits
        asked = [each for each in skills if wanted & each.mask]
        required = {each.pk for each in asked if mission.required_bits & each.mask}
        asked.sort(key=lambda each, required=required: each.pk not in required)
        item = MissionItem(mission=mission, skills=asked, required=required)
        if mission.rhythm == MissionRhythm.WEEKLY:
            item.weekly = slot_phrase(mission.weekly_bits)
        else:
            item.next_date = mission.coming[0]
            item.more_dates = len(mission.coming) - 1
        items.append(item)
    return items


def shifts_with_places(
    skills: list[Skill],
    *,
    territory=None,
    skill: Skill | None = None,
    mask: int = 0,
    commune=None,
    now: dt.datetime | None = None,
) -> list[ShiftItem]:
    """The village's shifts to come with places left, in one query. A shift asks for the skill of
    its role (ROLE_SKILLS); its slots come from its times, checked here rather than in SQL."""
    shifts = open_shifts(now).filter(taken__lt=F("capacity"), event__commune__isnull=False)
    if territory is not None:
        shifts = shifts.filter(event__commune__territory=territory)
    if commune is not None:
        shifts = shifts.filter(event__commune=commune)
    if skill is not None:
        roles = [role for role, slug in ROLE_SKILLS.items() if slug == skill.slug]
        shifts = shifts.filter(role__in=roles)
    items = []
    for shift in shifts:
        if mask and not slots_between(shift.starts_at, shift.ends_at) & mask:
            continue
        items.append(ShiftItem(shift=shift, places_left=shift.capacity - shift.taken))
    return items


# The map -----------------------------------------------------------------------------------------


def volunteer_map(
    *,
    skills: list[Skill] | None = None,
    territory=None,
    skill: Skill | None = None,
    weekday: int | None = None,
    part: int | None = None,
    commune=None,
    now: dt.datetime | None = None,
) -> VolunteerMap:
    """Offers and demands per commune, filtered, communes in alphabetical order. Four queries
    (offers, missions and their dates, shifts), and one more for the skills unless `skills`
    (every skill, as the caller read them) is given, whatever the data."""
    skills = list(Skill.objects.all()) if skills is None else skills
    filters = {
        "territory": territory,
        "skill": skill,
        "mask": availability_mask(weekday, part),
        "commune": commune,
    }
    entries: dict[int, CommuneEntry] = {}

    def entry_for(place) -> CommuneEntry:
        if place.pk not in entries:
            entries[place.pk] = CommuneEntry(
                pk=place.pk,
                name=place.name,
                insee_code=place.insee_code,
                latitude=place.latitude,
                longitude=place.longitude,
            )
        return entries[place.pk]

    for row in offers_per_commune(skills, **filters):
        entry = CommuneEntry(
            pk=row["home_commune_id"],
            name=row["home_commune__name"],
            insee_code=row["home_commune__insee_code"],
            latitude=row["home_commune__latitude"],
            longitude=row["home_commune__longitude"],
            volunteers=row["volunteers"],
        )
        if entry.shows_skill_counts:
            entry.skill_counts = [
                SkillCount(each, row[f"skill_{each.pk}"]) for each in skills if row[f"skill_{each.pk}"]
            ]
            entry.skill_counts.sort(key=lambda count: -count.count)  # stable: skills' order among equals
        entries[entry.pk] = entry
    for item in open_missions(skills, now=now, **filters):
        entry_for(item.mission.commune).missions.append(item)
    for item in shifts_with_places(skills, now=now, **filters):
        entry_for(item.shift.event.commune).shifts.append(item)
    return VolunteerMap(communes=sorted(entries.values(), key=lambda entry: _sort_key(entry.name)))
