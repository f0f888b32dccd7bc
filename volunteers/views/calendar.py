"""Being written (placeholders until the module lands)."""

from django.http import Http404


def feed(request, *args, **kwargs):
    raise Http404


def renew(request, *args, **kwargs):
    raise Http404

