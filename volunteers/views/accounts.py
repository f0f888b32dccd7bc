"""The volunteers' own pages: sign-up, confirmation, profile, and their RGPD rights.

/benevolat/inscription/                     create an account (confirmed by email)
/benevolat/confirmer/<uidb64>/<token>/      the email's link: activates and logs in
/benevolat/profil/                          the offer: commune, distance, skills, week, consents
/benevolat/profil/absences/ (+ <id>/supprimer/)  away periods
/benevolat/mes-donnees.json                 everything about the person (right of access)
/benevolat/supprimer-mon-compte/            erasure, with the password
/benevolat/creneaux/ (+ <id>/inscription/, <signup>/annuler/)  shifts: take a place, give it back
"""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.views.registrations import _over_rate_limit
from territory.models import Territory

from .. import services
from .. import shifts as shift_service
from ..forms import AwayPeriodForm, DeleteAccountForm, ProfileForm, SignupForm
from ..models import ShiftSignup, ShiftSignupStatus, VolunteerProfile
from ..services import VolunteerError
from .calendar import feed_url


def _no_store(response):
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None, territory=Territory.for_request(request))
    status = 200
    if request.method == "POST":
        if _over_rate_limit(request, "volunteer_signup"):
            form.is_valid()
            form.add_error(None, _("Trop d'inscriptions depuis votre connexion : réessayez dans quelques minutes."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.sign_up(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    password=data["password"],
                    home_commune=data["home_commune"],
                )
            except VolunteerError as error:
                form.add_error("email", error.message)
            else:
                return render(request, "volunteers/signup_sent.html", {"email": data["email"]})
    return render(request, "volunteers/signup.html", {"form": form}, status=status)


def confirm(request, uidb64: str, token: str):
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "volunteers/confirm_invalid.html", status=404)
    if not user.is_active:
        services.confirm_account(user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Votre compte est activé. Complétez votre profil de bénévole."))
    return redirect("volunteers:profile")


def _profile_of(user) -> VolunteerProfile | None:
    return VolunteerProfile.objects.filter(user=user).select_related("home_commune").first()


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    volunteer = _profile_of(request.user)
    if volunteer is None:
        return render(request, "volunteers/no_profile.html")
    if request.method == "POST":
        form = ProfileForm(request.POST, territory=Territory.for_request(request))
        if form.is_valid():
            try:
                services.save_profile(volunteer, **form.service_arguments())
            except VolunteerError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Votre profil est enregistré."))
                return redirect("volunteers:profile")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(volunteer), territory=Territory.for_request(request))
    return _render_profile(request, volunteer, form, AwayPeriodForm())


def _render_profile(request, volunteer, form, away_form, status=200):
    context = {
        "profile": volunteer,
        "form": form,
        "away_form": away_form,
        "away_periods": volunteer.away_periods.all(),
        "feed_url": feed_url(request, volunteer),
    }
    return _no_store(render(request, "volunteers/profile.html", context, status=status))


@login_required
@require_POST
def add_away_period(request):
    volunteer = _profile_of(request.user)
    if volunteer is None:
        raise Http404
    away_form = AwayPeriodForm(request.POST)
    if away_form.is_valid():
        try:
            services.add_away_period(volunteer, away_form.cleaned_data["start"], away_form.cleaned_data["end"])
        except VolunteerError as error:
            away_form.add_error("end", error.message)
        else:
            messages.success(request, _("L'absence est enregistrée."))
            return redirect("volunteers:profile")
    form = ProfileForm(initial=ProfileForm.initial_for(volunteer), territory=Territory.for_request(request))
    return _render_profile(request, volunteer, form, away_form)


@login_required
@require_POST
def remove_away_period(request, period_id: int):
    volunteer = _profile_of(request.user)
    if volunteer is None or not services.remove_away_period(volunteer, period_id):
        raise Http404
    messages.success(request, _("L'absence est supprimée."))
    return redirect("volunteers:profile")


@login_required
def export(request):
    if _profile_of(request.user) is None:
        raise Http404
    data = services.export_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-benevole.json"'
    return _no_store(response)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    if _profile_of(request.user) is None:
        raise Http404
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.erase_volunteer(request.user)
            except VolunteerError as error:
                form.add_error(None, error.message)
            else:
                logout(request)
                return redirect("volunteers:deleted")
    return _no_store(render(request, "volunteers/delete_account.html", {"form": form}))


def deleted(request):
    return render(request, "volunteers/deleted.html")


# Shifts ------------------------------------------------------------------------------------


def shifts(request):
    """/benevolat/creneaux/: the shifts still open, and the volunteer's own sign-ups."""
    open_shifts = list(shift_service.open_shifts())
    mine = {}
    if request.user.is_authenticated:
        mine = {
            signup.shift_id: signup
            for signup in ShiftSignup.objects.filter(
                user=request.user, status=ShiftSignupStatus.CONFIRMED, shift__in=open_shifts
            )
        }
    for shift in open_shifts:
        shift.my_signup = mine.get(shift.pk)
        shift.places_left = max(shift.capacity - shift.taken, 0)
    response = render(request, "volunteers/shifts.html", {"shifts": open_shifts})
    return _no_store(response) if request.user.is_authenticated else response


@login_required
@require_POST
def take_shift(request, shift_id: int):
    shift = get_object_or_404(shift_service.open_shifts(), pk=shift_id)
    try:
        shift_service.sign_up(request.user, shift)
    except shift_service.ShiftError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("C'est noté : vous êtes inscrit·e sur ce créneau. Merci !"))
    return redirect(f"{reverse('volunteers:shifts')}#creneau-{shift_id}")


@login_required
@require_POST
def give_back_shift(request, signup_id: int):
    signup = get_object_or_404(ShiftSignup, pk=signup_id, user=request.user)
    try:
        shift_service.cancel_signup(signup, request.user)
    except shift_service.ShiftError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Votre inscription est annulée : la place est libre pour quelqu'un d'autre."))
    return redirect(f"{reverse('volunteers:shifts')}#creneau-{signup.shift_id}")
