"""/benevolat/carte/: the public map of volunteering offers and demands, commune by commune.

Public, no login. The list is the page; the Leaflet map (static/js/volunteer-map.js) is an
enhancement drawn from the same figures. volunteers/map.py decides what is shown.
"""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from territory.forms import CommuneFilterField
from territory.models import Territory

from .. import map as volunteer_maps
from ..models import DayPart, Skill, Weekday


class MapFilterForm(forms.Form):
    """The map's filters. They live in the URL (a GET form, no JavaScript needed), combine,
    and a bad value is reported next to its field while the other filters still apply.

    Here rather than in forms.py because only this page uses it.
    """

    # A choice of slugs among the skills the view already read (one query for the form, its
    # validation and the map), rather than a ModelChoiceField that would query twice more.
    competence = forms.ChoiceField(
        label=_("Compétence"),
        required=False,
        error_messages={"invalid_choice": _("Cette compétence n'existe pas : choisissez-en une dans la liste.")},
    )
    jour = forms.TypedChoiceField(
        label=_("Jour"),
        choices=[("", _("Tous les jours")), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choisissez un jour de la liste.")},
    )
    moment = forms.TypedChoiceField(
        label=_("Moment de la journée"),
        choices=[("", _("Toute la journée")), *DayPart.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("Choisissez un moment de la journée de la liste.")},
    )
    commune = CommuneFilterField()

    def __init__(self, *args, skills: list[Skill], territory=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.skills = {skill.slug: skill for skill in skills}
        self.fields["competence"].choices = [
            ("", _("Toutes les compétences")),
            *((skill.slug, skill.name) for skill in skills),
        ]
        self.fields["commune"].scope_to_territory(territory)

    def clean_competence(self) -> Skill | None:
        return self.skills.get(self.cleaned_data["competence"])


def volunteer_map(request):
    territory = Territory.for_request(request)
    skills = list(Skill.objects.all())
    form = MapFilterForm(request.GET or None, skills=skills, territory=territory)
    if form.is_bound:
        form.is_valid()
    else:
        form.cleaned_data = {}
    # Only the valid filters are in cleaned_data: a bad one is reported and ignored.
    data = form.cleaned_data
    result = volunteer_maps.volunteer_map(
        skills=skills,
        territory=territory,
        skill=data.get("competence"),
        weekday=data.get("jour"),
        part=data.get("moment"),
        commune=data.get("commune"),
    )
    filtered = any(data.get(name) is not None for name in form.fields)
    context = {
        "filter_form": form,
        "filtered": filtered or bool(form.errors),
        "volunteer_map": result,
        "communes": result.communes,
        "map_points": result.map_points(),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "skill_counts_min": volunteer_maps.SKILL_COUNTS_MIN_VOLUNTEERS,
    }
    return render(request, "volunteers/map.html", context)
