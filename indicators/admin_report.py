"""The steering committee's report in the admin (menu "Rapport du comité de pilotage").

/admin/plan-d-actions/rapport-comite/                  the form (plan, years, commune) and the
                                                        reports the organiser asked for
/admin/plan-d-actions/rapport-comite/<id>/rapport.pdf  a built report, for its requester only

One year is built at once and downloaded; a longer period is built in the background and
its requester emailed a link (indicators/services_report.py). All of it needs the right to
view action plans, which organisers hold; an admin user without it gets a 403 in the
admin's layout.
"""

from django import forms
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from territory.access import territories_for
from territory.models import Commune

from .admin_dashboard import plans_for
from .models_reports import SteeringReport, SteeringReportStatus
from .services_report import DOWNLOAD_URL, REPORT_PERMISSION, ReportError, report_filename, request_steering_report

PAGE_URL = "indicators_steering_report"
SHOWN_REPORTS = 20


def forbidden(request):
    """A 403 in the admin's layout: Wagtail would turn PermissionDenied into a redirect home."""
    return render(request, "indicators/report/forbidden.html", {"page_title": _("Accès refusé")}, status=403)


class SteeringReportForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Plan d'actions"),
        queryset=None,
        error_messages={"invalid_choice": gettext_lazy("Choisissez un plan d'actions de la liste.")},
    )
    first_year = forms.IntegerField(label=gettext_lazy("De l'année"), min_value=1900, max_value=2200)
    last_year = forms.IntegerField(
        label=gettext_lazy("À l'année (incluse)"),
        min_value=1900,
        max_value=2200,
        help_text=gettext_lazy(
            "Une seule année : le rapport est téléchargé aussitôt. Plusieurs années : il est préparé "
            "en arrière-plan et vous recevez un courriel quand il est prêt."
        ),
    )
    commune = forms.ModelChoiceField(
        label=gettext_lazy("Commune"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Tout le territoire"),
        help_text=gettext_lazy("Facultatif : seulement les événements tenus dans cette commune."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The plans and communes of the territories the organiser acts for, no other.
        self.fields["plan"].queryset = plans_for(user)
        self.fields["commune"].queryset = Commune.objects.filter(territory__in=territories_for(user)).order_by("name")
        self.fields["first_year"].widget.attrs["inputmode"] = "numeric"
        self.fields["last_year"].widget.attrs["inputmode"] = "numeric"


def initial_values(user) -> dict:
    """The plan in force this year and this year, the usual report before a committee."""
    year = timezone.localdate().year
    plan = plans_for(user).in_force(year)
    if plan is None:
        return {"first_year": year, "last_year": year}
    return {"plan": plan, "first_year": year, "last_year": year}


class SteeringReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "indicators/report/steering_report.html"
    page_title = gettext_lazy("Rapport du comité de pilotage")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(REPORT_PERMISSION):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = (
            SteeringReport.objects.filter(requested_by=self.request.user)
            .select_related("plan", "commune")
            .order_by("-requested_at", "-pk")[:SHOWN_REPORTS]
        )
        context.update(
            form=form or SteeringReportForm(initial=initial_values(self.request.user), user=self.request.user),
            reports=reports,
            ready=SteeringReportStatus.READY,
            failed=SteeringReportStatus.FAILED,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = SteeringReportForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome = request_steering_report(
                    data["plan"], data["first_year"], data["last_year"], commune=data["commune"], by=request.user
                )
            except ReportError as error:
                form.add_error(error.field, error.message)
            else:
                if outcome.pdf is not None:
                    response = HttpResponse(outcome.pdf, content_type="application/pdf")
                    response["Content-Disposition"] = f'attachment; filename="{outcome.filename}"'
                    response["Cache-Control"] = "private, no-store"
                    return response
                messages.success(
                    request,
                    _(
                        "Le rapport %(period)s est en préparation : vous recevrez un courriel à %(email)s "
                        "dès qu'il sera prêt. Il apparaîtra aussi dans la liste ci-dessous."
                    )
                    % {"period": outcome.report.period_label, "email": request.user.email},
                )
                return redirect(PAGE_URL)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def download_view(request, pk: int):
    if not request.user.has_perm(REPORT_PERMISSION):
        return forbidden(request)
    # Another organiser's report is not found: each one reaches only what they asked for.
    reports = SteeringReport.objects.filter(requested_by=request.user, status=SteeringReportStatus.READY)
    report = get_object_or_404(reports.select_related("plan", "commune"), pk=pk)
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report_filename(report.plan, report.first_year, report.last_year, report.commune),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


class SteeringReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(REPORT_PERMISSION)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("plan-d-actions/rapport-comite/", SteeringReportView.as_view(), name=PAGE_URL),
        path("plan-d-actions/rapport-comite/<int:pk>/rapport.pdf", download_view, name=DOWNLOAD_URL),
    ]


@hooks.register("register_admin_menu_item")
def register_report_menu_item():
    # Right after the "Plan d'actions" menu (order 210, indicators/wagtail_hooks.py).
    return SteeringReportMenuItem(
        gettext_lazy("Rapport du comité de pilotage"),
        reverse(PAGE_URL),
        name="steering-report",
        icon_name="doc-full",
        order=211,
    )
