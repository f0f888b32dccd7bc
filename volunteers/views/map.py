"""Being written (placeholders until the module lands)."""

from django.http import Http404


def volunteer_map(request, *args, **kwargs):
    raise Http404

