"""Forms of the stands: the organisation's application, the organisers' decisions, the contact invitation.

Thin forms: they check what was typed; whether a stand may be applied for, confirmed,
moved or placed is decided by events/services/village.py, which the views call.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from territory.models import Organisation

from .models import Pitch


def pitch_label(pitch: Pitch) -> str:
    """ "N° 2 · Réemploi (électricité, table)": what an organiser weighs when choosing a pitch."""
    label = _("N° %(number)s") % {"number": pitch.number}
    if pitch.theme:
        label = f"{label} · {pitch.theme}"
    equipment = pitch.equipment
    return f"{label} ({', '.join(equipment)})" if equipment else str(label)


class PitchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return pitch_label(obj)


class StandApplicationForm(forms.Form):
    """What an organisation's contact tells the organisers when applying for a stand."""

    contact_name = forms.CharField(
        label=_("Personne présente sur le stand"),
        max_length=160,
        error_messages={"required": _("Indiquez qui tiendra le stand ce jour-là.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Son adresse électronique"),
        help_text=_("La réponse des organisateurs y sera envoyée."),
        error_messages={
            "required": _("Indiquez une adresse électronique : la réponse y sera envoyée."),
            "invalid": _("Cette adresse électronique n'est pas valide, par exemple : prenom.nom@exemple.fr."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Son téléphone le jour J (facultatif)"),
        max_length=30,
        required=False,
        help_text=_("Pour vous joindre pendant le montage."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    activity = forms.CharField(
        label=_("Ce que vous présentez"),
        max_length=2000,
        error_messages={"required": _("Dites en quelques mots ce que votre stand présentera.")},
        help_text=_("Une animation, des produits, un atelier… Les organisateurs s'en servent pour placer les stands."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    needs_power = forms.BooleanField(label=_("Électricité"), required=False)
    needs_table = forms.BooleanField(label=_("Une table"), required=False, initial=True)
    needs_shelter = forms.BooleanField(label=_("Un abri (barnum)"), required=False, initial=True)

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)


class PitchForm(forms.Form):
    """Confirm an application on a pitch, or move a confirmed stand to another pitch.

    The select offers the free pitches; the field accepts any pitch of the stop, so a
    pitch taken a moment ago by another organiser reaches the service, whose refusal
    names the organisation that holds it.
    """

    pitch = PitchChoiceField(
        label=_("Emplacement"),
        queryset=Pitch.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choisissez un emplacement."),
            "invalid_choice": _("Cet emplacement n'existe pas à cette étape."),
        },
    )

    def __init__(self, *args, stop, pitches=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = pitches if pitches is not None else Pitch.objects.filter(stop_id=stop.pk).order_by("number")
        self.fields["pitch"].queryset = queryset


class RefuseStandForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        max_length=255,
        help_text=_("Il est envoyé à la structure."),
        error_messages={"required": _("Indiquez le motif du refus : il est envoyé à la structure.")},
    )


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.commune.name})"


class PlaceStandForm(PitchForm):
    """Organisers put an organisation straight on a pitch (a phone call, a partner's stand)."""

    organisation = OrganisationChoiceField(
        label=_("Structure"),
        queryset=Organisation.objects.none(),
        error_messages={
            "required": _("Choisissez une structure."),
            "invalid_choice": _("Choisissez une structure de la liste."),
        },
    )
    contact_name = forms.CharField(label=_("Personne présente sur le stand"), max_length=160)
    contact_email = forms.EmailField(label=_("Son adresse électronique"))
    contact_phone = forms.CharField(label=_("Son téléphone (facultatif)"), max_length=30, required=False)
    activity = forms.CharField(label=_("Ce que la structure présente (facultatif)"), max_length=2000, required=False)

    field_order = ["organisation", "pitch", "contact_name", "contact_email", "contact_phone", "activity"]

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.select_related("commune")
        )


class InviteContactForm(forms.Form):
    name = forms.CharField(label=_("Nom et prénom"), max_length=150)
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Elle servira d'identifiant ; le lien pour choisir un mot de passe y est envoyé."),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
