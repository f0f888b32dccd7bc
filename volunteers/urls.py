"""The volunteers' pages, under /benevolat/ (whose own page is a Wagtail page: no empty path here),
and the organisations' missions, under /espace-structure/ (`organisation_urlpatterns`, namespace
"organisations": reverse("organisations:missions", args=[organisation.pk]))."""

from django.urls import path

from .views import accounts, calendar, map, missions, organisation_missions, presence

app_name = "volunteers"

urlpatterns = [
    path("inscription/", accounts.signup, name="signup"),
    path("confirmer/<str:uidb64>/<str:token>/", accounts.confirm, name="confirm"),
    path("profil/", accounts.profile, name="profile"),
    path("profil/absences/", accounts.add_away_period, name="add_away_period"),
    path("profil/absences/<int:period_id>/supprimer/", accounts.remove_away_period, name="remove_away_period"),
    path("mes-donnees.json", accounts.export, name="export"),
    path("supprimer-mon-compte/", accounts.delete_account, name="delete_account"),
    path("compte-supprime/", accounts.deleted, name="deleted"),
    path("creneaux/", accounts.shifts, name="shifts"),
    path("creneaux/<int:shift_id>/inscription/", accounts.take_shift, name="take_shift"),
    path("creneaux/inscriptions/<int:signup_id>/annuler/", accounts.give_back_shift, name="give_back_shift"),
    # Missions, for the volunteer
    path("missions/", missions.for_me, name="missions"),
    path("missions/<int:mission_id>/", missions.detail, name="mission"),
    path("missions/<int:mission_id>/candidater/", missions.apply, name="apply"),
    path("mes-missions/", missions.mine, name="my_matches"),
    path("mes-missions/<int:match_id>/repondre/", missions.answer_mine, name="answer_mine"),
    path("mes-missions/<int:match_id>/retirer/", missions.withdraw, name="withdraw_match"),
    path("propositions/<int:match_id>/<str:token>/", missions.answer_proposal, name="answer_proposal"),
    # The private calendar feed
    path("calendrier/<int:profile_id>/<str:token>/benevolat.ics", calendar.feed, name="feed"),
    path("calendrier/renouveler/", calendar.renew, name="renew_feed"),
    # The map
    path("carte/", map.volunteer_map, name="map"),
    # Presence: the badge's QR code opens this page on the staff's phone
    path("presence/<int:signup_id>/<str:token>/", presence.badge, name="badge"),
]

organisation_urlpatterns = [
    path("<int:organisation_id>/missions/", organisation_missions.missions, name="missions"),
    path("<int:organisation_id>/missions/nouvelle/", organisation_missions.create, name="mission_create"),
    path(
        "<int:organisation_id>/missions/<int:mission_id>/",
        organisation_missions.edit,
        name="mission_edit",
    ),
    path(
        "<int:organisation_id>/missions/<int:mission_id>/candidatures/<int:match_id>/",
        organisation_missions.decide,
        name="application_decide",
    ),
]
