import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from territory.models import Commune

from .models import EventKind

WHEN_CHOICES = [("upcoming", _("À venir")), ("past", _("Passés"))]


class AgendaFilterForm(forms.Form):
    """The agenda's filters. They combine, live in the URL, and a bad value is reported, not fatal."""

    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("Tous les types")), *EventKind.choices], required=False)
    commune = forms.ModelChoiceField(
        label=_("Commune"),
        queryset=Commune.objects.none(),
        to_field_name="insee_code",
        empty_label=_("Toutes les communes"),
        required=False,
        error_messages={"invalid_choice": _("Cette commune n'est pas dans le territoire.")},
    )
    month = forms.CharField(
        label=_("Mois"),
        required=False,
        help_text=_("Au format AAAA-MM, par exemple 2026-03."),
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "AAAA-MM"}),
    )
    when = forms.ChoiceField(label=_("Période"), choices=WHEN_CHOICES, required=False)

    def __init__(self, *args, territory=None, **kwargs):
        super().__init__(*args, **kwargs)
        communes = Commune.objects.all()
        if territory is not None:
            communes = communes.in_territory(territory)
        self.fields["commune"].queryset = communes.only("insee_code", "name")

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
