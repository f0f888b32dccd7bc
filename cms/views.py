from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from territory.models import Organisation, Sector, Territory

from .forms import OrganisationFilterForm
from .search import Folded, matching_words


@login_required
def after_login(request):
    """Where /compte/login/ sends a person without a `next`: to what they came for.

    One login page serves organisers, organisations' contacts and volunteers; an account can be
    several of these (a volunteer who is also an association's contact goes to its space).
    """
    user = request.user
    if user.organisations.exists():
        return redirect("organisation_space")
    if hasattr(user, "volunteer_profile"):
        return redirect("volunteers:missions")
    if user.has_perm("wagtailadmin.access_admin"):
        return redirect("wagtailadmin_home")
    return redirect("/")


@never_cache
def healthz(request):
    """Liveness for the reverse proxy and monitoring: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": "ok"})


def filtered_organisations(form: OrganisationFilterForm, territory: Territory | None = None):
    """Published organisations of the territory matching the form's valid filters, ready for a list page.

    After validation, cleaned_data holds only the valid fields: a bad value is reported by
    the form and ignored here, while the other filters still apply.
    """
    organisations = (
        Organisation.objects.published()
        .select_related("commune", "logo")
        # Renditions ride along with the logos, so a cold rendition cache does not cost a query per card.
        .prefetch_related(Prefetch("sectors", queryset=Sector.objects.order_by("name")), "logo__renditions")
        # Folded, so "Épicerie" sorts with the E's and not after the Z's as bytes would.
        .order_by(Folded("name"), "pk")
    )
    # Each territory's site lists its own organisations (as its home page counts them).
    if territory is not None:
        organisations = organisations.in_territory(territory)
    data = form.cleaned_data
    if data.get("q"):
        organisations = matching_words(organisations, data["q"], ["name", "summary", "description"])
    if data.get("secteur"):
        organisations = organisations.filter(sectors=data["secteur"])
    if data.get("commune"):
        organisations = organisations.filter(commune=data["commune"])
    if data.get("forme"):
        organisations = organisations.filter(legal_form=data["forme"])
    return organisations


class OrganisationListView(ListView):
    """/acteurs/: the directory of the territory's ESS organisations."""

    template_name = "cms/organisation_list.html"
    context_object_name = "organisations"
    paginate_by = 24

    def get(self, request, *args, **kwargs):
        self.territory = Territory.for_request(request)
        self.filter_form = OrganisationFilterForm(request.GET or None, territory=self.territory)
        if self.filter_form.is_bound:
            self.filter_form.is_valid()
        else:
            self.filter_form.cleaned_data = {}
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return filtered_organisations(self.filter_form, self.territory)

    def paginate_queryset(self, queryset, page_size):
        # A stale or hand-typed page number lands on the nearest page instead of a 404,
        # as in the agenda.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        data = self.filter_form.cleaned_data
        return super().get_context_data(
            filter_form=self.filter_form,
            filter_query=query.urlencode(),
            is_filtered=any(data.get(name) for name in self.filter_form.fields),
            **kwargs,
        )


class OrganisationDetailView(DetailView):
    """/acteurs/<slug>/: an organisation's portrait. Unpublished ones do not exist for the public."""

    template_name = "cms/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        return (
            Organisation.objects.published()
            .select_related("commune", "logo")
            .prefetch_related(Prefetch("sectors", queryset=Sector.objects.order_by("name")))
        )

    def get_context_data(self, **kwargs):
        upcoming = self.object.hosted_breakfasts.live().public().upcoming().for_listing()
        return super().get_context_data(upcoming_events=list(upcoming[:6]), **kwargs)


organisation_list = OrganisationListView.as_view()
organisation_detail = OrganisationDetailView.as_view()
