"""Being written (placeholders until the module lands)."""

from django.http import Http404


def badge(request, *args, **kwargs):
    raise Http404

