"""Being written (placeholders until the module lands)."""

from django.http import Http404


def missions(request, *args, **kwargs):
    raise Http404


def create(request, *args, **kwargs):
    raise Http404


def edit(request, *args, **kwargs):
    raise Http404


def decide(request, *args, **kwargs):
    raise Http404

