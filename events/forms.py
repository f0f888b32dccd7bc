import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from territory.forms import CommuneFilterField

from .models import EventKind

WHEN_CHOICES = [("upcoming", _("À venir")), ("past", _("Passés"))]


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

    def __init__(self, *args, territory=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].scope_to_territory(territory)

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
