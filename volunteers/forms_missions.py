"""The form with which an ESS organisation's contact posts or edits a volunteer mission.

Thin, like volunteers/forms.py: it reads what was typed (dates in Paris time, the week's
checkboxes, skills) and hands the service ready-made values. Whether the schedule holds
(at least one date, dates to come, in order, a slot of the week) and how many volunteers
may be asked for are volunteers/missions.py's rules: the view shows its refusals here,
through `add_mission_error`.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territory.models import PARIS, Commune, Venue

from .forms import CommuneField, slot_field_name
from .missions import MAX_DATES, MissionError
from .models import DayPart, Mission, MissionRhythm, Skill, Weekday
from .services import all_slots, slot_label

# Five rows cover a weekend festival or a few Saturdays; beyond that a mission is weekly.
DATE_ROWS = 5

VOLUNTEERS_NEEDED_MESSAGE = _("Indiquez entre 1 et 200 bénévoles.")


def date_field_names(index: int) -> tuple[str, str, str]:
    return f"date_{index}", f"start_{index}", f"end_{index}"


class VenueField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.commune.name})"


class MissionForm(forms.Form):
    """Create or edit a mission; `territory` limits the communes and venues offered."""

    # Where the service's refusals about a whole part of the form are shown: the dates
    # and the week are groups of fields, not one field.
    GROUPS = {"dates": _("Dates"), "weekly_slots": _("Moments de la semaine")}
    GROUP_ANCHORS = {"dates": "mission-dates", "weekly_slots": "mission-semaine"}

    title = forms.CharField(
        label=_("Intitulé de la mission"),
        max_length=160,
        help_text=_("En quelques mots, par exemple : « Tenir l'accueil du repair café »."),
        error_messages={
            "required": _("Donnez un intitulé à la mission."),
            "max_length": _("L'intitulé ne doit pas dépasser %(limit_value)d caractères."),
        },
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        help_text=_("Ce que les bénévoles feront, avec qui, ce qu'il faut savoir (accès, tenue, repas…)."),
        error_messages={
            "required": _("Décrivez la mission : les bénévoles choisissent d'après elle."),
            "max_length": _("La description ne doit pas dépasser %(limit_value)d caractères."),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    volunteers_needed = forms.IntegerField(
        label=_("Nombre de bénévoles recherchés"),
        min_value=1,
        max_value=200,
        initial=1,
        error_messages={
            "required": VOLUNTEERS_NEEDED_MESSAGE,
            "invalid": VOLUNTEERS_NEEDED_MESSAGE,
            "min_value": VOLUNTEERS_NEEDED_MESSAGE,
            "max_value": VOLUNTEERS_NEEDED_MESSAGE,
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    commune = CommuneField(
        label=_("Commune"),
        queryset=Commune.objects.none(),
        empty_label=_("Choisissez…"),
        error_messages={
            "required": _("Choisissez la commune où se déroule la mission."),
            "invalid_choice": _("Choisissez une commune de la liste."),
        },
    )
    venue = VenueField(
        label=_("Lieu (facultatif)"),
        queryset=Venue.objects.none(),
        required=False,
        empty_label=_("Aucun lieu en particulier"),
        help_text=_("Un lieu de la commune choisie, s'il figure dans la liste."),
        error_messages={"invalid_choice": _("Choisissez un lieu de la liste.")},
    )
    rhythm = forms.ChoiceField(
        label=_("Rythme"),
        choices=MissionRhythm.choices,
        initial=MissionRhythm.DATES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le rythme de la mission.")},
    )
    starts_on = forms.DateField(
        label=_("À partir du (facultatif)"),
        required=False,
        error_messages={"invalid": _("Date non valide, par exemple : 05/12/2026.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("Jusqu'au (facultatif)"),
        required=False,
        error_messages={"invalid": _("Date non valide, par exemple : 05/12/2026.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    required_skills = forms.ModelMultipleChoiceField(
        label=_("Compétences indispensables"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    welcome_skills = forms.ModelMultipleChoiceField(
        label=_("Compétences bienvenues"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, territory_id: int, date_rows: int = DATE_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.filter(territory_id=territory_id).order_by("name")
        self.fields["venue"].queryset = (
            Venue.objects.filter(commune__territory_id=territory_id)
            .select_related("commune")
            .order_by("commune__name", "name")
        )
        self.date_rows = min(max(date_rows, DATE_ROWS), MAX_DATES)
        for index in range(self.date_rows):
            day, start, end = date_field_names(index)
            self.fields[day] = forms.DateField(
                label=_("Jour"),
                required=False,
                error_messages={"invalid": _("Date non valide, par exemple : 05/12/2026.")},
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.fields[start] = forms.TimeField(
                label=_("De"),
                required=False,
                error_messages={"invalid": _("Heure non valide, par exemple : 09:30.")},
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[end] = forms.TimeField(
                label=_("À"),
                required=False,
                error_messages={"invalid": _("Heure non valide, par exemple : 17:00.")},
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
        for weekday, part in all_slots():
            self.fields[slot_field_name(weekday, part)] = forms.BooleanField(
                label=slot_label(weekday, part), required=False
            )
        self.group_errors: dict[str, list[str]] = {}
        self.dates: list[tuple[dt.datetime, dt.datetime]] = []

    # Editing -------------------------------------------------------------------------------------------

    @classmethod
    def initial_for(cls, mission: Mission) -> dict:
        needs = list(mission.skill_needs.select_related("skill"))
        initial = {
            "title": mission.title,
            "description": mission.description,
            "volunteers_needed": mission.volunteers_needed,
            "commune": mission.commune_id,
            "venue": mission.venue_id,
            "rhythm": mission.rhythm,
            "required_skills": [need.skill for need in needs if need.required],
            "welcome_skills": [need.skill for need in needs if not need.required],
        }
        if mission.rhythm == MissionRhythm.WEEKLY:
            initial.update(starts_on=mission.starts_on, ends_on=mission.ends_on)
        for index, date in enumerate(mission.dates.order_by("starts_at")):
            start, end = timezone.localtime(date.starts_at, PARIS), timezone.localtime(date.ends_at, PARIS)
            day, start_name, end_name = date_field_names(index)
            initial.update({day: start.date(), start_name: start.time(), end_name: end.time()})
        for weekday, part in all_slots():
            initial[slot_field_name(weekday, part)] = bool(mission.weekly_bits & (1 << (weekday * 3 + part)))
        return initial

    # Cleaning ------------------------------------------------------------------------------------------

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean_welcome_skills(self):
        # A skill ticked twice is indispensable: asking for it "welcome" too would say less.
        required = set(self.cleaned_data.get("required_skills") or ())
        return [skill for skill in self.cleaned_data["welcome_skills"] if skill not in required]

    def clean(self):
        data = super().clean()
        commune, venue = data.get("commune"), data.get("venue")
        if commune and venue and venue.commune_id != commune.pk:
            self.add_error(
                "venue",
                _("Ce lieu est à %(venue_commune)s, pas à %(commune)s : choisissez un lieu de la commune, ou aucun.")
                % {"venue_commune": venue.commune.name, "commune": commune.name},
            )
        if data.get("rhythm") == MissionRhythm.DATES:
            self.dates = self._clean_dates(data)
        return data

    def _clean_dates(self, data) -> list[tuple[dt.datetime, dt.datetime]]:
        """The rows filled in, as aware datetimes: the times typed are Paris time, whatever
        the server's zone, and a row across a change of time keeps its wall-clock hours."""
        dates = []
        for index in range(self.date_rows):
            names = date_field_names(index)
            if any(name in self.errors for name in names):
                continue
            day, start, end = (data.get(name) for name in names)
            if day is None and start is None and end is None:
                continue
            missing = [name for name, value in zip(names, (day, start, end), strict=True) if value is None]
            for name in missing:
                self.add_error(name, _("Indiquez le jour, l'heure de début et l'heure de fin de cette date."))
            if not missing:
                dates.append(
                    (dt.datetime.combine(day, start, tzinfo=PARIS), dt.datetime.combine(day, end, tzinfo=PARIS))
                )
        return sorted(dates)

    def weekly_slots(self) -> list[tuple[int, int]]:
        if self.cleaned_data.get("rhythm") != MissionRhythm.WEEKLY:
            return []
        return [slot for slot in all_slots() if self.cleaned_data.get(slot_field_name(*slot))]

    # Handing over to the service ---------------------------------------------------------------------------

    def fill(self, mission: Mission) -> dict:
        """Copy the form onto the mission (unsaved) and return save_mission's other arguments."""
        data = self.cleaned_data
        mission.title = data["title"]
        mission.description = data["description"]
        mission.volunteers_needed = data["volunteers_needed"]
        mission.commune = data["commune"]
        mission.territory_id = data["commune"].territory_id
        mission.venue = data["venue"]
        mission.rhythm = data["rhythm"]
        weekly = mission.rhythm == MissionRhythm.WEEKLY
        # For dates, the period is the dates' own (volunteers/missions.py refresh_mission).
        mission.starts_on = data["starts_on"] if weekly else None
        mission.ends_on = data["ends_on"] if weekly else None
        return {
            "required_skills": list(data["required_skills"]),
            "welcome_skills": list(data["welcome_skills"]),
            "dates": self.dates if not weekly else [],
            "weekly_slots": self.weekly_slots(),
        }

    def add_mission_error(self, error: MissionError) -> None:
        """Show a refusal of the service next to what it is about."""
        if error.field in self.GROUPS:
            self.group_errors.setdefault(error.field, []).append(error.message)
        elif error.field in self.fields:
            self.add_error(error.field, error.message)
        else:
            self.add_error(None, error.message)

    # Rendering -------------------------------------------------------------------------------------------

    def date_rows_fields(self):
        """One entry per date row: its number and its three bound fields."""
        rows = []
        for index in range(self.date_rows):
            day, start, end = (self[name] for name in date_field_names(index))
            rows.append(
                {"number": index + 1, "day": day, "start": start, "end": end, "errors": self._row_errors(index)}
            )
        return rows

    def _row_errors(self, index: int) -> bool:
        return any(name in self.errors for name in date_field_names(index))

    def extra_rows_open(self) -> bool:
        """Show the rows after the first one unfolded when one of them holds something."""
        for index in range(1, self.date_rows):
            if self._row_errors(index) or any(self[name].value() for name in date_field_names(index)):
                return True
        return False

    def availability_rows(self):
        """The table of the week, as on the volunteer's profile: one row per day, a checkbox per part."""
        return [
            {"day": day.label, "cells": [self[slot_field_name(day.value, part.value)] for part in DayPart]}
            for day in Weekday
        ]

    def day_parts(self):
        return [part.label for part in DayPart]

    def has_errors(self) -> bool:
        return bool(self.errors or self.group_errors)

    def error_summary(self) -> list[dict]:
        """The errors in the order of the page, each with the anchor of what it is about."""
        items = []
        first_date, first_slot = date_field_names(0)[0], slot_field_name(Weekday.MONDAY, DayPart.MORNING)
        for field in self.visible_fields():
            for group, before in (("dates", first_date), ("weekly_slots", first_slot)):
                if field.name == before:
                    items.extend(
                        {"anchor": self.GROUP_ANCHORS[group], "label": self.GROUPS[group], "message": message}
                        for message in self.group_errors.get(group, ())
                    )
            if field.errors:
                items.append({"anchor": field.auto_id, "label": self._summary_label(field), "message": field.errors[0]})
        return items

    def _summary_label(self, field) -> str:
        prefix, _separator, index = field.name.partition("_")
        if prefix in ("date", "start", "end") and index.isdigit():
            return _("Date %(number)s, %(part)s") % {"number": int(index) + 1, "part": str(field.label).lower()}
        return field.label

    def error_count(self) -> int:
        return len(self.error_summary()) + len(self.non_field_errors())
