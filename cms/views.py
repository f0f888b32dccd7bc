from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from territory.models import Organisation


@never_cache
def healthz(request):
    """Liveness for the reverse proxy and monitoring: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": "ok"})


def organisation_list(request):
    organisations = Organisation.objects.published().select_related("commune").order_by("name")
    return render(request, "cms/organisation_list.html", {"organisations": organisations})


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.published().select_related("commune", "logo"), slug=slug)
    return render(request, "cms/organisation_detail.html", {"organisation": organisation})
