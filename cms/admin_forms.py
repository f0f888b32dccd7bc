"""Forms of the Wagtail admin itself (see WAGTAILADMIN_USER_LOGIN_FORM in the settings)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class OrganiserLoginForm(LoginForm):
    """Wagtail's login form, with a translatable label on the password field.

    Wagtail declares that field without a label, so Django prints its name, "Password",
    in English on an otherwise French sign-in page.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Mot de passe")
