"""The public registration forms: one person (breakfasts, elected officials) or one group (youth outreach).

Thin forms: they check and normalise what was typed; the rules (seats, window, one
registration per address) belong to events/services/registrations.py, which the view
calls with `service_arguments()`.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from territory.models import Commune, Territory
from village.forms import HoneypotForm

from .models import AttendeeCategory, EventKind, GroupStructureKind, YouthLevel

OUTSIDE_TERRITORY = "hors"
MAX_GROUP = 200

# Categories a person registering for themselves may choose; "jeune" is for groups.
INDIVIDUAL_CATEGORIES = [c for c in AttendeeCategory.choices if c[0] != AttendeeCategory.YOUNG_PERSON]


class RegistrationForm(HoneypotForm):
    honeypot_message = _("Votre inscription n'a pas pu être enregistrée. Laissez vide le champ caché.")

    name = forms.CharField(
        label=_("Nom et prénom"),
        max_length=160,
        error_messages={"required": _("Indiquez votre nom et votre prénom.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Votre billet vous y sera envoyé."),
        error_messages={
            "required": _("Indiquez votre adresse électronique : votre billet vous y sera envoyé."),
            "invalid": _("Cette adresse électronique n'est pas valide, par exemple : prenom.nom@exemple.fr."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        max_length=30,
        required=False,
        help_text=_("Pour vous prévenir en cas de changement de dernière minute."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    home_commune = forms.ChoiceField(
        label=_("Commune de résidence"),
        error_messages={
            "required": _("Choisissez votre commune, ou « Hors du territoire »."),
            "invalid_choice": _("Choisissez une commune de la liste."),
        },
    )
    category = forms.ChoiceField(
        label=_("Vous venez en tant que"),
        choices=[("", _("Choisissez…")), *INDIVIDUAL_CATEGORIES],
        error_messages={
            "required": _("Indiquez à quel titre vous venez."),
            "invalid_choice": _("Choisissez une catégorie de la liste."),
        },
    )
    organisation_name = forms.CharField(
        label=_("Structure (facultatif)"),
        max_length=160,
        required=False,
        help_text=_("Association, entreprise, collectivité…"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    mandate = forms.CharField(
        label=_("Mandat"),
        max_length=120,
        required=False,
        help_text=_("Pour les élu·es, par exemple : adjointe au maire, conseiller communautaire."),
    )
    mandate_commune = forms.ChoiceField(
        label=_("Commune du mandat"),
        required=False,
        help_text=_("Pour les élu·es."),
        error_messages={"invalid_choice": _("Choisissez une commune de la liste.")},
    )
    consent = forms.BooleanField(
        label=_(
            "J'accepte que ces informations servent à gérer mon inscription et à compter la participation "
            "aux actions du plan ESS du territoire."
        ),
        help_text=_(
            "Elles ne sont transmises à personne d'autre. Vous pouvez annuler votre inscription à tout "
            "moment depuis votre billet."
        ),
        error_messages={"required": _("Cochez cette case pour pouvoir vous inscrire.")},
    )

    is_group = False

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        territory = event.commune.territory if event.commune_id else Territory.default()
        self.communes = {c.insee_code: c for c in Commune.objects.in_territory(territory).only("insee_code", "name")}
        commune_choices = [(code, c.name) for code, c in self.communes.items()]
        self.fields["home_commune"].choices = [
            ("", _("Choisissez…")),
            *commune_choices,
            (OUTSIDE_TERRITORY, _("Hors du territoire")),
        ]
        self.fields["mandate_commune"].choices = [("", _("Choisissez…")), *commune_choices]
        if event.kind == EventKind.ELECTED_AWARENESS:
            self.fields["category"].initial = AttendeeCategory.ELECTED
            self.fields["mandate"].help_text = _("Par exemple : adjointe au maire, conseiller communautaire.")
            self.fields["mandate"].label = _("Mandat (pour les élu·es)")
            self.fields["mandate_commune"].help_text = ""
            self.fields["mandate_commune"].label = _("Commune du mandat (pour les élu·es)")

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_phone(self) -> str:
        return " ".join(self.cleaned_data["phone"].split())

    def clean_organisation_name(self) -> str:
        return " ".join(self.cleaned_data["organisation_name"].split())

    def clean_mandate(self) -> str:
        return " ".join(self.cleaned_data["mandate"].split())

    def clean_home_commune(self):
        value = self.cleaned_data["home_commune"]
        return None if value == OUTSIDE_TERRITORY else self.communes[value]

    def clean_mandate_commune(self):
        value = self.cleaned_data["mandate_commune"]
        return self.communes[value] if value else None

    def clean(self):
        data = super().clean()
        if data.get("category") == AttendeeCategory.ELECTED:
            if not data.get("mandate") and "mandate" not in self.errors:
                self.add_error("mandate", forms.ValidationError(_("Indiquez votre mandat."), code="required"))
            if not data.get("mandate_commune") and "mandate_commune" not in self.errors:
                self.add_error(
                    "mandate_commune",
                    forms.ValidationError(_("Indiquez la commune où s'exerce votre mandat."), code="required"),
                )
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "phone": data["phone"],
            "home_commune": data["home_commune"],
            "outside_territory": data["home_commune"] is None,
            "category": data["category"],
            "mandate": data["mandate"],
            "mandate_commune": data["mandate_commune"],
            "organisation_name": data["organisation_name"],
            "consent": data["consent"],
        }


class GroupRegistrationForm(RegistrationForm):
    """A class or a youth group: the person registering is its teacher or leader."""

    structure_kind = forms.ChoiceField(
        label=_("Type de structure"),
        choices=[("", _("Choisissez…")), *GroupStructureKind.choices],
        error_messages={"required": _("Indiquez le type de structure.")},
    )
    structure_name = forms.CharField(
        label=_("Nom de l'établissement ou de la structure"),
        max_length=160,
        error_messages={"required": _("Indiquez le nom de l'établissement ou de la structure.")},
    )
    teacher_name = forms.CharField(
        label=_("Enseignant·e ou encadrant·e référent·e"),
        max_length=160,
        help_text=_("La personne qui accompagne le groupe le jour J."),
        error_messages={"required": _("Indiquez qui accompagne le groupe.")},
    )
    level = forms.ChoiceField(
        label=_("Niveau"),
        choices=[("", _("Choisissez…")), *YouthLevel.choices],
        error_messages={"required": _("Indiquez le niveau du groupe.")},
    )
    headcount = forms.IntegerField(
        label=_("Nombre de jeunes"),
        min_value=1,
        max_value=MAX_GROUP,
        help_text=_("Chaque jeune occupe une place ; les accompagnant·es ne sont pas comptés."),
        error_messages={
            "required": _("Indiquez combien de jeunes viendront."),
            "invalid": _("Indiquez un nombre entier, par exemple 24."),
            "min_value": _("Un groupe compte au moins une personne."),
            "max_value": _("Au-delà de %(limit_value)s jeunes, contactez l'équipe."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    is_group = True
    field_order = [
        "structure_kind",
        "structure_name",
        "level",
        "headcount",
        "home_commune",
        "teacher_name",
        "name",
        "email",
        "phone",
        "consent",
        "website",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("category", "organisation_name", "mandate", "mandate_commune"):
            del self.fields[name]
        self.fields["name"].label = _("Vos nom et prénom")
        self.fields["name"].help_text = _("La personne qui inscrit le groupe et reçoit le billet.")
        self.fields["home_commune"].label = _("Commune de l'établissement")
        self.fields["home_commune"].error_messages["required"] = _(
            "Choisissez la commune de l'établissement, ou « Hors du territoire »."
        )
        self.fields["consent"].label = _(
            "J'accepte que ces informations servent à gérer l'inscription du groupe et à compter la "
            "participation aux actions du plan ESS du territoire."
        )

    def clean_structure_name(self) -> str:
        return " ".join(self.cleaned_data["structure_name"].split())

    def clean_teacher_name(self) -> str:
        return " ".join(self.cleaned_data["teacher_name"].split())

    def clean(self):
        return forms.Form.clean(self)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "phone": data["phone"],
            "home_commune": data["home_commune"],
            "outside_territory": data["home_commune"] is None,
            "category": AttendeeCategory.YOUNG_PERSON,
            "organisation_name": data["structure_name"],
            "is_group": True,
            "structure_kind": data["structure_kind"],
            "teacher_name": data["teacher_name"],
            "level": data["level"],
            "headcount": data["headcount"],
            "consent": data["consent"],
        }


def registration_form_class(event) -> type[RegistrationForm]:
    return GroupRegistrationForm if event.kind == EventKind.YOUTH_OUTREACH else RegistrationForm


class LostTicketForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique utilisée pour l'inscription"),
        error_messages={
            "required": _("Indiquez l'adresse électronique de votre inscription."),
            "invalid": _("Cette adresse électronique n'est pas valide, par exemple : prenom.nom@exemple.fr."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()
