"""The shift form of the admin: never more volunteers than places, and a shift inside a sensible span."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm


class ShiftForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("La fin du créneau doit suivre son début."))
        from .models import ShiftSignupStatus  # the models module imports this form

        signups = self.formsets.get("signups")
        capacity = cleaned.get("capacity")
        if signups is not None and capacity is not None and signups.is_valid():
            kept = [
                form
                for form in signups.forms
                if form.cleaned_data
                and not form.cleaned_data.get("DELETE")
                and form.cleaned_data.get("status", ShiftSignupStatus.CONFIRMED) == ShiftSignupStatus.CONFIRMED
            ]
            if len(kept) > capacity:
                raise ValidationError(
                    _(
                        "%(count)s bénévoles inscrits pour %(capacity)s places : augmentez les places ou retirez quelqu'un."
                    )
                    % {"count": len(kept), "capacity": capacity}
                )
        return cleaned
