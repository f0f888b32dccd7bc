"""Being written (placeholders until the module lands)."""

from django.http import Http404


def for_me(request, *args, **kwargs):
    raise Http404


def detail(request, *args, **kwargs):
    raise Http404


def apply(request, *args, **kwargs):
    raise Http404


def mine(request, *args, **kwargs):
    raise Http404


def answer_mine(request, *args, **kwargs):
    raise Http404


def withdraw(request, *args, **kwargs):
    raise Http404


def answer_proposal(request, *args, **kwargs):
    raise Http404

