"""/benevolat/carte/: the public map of volunteering offers and demands, commune by commune.

Public, no login. The list is the page; the Leaflet map (static/js/volunteer-map.js) is an
enhancement drawn from the same figures. volunteers/map.py decides what is shown.
"""

from django.conf import settings
from django.shortcuts import render

from territory.models import Territory

from .. import map as volunteer_maps
from ..forms import MapFilterForm
from ..models import Skill


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
