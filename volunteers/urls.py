"""The volunteers' pages, under /benevolat/ (whose own page is a Wagtail page: no empty path here)."""

from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("confirmer/<str:uidb64>/<str:token>/", views.confirm, name="confirm"),
    path("profil/", views.profile, name="profile"),
    path("profil/absences/", views.add_away_period, name="add_away_period"),
    path("profil/absences/<int:period_id>/supprimer/", views.remove_away_period, name="remove_away_period"),
    path("mes-donnees.json", views.export, name="export"),
    path("supprimer-mon-compte/", views.delete_account, name="delete_account"),
    path("compte-supprime/", views.deleted, name="deleted"),
    path("creneaux/", views.shifts, name="shifts"),
    path("creneaux/<int:shift_id>/inscription/", views.take_shift, name="take_shift"),
    path("creneaux/inscriptions/<int:signup_id>/annuler/", views.give_back_shift, name="give_back_shift"),
]
