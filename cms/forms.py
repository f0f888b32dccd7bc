from django import forms
from django.utils.translation import gettext_lazy as _

from territory.forms import CommuneFilterField
from territory.models import LegalForm, Sector


class OrganisationFilterForm(forms.Form):
    """The directory's search and filters. They combine, live in the URL, and a bad value is
    reported next to its field while the valid ones still apply."""

    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=100,
        help_text=_("Un nom, une activité… Les accents et les majuscules ne comptent pas."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        error_messages={"max_length": _("Recherche trop longue : %(limit_value)d caractères au plus.")},
    )
    secteur = forms.ModelChoiceField(
        label=_("Secteur"),
        queryset=Sector.objects.all(),
        to_field_name="slug",
        empty_label=_("Tous les secteurs"),
        required=False,
        error_messages={"invalid_choice": _("Ce secteur n'existe pas.")},
    )
    commune = CommuneFilterField()
    forme = forms.ChoiceField(
        label=_("Forme juridique"),
        choices=[("", _("Toutes les formes")), *LegalForm.choices],
        required=False,
        error_messages={"invalid_choice": _("Cette forme juridique n'existe pas.")},
    )

    def __init__(self, *args, territory=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].scope_to_territory(territory)

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())
