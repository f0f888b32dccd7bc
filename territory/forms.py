"""Form pieces shared by every app that lets people pick a commune of the territory."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Commune


class CommuneFilterField(forms.ModelChoiceField):
    """An optional commune, chosen by INSEE code (the value that lives in filter URLs).

    The queryset starts empty: the form scopes it to the territory it shows
    (`scope_to_territory`), so a commune of another territory is a reported error.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Commune"))
        kwargs.setdefault("empty_label", _("Toutes les communes"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", {"invalid_choice": _("Cette commune n'est pas dans le territoire.")})
        super().__init__(queryset=Commune.objects.none(), to_field_name="insee_code", **kwargs)

    def scope_to_territory(self, territory) -> None:
        communes = Commune.objects.all() if territory is None else Commune.objects.in_territory(territory)
        self.queryset = communes.only("insee_code", "name")
