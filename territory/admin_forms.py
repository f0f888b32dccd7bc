"""Forms of the territory snippets in the Wagtail admin (see wagtail_hooks.py)."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class TerritoryScopedChoicesMixin:
    """For a WagtailAdminModelForm: the `commune` field offers the user's territories' communes only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self, "for_user", None) is not None and "commune" in self.fields:
            from .access import territories_for

            field = self.fields["commune"]
            field.queryset = field.queryset.filter(territory__in=territories_for(self.for_user))


class SlugFromNameForm(TerritoryScopedChoicesMixin, WagtailAdminModelForm):
    """Leaves the slug optional: a blank one is made from the name.

    Organisers think in names; the slug only matters in URLs. The generated slug goes
    through the model's uniqueness check like a typed one, so a clash is reported on
    the field instead of failing in the database.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Laisser vide : il est tiré du nom.")

    def clean(self):
        cleaned_data = super().clean()
        if "slug" in self.fields and not cleaned_data.get("slug") and cleaned_data.get("name"):
            max_length = self._meta.model._meta.get_field("slug").max_length
            cleaned_data["slug"] = slugify(cleaned_data["name"])[:max_length]
        return cleaned_data


class VenueForm(TerritoryScopedChoicesMixin, WagtailAdminModelForm):
    """Shows Venue.clean()'s errors next to the field they are about.

    Venue.clean() raises its recurrence and opening-hours errors without naming a field,
    so a plain model form lists them only in the banner at the top of the page; moved
    here onto the field, the organiser sees the French message where the mistake is.
    """

    def _post_clean(self):
        super()._post_clean()
        errors = self._errors.pop(NON_FIELD_ERRORS, None)
        if not errors:
            return
        for error in errors.as_data():
            self.add_error(self._field_for(error.code), error)

    def _field_for(self, code: str | None) -> str | None:
        if code == "invalid_recurrence":
            return "recurrence"
        if code == "missing_hours":
            if self.cleaned_data.get("opens_at") is None:
                return "opens_at"
            return "closes_at"
        return None
