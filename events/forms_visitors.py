"""The self check-in form at the stands: three optional questions and a honeypot."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import AgeBracket, VisitorCheckIn, VisitorRole
from events.services.visitors import VisitorAnswers

OUTSIDE_TERRITORY = "hors-territoire"
NO_ANSWER = ("", _("Je préfère ne pas répondre"))


class VisitorAnswersForm(forms.Form):
    """Selects rather than radio buttons: on a phone a native picker takes one line each."""

    commune = forms.ChoiceField(label=_("J'habite à…"), required=False)
    age_bracket = forms.ChoiceField(label=_("Mon âge"), required=False, choices=[NO_ANSWER, *AgeBracket.choices])
    role = forms.ChoiceField(label=_("Je suis…"), required=False, choices=[NO_ANSWER, *VisitorRole.choices])
    # Honeypot: hidden from people (and from screen readers), filled in by form-spamming bots.
    website = forms.CharField(label=_("Laissez ce champ vide"), required=False)

    def __init__(self, *args, communes, **kwargs):
        kwargs.setdefault("label_suffix", "")  # "J'habite à… :" reads badly
        super().__init__(*args, **kwargs)
        # INSEE codes rather than primary keys: stable from one database to another.
        self.communes = {commune.insee_code: commune for commune in communes}
        self.fields["commune"].choices = [
            NO_ANSWER,
            *((code, commune.name) for code, commune in self.communes.items()),
            (OUTSIDE_TERRITORY, _("Hors du territoire")),
        ]
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @classmethod
    def initial_for(cls, visit: VisitorCheckIn | None) -> dict:
        """The form pre-filled with a device's earlier answers, so it can change them."""
        if visit is None:
            return {}
        if visit.home_commune_id:
            commune = visit.home_commune.insee_code
        else:
            commune = OUTSIDE_TERRITORY if visit.outside_territory else ""
        return {"commune": commune, "age_bracket": visit.age_bracket, "role": visit.role}

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def answers(self) -> VisitorAnswers:
        commune = self.cleaned_data["commune"]
        return VisitorAnswers(
            home_commune=self.communes.get(commune),
            outside_territory=commune == OUTSIDE_TERRITORY,
            age_bracket=self.cleaned_data["age_bracket"],
            role=self.cleaned_data["role"],
        )
