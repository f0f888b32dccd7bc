"""The admin's forms for volunteering: shifts (ShiftForm, a Wagtail model form) and missions (MissionForm).

ShiftForm: never more volunteers than places, and a shift inside a sensible span.

MissionForm is a plain Django form, not a model form: what it collects (dates, the week's
slots, the skills asked) is saved by volunteers.missions.save_mission in one transaction,
which also sets the status, the territory and what the matching filters on. Its clean
runs the service's own schedule check (validate_schedule) so that a refused schedule is
shown on the form with the service's French message before anything is written.
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

from territory.access import territories_for
from territory.models import Commune, Organisation, Venue


class ShiftForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and "event" in self.fields:
            # The page chooser still browses the whole tree; an event of another territory is
            # refused on saving, so no shift lands on another territory's event.
            field = self.fields["event"]
            field.queryset = field.queryset.filter(commune__territory__in=territories_for(self.for_user))
            field.error_messages["invalid_choice"] = _("Choisissez un événement de votre territoire.")

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("La fin du créneau doit suivre son début."))
        from .models import ShiftSignupStatus  # the models module imports this form

        signups = self.formsets.get("signups")
        capacity = cleaned.get("capacity")
        if signups is not None and capacity is not None and signups.is_valid():
            kept = [
                form
                for form in signups.forms
                if form.cleaned_data
                and not form.cleaned_data.get("DELETE")
                and form.cleaned_data.get("status", ShiftSignupStatus.CONFIRMED) == ShiftSignupStatus.CONFIRMED
            ]
            if len(kept) > capacity:
                raise ValidationError(
                    _(
                        "%(count)s bénévoles inscrits pour %(capacity)s places : augmentez les places ou retirez quelqu'un."
                    )
                    % {"count": len(kept), "capacity": capacity}
                )
        return cleaned


# Missions -----------------------------------------------------------------------------------------------

DATETIME_INVALID = gettext_lazy("Date et heure non valides, par exemple : 05/12/2026 09:00.")
EXTRA_DATE_ROWS = 3


class NameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.commune.name})"


def slot_field_name(weekday: int, part: int) -> str:
    return f"slot_{weekday}_{part}"


class MissionDateForm(forms.Form):
    """One date of the mission; a row left empty is ignored."""

    starts_at = forms.DateTimeField(
        label=gettext_lazy("Début"),
        required=False,
        widget=AdminDateTimeInput,
        error_messages={"invalid": DATETIME_INVALID},
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Fin"),
        required=False,
        widget=AdminDateTimeInput,
        error_messages={"invalid": DATETIME_INVALID},
    )

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if bool(starts_at) != bool(ends_at) and not self.errors:
            missing = "ends_at" if starts_at else "starts_at"
            self.add_error(missing, _("Indiquez le début et la fin de cette date."))
        return data

    def span(self) -> tuple[dt.datetime, dt.datetime] | None:
        data = getattr(self, "cleaned_data", {})
        if data.get("starts_at") and data.get("ends_at"):
            return data["starts_at"], data["ends_at"]
        return None


class MissionForm(forms.Form):
    """A mission as an organiser writes it. `service_arguments()` gives what save_mission takes."""

    title = forms.CharField(
        label=gettext_lazy("Intitulé"),
        max_length=160,
        error_messages={"required": gettext_lazy("Donnez un intitulé à la mission.")},
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=4000,
        help_text=gettext_lazy("Ce que fera le ou la bénévole, avec qui, ce qu'il faut savoir avant de venir."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Décrivez la mission.")},
    )
    organisation = NameChoiceField(
        label=gettext_lazy("Structure"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("— L'équipe du plan —"),
        help_text=gettext_lazy("Laissez vide pour une mission de l'équipe du plan."),
    )
    commune = NameChoiceField(
        label=gettext_lazy("Commune"),
        queryset=Commune.objects.none(),
        empty_label=gettext_lazy("Choisissez…"),
        error_messages={"required": gettext_lazy("Choisissez la commune de la mission.")},
    )
    venue = VenueChoiceField(
        label=gettext_lazy("Lieu (facultatif)"),
        queryset=Venue.objects.none(),
        required=False,
        empty_label=gettext_lazy("— Pas de lieu précis : la commune —"),
    )
    rhythm = forms.ChoiceField(
        label=gettext_lazy("Rythme"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choisissez le rythme de la mission.")},
    )
    starts_on = forms.DateField(
        label=gettext_lazy("À partir du"),
        required=False,
        widget=AdminDateInput,
        error_messages={"invalid": gettext_lazy("Date non valide, par exemple : 05/12/2026.")},
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Jusqu'au"),
        required=False,
        widget=AdminDateInput,
        error_messages={"invalid": gettext_lazy("Date non valide, par exemple : 05/12/2026.")},
    )
    volunteers_needed = forms.IntegerField(
        label=gettext_lazy("Bénévoles recherchés"),
        min_value=1,
        max_value=200,
        initial=1,
        error_messages={
            "required": gettext_lazy("Indiquez entre 1 et 200 bénévoles."),
            "invalid": gettext_lazy("Indiquez entre 1 et 200 bénévoles."),
            "min_value": gettext_lazy("Indiquez entre 1 et 200 bénévoles."),
            "max_value": gettext_lazy("Indiquez entre 1 et 200 bénévoles."),
        },
    )
    required_skills = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Compétences indispensables"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Seuls les bénévoles qui les ont toutes sont proposés."),
    )
    welcome_skills = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Compétences appréciées"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Elles comptent dans le score ; une compétence cochée deux fois reste indispensable."),
    )

    def __init__(self, data=None, *, mission=None, territories=None, now: dt.datetime | None = None, **kwargs):
        from .models import DayPart, MissionRhythm, Skill, Weekday  # the models module imports this module

        self.now = now or timezone.now()
        if mission is not None and mission.pk and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(mission)
        super().__init__(data, **kwargs)
        # Only the places and organisations of the territories the organiser acts for (a
        # queryset of territories): the mission's territory follows its commune (save_mission).
        communes = Commune.objects.all() if territories is None else Commune.objects.filter(territory__in=territories)
        self.fields["organisation"].queryset = Organisation.objects.filter(commune__in=communes).order_by("name")
        self.fields["commune"].queryset = communes.order_by("name")
        self.fields["venue"].queryset = (
            Venue.objects.filter(commune__in=communes).select_related("commune").order_by("commune__name", "name")
        )
        self.fields["rhythm"].choices = MissionRhythm.choices
        self.fields["rhythm"].initial = MissionRhythm.DATES
        skills = Skill.objects.order_by("position", "name")
        self.fields["required_skills"].queryset = skills
        self.fields["welcome_skills"].queryset = skills
        self.weekdays, self.day_parts = list(Weekday), list(DayPart)
        for day in Weekday:
            for part in DayPart:
                self.fields[slot_field_name(day.value, part.value)] = forms.BooleanField(
                    label=f"{day.label} {part.label}", required=False
                )
        existing = []
        if mission is not None and mission.pk and mission.rhythm == MissionRhythm.DATES:
            existing = [
                {"starts_at": timezone.localtime(date.starts_at), "ends_at": timezone.localtime(date.ends_at)}
                for date in mission.dates.all()
            ]
        from .missions import MAX_DATES

        formset_class = forms.formset_factory(MissionDateForm, extra=EXTRA_DATE_ROWS, max_num=MAX_DATES)
        self.dates = formset_class(data, prefix="dates", initial=existing)
        # Schedule errors of the service that belong to no single field: the dates, the week.
        self.group_errors: dict[str, list[str]] = {"dates": [], "weekly_slots": []}

    @staticmethod
    def initial_for(mission) -> dict:
        from .models import availability_bit

        initial = {
            "title": mission.title,
            "description": mission.description,
            "organisation": mission.organisation_id,
            "commune": mission.commune_id,
            "venue": mission.venue_id,
            "rhythm": mission.rhythm,
            "starts_on": mission.starts_on,
            "ends_on": mission.ends_on,
            "volunteers_needed": mission.volunteers_needed,
            "required_skills": [need.skill_id for need in mission.skill_needs.all() if need.required],
            "welcome_skills": [need.skill_id for need in mission.skill_needs.all() if not need.required],
        }
        for weekday in range(7):
            for part in range(3):
                initial[slot_field_name(weekday, part)] = bool(mission.weekly_bits & availability_bit(weekday, part))
        return initial

    # The week's grid, as the template draws it.

    def week_rows(self):
        return [
            {"day": day.label, "cells": [self[slot_field_name(day.value, part.value)] for part in self.day_parts]}
            for day in self.weekdays
        ]

    def part_labels(self):
        return [part.label for part in self.day_parts]

    # Cleaning.

    def is_valid(self):
        form_valid = super().is_valid()
        return self.dates.is_valid() and form_valid

    def date_spans(self) -> list[tuple[dt.datetime, dt.datetime]]:
        return [span for form in self.dates.forms if (span := form.span())]

    def weekly_slots(self) -> list[tuple[int, int]]:
        return [
            (day.value, part.value)
            for day in self.weekdays
            for part in self.day_parts
            if self.cleaned_data.get(slot_field_name(day.value, part.value))
        ]

    def clean(self):
        from .missions import MissionError, validate_schedule
        from .models import MissionRhythm

        data = super().clean()
        venue, commune = data.get("venue"), data.get("commune")
        if venue is not None and commune is not None and venue.commune_id != commune.pk:
            self.add_error("venue", _("Ce lieu n'est pas à %(commune)s.") % {"commune": commune.name})
        rhythm = data.get("rhythm")
        if rhythm and self.dates.is_valid():
            weekly = rhythm == MissionRhythm.WEEKLY
            try:
                validate_schedule(
                    rhythm,
                    self.date_spans(),
                    self.weekly_slots(),
                    data.get("starts_on") if weekly else None,
                    data.get("ends_on") if weekly else None,
                    now=self.now,
                )
            except MissionError as error:
                self.add_service_error(error)
        return data

    def add_service_error(self, error) -> None:
        """Put a MissionError where it belongs: on its field, or on the dates or the week (and in the summary)."""
        if error.field in self.fields:
            self.add_error(error.field, error.message)
            return
        if error.field in self.group_errors:
            self.group_errors[error.field].append(error.message)
        self.add_error(None, error.message)

    # What the service takes.

    def apply_to(self, mission):
        """Copy the mission's own fields onto `mission` (not saved)."""
        from .models import MissionRhythm

        data = self.cleaned_data
        for name in ("title", "description", "organisation", "commune", "venue", "rhythm", "volunteers_needed"):
            setattr(mission, name, data[name])
        if data["rhythm"] == MissionRhythm.WEEKLY:
            mission.starts_on, mission.ends_on = data["starts_on"], data["ends_on"]
        else:
            # The service derives the period from the dates; a typed period would only trip the
            # "period in order" constraint before it does.
            mission.starts_on = mission.ends_on = None
        return mission

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "required_skills": list(data["required_skills"]),
            "welcome_skills": list(data["welcome_skills"]),
            "dates": self.date_spans(),
            "weekly_slots": self.weekly_slots(),
        }
