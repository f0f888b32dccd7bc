"""What the public forms of every app share."""

from django import forms
from django.utils.translation import gettext_lazy as _


class HoneypotForm(forms.Form):
    """A public form with a honeypot: a field hidden from people (and from screen readers,
    see includes/honeypot styles) that form robots fill in. A filled honeypot is an error
    with the code "honeypot"; views answer it without storing anything (`is_bot`)."""

    honeypot_message = _("Votre envoi n'a pas pu être enregistré. Laissez vide le champ caché.")

    website = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Last, whatever the subclass declares: templates that loop over fields end with it.
        self.fields["website"] = self.fields.pop("website")

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise forms.ValidationError(self.honeypot_message, code="honeypot")
        return ""

    @property
    def is_bot(self) -> bool:
        return any(error.code == "honeypot" for error in self.errors.as_data().get("website", []))
