"""The public form of a commune asking for a visit of the village.

Thin: fields check their own format (a date, an address, a number); every rule about the
request itself (the commune in the territory, a contact, a date ahead, a period in order,
the consent) is `services.visits.validate_request`, called from `clean()` so the form shows
all its refusals at once, each next to its field, and the service applies the same rules
when the view submits.
"""

from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

from territory.forms import CommuneFilterField
from territory.models import Commune, Venue
from village.forms import HoneypotForm

from .models import VisitOccasion
from .services import visits

# The person who reads the request in the commune's town hall or in the team may need a
# few lines, not a letter.
MAX_MESSAGE = 2000
MAX_AUDIENCE = 100_000


def _date_field(label, help_text=""):
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        error_messages={"invalid": _("Indiquez une date valide, par exemple 12/06/2027.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _required(widget_attrs: dict | None = None) -> dict:
    # Announced as required to assistive technologies; the rule itself is validate_request's.
    return {"required": True, **(widget_attrs or {})}


class VisitRequestForm(HoneypotForm):
    honeypot_message = _("Votre demande n'a pas pu être enregistrée. Laissez vide le champ caché.")

    commune = CommuneFilterField(
        label=_("Commune"),
        empty_label=_("Choisissez…"),
        error_messages={"invalid_choice": _("Choisissez une commune de la liste.")},
    )
    contact_name = forms.CharField(
        label=_("Nom et prénom de la personne à contacter"),
        max_length=160,
        required=False,
        widget=forms.TextInput(attrs=_required({"autocomplete": "name"})),
    )
    contact_role = forms.CharField(
        label=_("Fonction"),
        max_length=160,
        help_text=_("Par exemple : adjointe à la vie associative, chargé de mission développement local."),
        error_messages={"required": _("Indiquez la fonction de la personne à contacter.")},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    email = forms.EmailField(
        label=_("Adresse électronique"),
        required=False,
        help_text=_("Le suivi de la demande et nos réponses y seront envoyés."),
        error_messages={
            "invalid": _("Cette adresse électronique n'est pas valide, par exemple : prenom.nom@mairie.fr.")
        },
        widget=forms.EmailInput(attrs=_required({"autocomplete": "email"})),
    )
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    occasion = forms.ChoiceField(
        label=_("À quelle occasion ?"),
        choices=[("", _("Choisissez…")), *VisitOccasion.choices],
        error_messages={
            "required": _("Indiquez l'occasion de la venue du village."),
            "invalid_choice": _("Choisissez une occasion de la liste."),
        },
    )
    occasion_detail = forms.CharField(
        label=_("Précision sur l'occasion (facultatif)"),
        max_length=160,
        required=False,
        help_text=_("Par exemple : marché du samedi matin, ducasse de la Saint-Jean."),
    )
    venue = forms.ModelChoiceField(
        label=_("Lieu déjà connu (facultatif)"),
        queryset=Venue.objects.none(),
        required=False,
        empty_label=_("Aucun de ces lieux"),
        help_text=_("Les lieux où le village ou d'autres événements se sont déjà tenus."),
        error_messages={"invalid_choice": _("Choisissez un lieu de la liste.")},
    )
    venue_text = forms.CharField(
        label=_("Ou le lieu envisagé (facultatif)"),
        max_length=255,
        required=False,
        help_text=_("Une place, un parvis, une partie du marché : l'adresse ou la façon de le trouver."),
    )
    preferred_date_1 = _date_field(_("Date souhaitée"))
    preferred_date_2 = _date_field(_("Deuxième date possible (facultatif)"))
    preferred_date_3 = _date_field(_("Troisième date possible (facultatif)"))
    flexible_from = _date_field(_("Du"))
    flexible_until = _date_field(_("Au"))
    expected_audience = forms.IntegerField(
        label=_("Public attendu (facultatif)"),
        required=False,
        min_value=0,
        max_value=MAX_AUDIENCE,
        help_text=_("Combien de personnes passent habituellement, en ordre de grandeur."),
        error_messages={
            "invalid": _("Indiquez un nombre entier, par exemple 300."),
            "min_value": _("Indiquez un nombre positif."),
            "max_value": _("Indiquez un nombre inférieur à %(limit_value)s."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    has_power = forms.BooleanField(label=_("Un accès à l'électricité est possible"), required=False)
    space = forms.CharField(
        label=_("Espace disponible (facultatif)"),
        max_length=255,
        required=False,
        help_text=_("Environ 300 m² pour un village complet, 50 m² pour un mini-village."),
    )
    has_parking = forms.BooleanField(
        label=_("Le véhicule du village peut stationner sur place ou tout près"), required=False
    )
    message = forms.CharField(
        label=_("Message (facultatif)"),
        max_length=MAX_MESSAGE,
        required=False,
        help_text=_("Ce que vous attendez du village, les habitudes de votre public, un élu présent…"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consent = forms.BooleanField(
        label=_(
            "J'accepte que ces informations servent à étudier la demande de la commune et à organiser "
            "la venue du village."
        ),
        help_text=_(
            "Seule l'équipe ESS de l'agglomération les lit ; elles ne sont transmises à personne d'autre. "
            "Les coordonnées de la personne à contacter sont effacées trois ans après la fin de l'échange ; "
            "la commune, les dates et le lieu restent dans le bilan du plan ESS. Détails sur la page "
            "« Données personnelles »."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs=_required()),
    )

    # The fields the service's errors may name; anything else becomes a form-wide error.
    PREFERRED_DATES = ("preferred_date_1", "preferred_date_2", "preferred_date_3")

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        communes = list(Commune.objects.in_territory(territory).only("insee_code", "name"))
        venues = list(
            Venue.objects.filter(commune__territory=territory)
            .select_related("commune")
            .order_by("commune__name", "name")
        )
        # Any commune and venue is *looked up*, only the territory's are *offered*: a forged
        # value from another territory then reaches validate_request, which names the rule
        # broken, instead of the generic "not one of the choices".
        commune_field = self.fields["commune"]
        commune_field.scope_to_territory(None)
        commune_field.widget.attrs.update(_required())
        commune_field.widget.choices = [("", commune_field.empty_label), *((c.insee_code, c.name) for c in communes)]
        venue_field = self.fields["venue"]
        venue_field.queryset = Venue.objects.select_related("commune")
        venue_field.widget.choices = [
            ("", venue_field.empty_label),
            *(
                (commune_name, [(venue.pk, venue.name) for venue in group])
                for commune_name, group in groupby(venues, key=lambda venue: venue.commune.name)
            ),
        ]

    @staticmethod
    def _squash(value: str) -> str:
        return " ".join(value.split())

    def clean_contact_name(self) -> str:
        return self._squash(self.cleaned_data["contact_name"])

    def clean_contact_role(self) -> str:
        return self._squash(self.cleaned_data["contact_role"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_phone(self) -> str:
        return self._squash(self.cleaned_data["phone"])

    def clean_occasion_detail(self) -> str:
        return self._squash(self.cleaned_data["occasion_detail"])

    def clean_venue_text(self) -> str:
        return self._squash(self.cleaned_data["venue_text"])

    def clean_space(self) -> str:
        return self._squash(self.cleaned_data["space"])

    def clean_message(self) -> str:
        return self.cleaned_data["message"].strip()

    def clean(self):
        data = super().clean()
        errors = visits.validate_request(
            territory=self.territory,
            commune=data.get("commune"),
            contact_name=data.get("contact_name", ""),
            email=data.get("email", ""),
            preferred_dates=[data.get(name) for name in self.PREFERRED_DATES],
            flexible_from=data.get("flexible_from"),
            flexible_until=data.get("flexible_until"),
            consent=data.get("consent", False),
            venue=data.get("venue"),
        )
        for error in errors:
            field = error.field if error.field in self.fields else None
            # A field whose value was already refused (an unreadable date, an unknown
            # commune) keeps that first, more precise message.
            if field is not None and field in self.errors:
                continue
            self.add_error(field, forms.ValidationError(str(error.message), code=error.code))
        return data

    def service_arguments(self) -> dict:
        """Keyword arguments of services.visits.submit_visit_request."""
        data = self.cleaned_data
        return {
            "territory": self.territory,
            "commune": data["commune"],
            "contact_name": data["contact_name"],
            "contact_role": data["contact_role"],
            "email": data["email"],
            "phone": data["phone"],
            "occasion": data["occasion"],
            "occasion_detail": data["occasion_detail"],
            "venue": data["venue"],
            "venue_text": data["venue_text"],
            "preferred_dates": [data[name] for name in self.PREFERRED_DATES],
            "flexible_from": data["flexible_from"],
            "flexible_until": data["flexible_until"],
            "expected_audience": data["expected_audience"],
            "has_power": data["has_power"],
            "space": data["space"],
            "has_parking": data["has_parking"],
            "message": data["message"],
            "consent": data["consent"],
        }


class ProposalAnswerForm(forms.Form):
    """The commune's answer to a date the team proposed: the button pressed, and an optional note."""

    ACCEPT = "accept"
    DECLINE = "decline"

    answer = forms.ChoiceField(choices=[(ACCEPT, ACCEPT), (DECLINE, DECLINE)])
    note = forms.CharField(
        label=_("Un mot pour l'équipe (facultatif)"),
        max_length=500,
        required=False,
        help_text=_("Par exemple, si la date ne convient pas : les dates où la commune serait disponible."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_note(self) -> str:
        return self.cleaned_data["note"].strip()

    @property
    def accepts(self) -> bool:
        return self.cleaned_data["answer"] == self.ACCEPT
