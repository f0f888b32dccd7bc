"""The volunteers' public forms: sign-up, profile, away periods, account deletion.

Thin forms: they check and normalise what was typed; volunteers/services.py holds the rules.
"""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from territory.forms import CommuneFilterField
from territory.models import Commune, Sector, Territory
from village.forms import HoneypotForm

from .models import DayPart, Skill, Weekday
from .services import all_slots, email_in_use, email_taken_message, slot_label


def _territory_communes(territory: Territory | None):
    """The communes a public form offers: those of the site's territory (`Territory.for_request`),
    the default territory's when the caller names none."""
    territory = territory or Territory.default()
    return Commune.objects.in_territory(territory).order_by("name") if territory else Commune.objects.none()


class CommuneField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def commune_field():
    return CommuneField(
        label=_("Commune de résidence"),
        queryset=Commune.objects.none(),
        empty_label=_("Choisissez…"),
        error_messages={
            "required": _("Choisissez votre commune."),
            "invalid_choice": _("Choisissez une commune de la liste."),
        },
    )


class SignupForm(HoneypotForm):
    honeypot_message = _("Votre inscription n'a pas pu être enregistrée. Laissez vide le champ caché.")

    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        error_messages={"required": _("Indiquez votre prénom.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Nous y enverrons le lien qui active votre compte."),
        max_length=150,
        error_messages={
            "required": _("Indiquez votre adresse électronique."),
            "invalid": _("Cette adresse électronique n'est pas valide, par exemple : prenom.nom@exemple.fr."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        help_text=_("Au moins 8 caractères, pas uniquement des chiffres, différent de votre nom."),
        strip=False,
        error_messages={"required": _("Choisissez un mot de passe.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    home_commune = commune_field()
    consent = forms.BooleanField(
        label=_(
            "J'accepte que ces informations servent à me mettre en relation avec les organisateurs "
            "d'événements de l'ESS du territoire."
        ),
        help_text=_(
            "Vous pourrez télécharger vos données ou supprimer votre compte à tout moment depuis votre profil. "
            "Sans activité pendant deux ans, le compte est supprimé après un avertissement."
        ),
        error_messages={"required": _("Cochez cette case pour créer votre compte.")},
    )

    def __init__(self, *args, territory: Territory | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_commune"].queryset = _territory_communes(territory)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email_in_use(email):
            raise forms.ValidationError(email_taken_message(), code="email_taken")
        return email

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            User = get_user_model()
            candidate = User(
                username=data.get("email", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


def slot_field_name(weekday: int, part: int) -> str:
    return f"slot_{weekday}_{part}"


class ProfileForm(forms.Form):
    home_commune = commune_field()
    travel_km = forms.IntegerField(
        label=_("Distance que vous acceptez de parcourir (km)"),
        min_value=1,
        max_value=100,
        error_messages={
            "required": _("Indiquez une distance entre 1 et 100 km."),
            "invalid": _("Indiquez une distance entre 1 et 100 km."),
            "min_value": _("Indiquez une distance entre 1 et 100 km."),
            "max_value": _("Indiquez une distance entre 1 et 100 km."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Compétences"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Centres d'intérêt"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    accepts_contact = forms.BooleanField(
        label=_("J'accepte que les organisateurs me contactent pour me proposer des missions."), required=False
    )
    on_map = forms.BooleanField(
        label=_("J'accepte d'apparaître sur la carte des bénévoles, à l'échelle de ma commune seulement."),
        required=False,
    )

    def __init__(self, *args, territory: Territory | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_commune"].queryset = _territory_communes(territory)
        for weekday, part in all_slots():
            self.fields[slot_field_name(weekday, part)] = forms.BooleanField(
                label=slot_label(weekday, part), required=False
            )

    @classmethod
    def initial_for(cls, profile) -> dict:
        initial = {
            "home_commune": profile.home_commune_id,
            "travel_km": profile.travel_km,
            "skills": list(profile.skills.all()),
            "sectors": list(profile.sectors.all()),
            "phone": profile.phone,
            "accepts_contact": profile.accepts_contact,
            "on_map": profile.on_map,
        }
        for weekday, part in all_slots():
            initial[slot_field_name(weekday, part)] = profile.is_available(weekday, part)
        return initial

    def availability_rows(self):
        """The table of the week: one row per day, one checkbox per part of the day."""
        return [
            {"day": day.label, "cells": [self[slot_field_name(day.value, part.value)] for part in DayPart]}
            for day in Weekday
        ]

    def day_parts(self):
        return [part.label for part in DayPart]

    def slots(self) -> list[tuple[int, int]]:
        return [slot for slot in all_slots() if self.cleaned_data.get(slot_field_name(*slot))]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "home_commune": data["home_commune"],
            "travel_km": data["travel_km"],
            "skills": data["skills"],
            "sectors": data["sectors"],
            "slots": self.slots(),
            "phone": data["phone"],
            "accepts_contact": data["accepts_contact"],
            "on_map": data["on_map"],
        }


class AwayPeriodForm(forms.Form):
    start = forms.DateField(
        label=_("Absent·e du"),
        error_messages={"required": _("Indiquez le premier jour d'absence."), "invalid": _("Date non valide.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("au"),
        error_messages={"required": _("Indiquez le dernier jour d'absence."), "invalid": _("Date non valide.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("La fin de l'absence doit venir après son début."))
        return data


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        error_messages={"required": _("Indiquez votre mot de passe pour confirmer.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Ce mot de passe n'est pas le bon."), code="wrong_password")
        return password


class ApplicationForm(forms.Form):
    message = forms.CharField(
        label=_("Un mot pour la structure (facultatif)"),
        help_text=_("Vos motivations, vos questions, vos contraintes : 2 000 caractères au plus."),
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Votre message est trop long : 2 000 caractères au plus.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MapFilterForm(forms.Form):
    """The map's filters. They live in the URL (a GET form, no JavaScript needed), combine,
    and a bad value is reported next to its field while the other filters still apply.
    """

    # A choice of slugs among the skills the view already read (one query for the form, its
    # validation and the map), rather than a ModelChoiceField that would query twice more.
    competence = forms.ChoiceField(
        label=_("Compétence"),
        required=False,
        error_messages={"invalid_choice": _("Cette compétence n'existe pas : choisissez-en une dans la liste.")},
    )
    jour = forms.TypedChoiceField(
        label=_("Jour"),
        choices=[("", _("Tous les jours")), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choisissez un jour de la liste.")},
    )
    moment = forms.TypedChoiceField(
        label=_("Moment de la journée"),
        choices=[("", _("Toute la journée")), *DayPart.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choisissez un moment de la journée de la liste.")},
    )
    commune = CommuneFilterField()

    def __init__(self, *args, skills: list[Skill], territory=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.skills = {skill.slug: skill for skill in skills}
        self.fields["competence"].choices = [
            ("", _("Toutes les compétences")),
            *((skill.slug, skill.name) for skill in skills),
        ]
        self.fields["commune"].scope_to_territory(territory)

    def clean_competence(self) -> Skill | None:
        return self.skills.get(self.cleaned_data["competence"])
