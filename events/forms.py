import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from territory.forms import CommuneFilterField

from .models import EventKind

WHEN_CHOICES = [("upcoming", _("À venir")), ("past", _("Passés"))]

# The agenda's three views; their values live in printed and shared URLs (?vue=mois).
LIST_VIEW, MONTH_VIEW, MAP_VIEW = "liste", "mois", "carte"
VIEW_CHOICES = [(LIST_VIEW, _("Liste")), (MONTH_VIEW, _("Mois")), (MAP_VIEW, _("Carte"))]


class AgendaFilterForm(forms.Form):
    """The agenda's filters. They combine, live in the URL, and a bad value is reported, not fatal."""

    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("Tous les types")), *EventKind.choices], required=False)
    commune = CommuneFilterField()
    month = forms.CharField(
        label=_("Mois"),
        required=False,
        help_text=_("Au format AAAA-MM, par exemple 2026-03."),
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "AAAA-MM"}),
    )
    when = forms.ChoiceField(label=_("Période"), choices=WHEN_CHOICES, required=False)
    # Chosen with the view switch's links, not a field of the form (it travels as a hidden input).
    vue = forms.ChoiceField(
        label=_("Affichage"),
        choices=VIEW_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": _("Affichage inconnu : choisissez la liste, le mois ou la carte. Voici la liste.")
        },
    )

    def __init__(self, *args, territory=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].scope_to_territory(territory)

    def clean_vue(self) -> str:
        return self.cleaned_data["vue"] or LIST_VIEW

    @property
    def view(self) -> str:
        """The view to show: the list when none or a bad one was asked for."""
        return getattr(self, "cleaned_data", {}).get("vue") or LIST_VIEW

    def clean_month(self) -> dt.date | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(
                _("Mois illisible : indiquez-le sous la forme AAAA-MM, par exemple 2026-03."), code="invalid_month"
            ) from None
