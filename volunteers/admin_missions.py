"""The organisers' "Missions bénévoles" in the admin: the list, a mission's page and its moderation,
the mission form, and finding volunteers for a published mission.

/admin/missions-benevoles/                              every mission, those to moderate first
/admin/missions-benevoles/nouvelle/                     a new mission (published at once)
/admin/missions-benevoles/<pk>/                         the mission as posted; "Publier" and "Refuser"
/admin/missions-benevoles/<pk>/moderation/              the same page, named "moderate" (the emails link it)
/admin/missions-benevoles/<pk>/modifier/                the mission form
/admin/missions-benevoles/<pk>/benevoles/               "Trouver des bénévoles": the ranked volunteers,
                                                        the mission's proposals and applications
/admin/missions-benevoles/<pk>/benevoles/proposer/      POST: propose the mission to one volunteer
/admin/missions-benevoles/<pk>/mises-en-relation/<id>/  POST: accept or decline an application
/admin/missions-benevoles/<pk>/clore/                   POST: close the mission

Why our own create and edit views rather than Wagtail's model form with InlinePanels: a
mission is saved by volunteers.missions.save_mission, which checks the schedule, writes the
mission, its skills and its dates in one transaction, sets the status (an organiser's
mission is published at once), the territory, and what the matching filters on (masks,
slots, coordinates). Wagtail's edit view would save the mission and its inline rows
itself, then leave hooks to patch status and masks after the fact, outside the service's
transaction and its rules: two sets of rules that drift apart. Here MissionForm
(volunteers/admin_forms.py) checks what was typed with the service's own
validate_schedule and the view hands the result to save_mission.

Every decision goes through volunteers/missions.py; a refusal (MissionError) is shown as a
message or on its form field and nothing changes. An organiser reaches only the missions of
the territories they act for (`missions_for`, territory/access.py): another territory's
mission answers 404 on every page and action, and the form offers only their communes. Everything here needs
`volunteers.change_mission` (the "Organisateurs" group, cms/migrations/0006): an admin
user without it gets a 403 page, not Wagtail's redirect home.
"""

import functools

from django import forms
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from territory.access import territories_for
from territory.admin_views import FoldedSearchMixin
from territory.models import PARIS, Commune

from . import matching
from .admin_forms import MissionForm
from .missions import (
    MissionError,
    close_mission,
    decide_application,
    propose_mission,
    publish_mission,
    refuse_mission,
    save_mission,
)
from .models import (
    ACTIVE_MATCH_STATUSES,
    MatchKind,
    MatchStatus,
    Mission,
    MissionRhythm,
    MissionStatus,
    Skill,
)

CHANGE_PERMISSION = "volunteers.change_mission"
NAMESPACE = "volunteers_missions"
RANKED_VOLUNTEERS = 50
DAY_AND_HOUR = r"l j F Y, G \h i"
HOUR = r"G \h i"


def missions_for(user):
    """The missions the user may see and act on: those of the territories they act for."""
    return Mission.objects.filter(territory__in=territories_for(user))


def scoped_to(view, queryset_for):
    """Wrap a view of one object (`pk` in the URL) so that an object outside
    `queryset_for(user)` answers 404 before the view runs: Wagtail's generic views
    (delete, history, usage...) look their object up in the whole table."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None and not queryset_for(request.user).filter(pk=unquote(str(pk))).exists():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def mission_url(name: str, mission_id: int, *args) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=[mission_id, *args])


def forbidden(request):
    """A 403 in the admin's layout: Wagtail would turn PermissionDenied into a redirect home."""
    return render(
        request,
        "volunteers/admin/forbidden.html",
        {"page_title": _("Accès refusé"), "message": _("Votre compte n'a pas accès aux missions bénévoles.")},
        status=403,
    )


class OrganisersOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


def organisers_only(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapped


class MissionPermissionPolicy(ModelPermissionPolicy):
    """Every action on missions needs change_mission as well: seeing a mission is choosing
    volunteers for it, which is an organiser's job (the menu item follows)."""

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, "change") and super().user_has_permission(user, action)


def volunteer_name(user) -> str:
    if user is None:
        return _("Bénévole anonyme")
    return user.get_full_name() or user.email or user.username


def date_label(start, end) -> str:
    start, end = timezone.localtime(start, PARIS), timezone.localtime(end, PARIS)
    if start.date() == end.date():
        return f"{date_format(start, DAY_AND_HOUR)} – {date_format(end, HOUR)}"
    return f"{date_format(start, DAY_AND_HOUR)} – {date_format(end, DAY_AND_HOUR)}"


def schedule_lines(mission: Mission) -> list[str]:
    """When the mission needs someone, in words (its dates must be prefetched or cheap)."""
    if mission.rhythm == MissionRhythm.DATES:
        return [date_label(date.starts_at, date.ends_at) for date in mission.dates.all()]
    lines = [
        _("Chaque semaine, %(slots)s")
        % {"slots": matching.slot_phrase(mission.weekly_bits, limit=21) or _("sans moment précisé")}
    ]
    if mission.starts_on or mission.ends_on:
        lines.append(
            _("du %(start)s au %(end)s")
            % {
                "start": date_format(mission.starts_on, "j F Y") if mission.starts_on else "…",
                "end": date_format(mission.ends_on, "j F Y") if mission.ends_on else "…",
            }
        )
    return lines


# The list ---------------------------------------------------------------------------------------------


class MissionFilterSet(WagtailFilterSet):
    status = ChoiceFilter(label=gettext_lazy("Statut"), choices=MissionStatus.choices)
    commune = ModelChoiceFilter(
        label=gettext_lazy("Commune"),
        queryset=lambda request: (
            Commune.objects.filter(missions__isnull=False, territory__in=territories_for(request.user))
            .distinct()
            .order_by("name")
        ),
    )

    class Meta:
        model = Mission
        fields = []


class MissionIndexView(OrganisersOnlyMixin, FoldedSearchMixin, generic.IndexView):
    """Missions waiting for moderation come first, then the newest. Searched in the database,
    ignoring case and accents (see FoldedSearchMixin)."""

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(territory__in=territories_for(self.request.user))
            .select_related("organisation", "commune")
            .annotate(
                accepted=Count("matches", filter=Q(matches__status=MatchStatus.ACCEPTED)),
                to_moderate_last=Case(
                    When(status=MissionStatus.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
                ),
            )
        )

    def get_edit_url(self, instance):
        # The title opens the mission as posted, where it is moderated and its volunteers
        # found; editing is one button further (organisers mostly read, then act).
        return mission_url("inspect", instance.pk)

    def get_list_more_buttons(self, instance):
        buttons = [
            MenuItem(
                _("Modérer") if instance.status == MissionStatus.SUBMITTED else _("Voir la mission"),
                url=mission_url("inspect", instance.pk),
                icon_name="view",
                priority=5,
            ),
        ]
        if instance.status == MissionStatus.PUBLISHED:
            buttons.append(
                MenuItem(
                    _("Trouver des bénévoles"),
                    url=mission_url("volunteers", instance.pk),
                    icon_name="group",
                    priority=6,
                )
            )
        return buttons + list(super().get_list_more_buttons(instance))


def _volunteers_column(mission) -> str:
    return f"{mission.accepted} / {mission.volunteers_needed}"


# A mission's page and its moderation ------------------------------------------------------------------


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif du refus (envoyé à la structure)"),
        # The service requires it and words the message; the attribute lets the browser say so first.
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )


class MissionAdminView(OrganisersOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        self.mission_id = kwargs["pk"]
        return super().dispatch(request, *args, **kwargs)

    def get_mission(self):
        return get_object_or_404(
            missions_for(self.request.user).select_related(
                "organisation", "commune", "venue", "submitted_by", "moderated_by"
            ),
            pk=self.mission_id,
        )

    def get_page_subtitle(self):
        return self.mission.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{NAMESPACE}:index"), "label": capfirst(Mission._meta.verbose_name_plural)},
            {"url": mission_url("inspect", self.mission.pk), "label": self.mission.title},
            {"url": "", "label": self.get_page_title()},
        ]


class MissionDetailView(MissionAdminView):
    """The mission as posted, and for a submitted one the moderation: publish, or refuse with a reason."""

    template_name = "volunteers/admin/mission_detail.html"
    page_title = gettext_lazy("Mission bénévole")

    def dispatch(self, request, *args, **kwargs):
        self.refuse_form = None
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{NAMESPACE}:index"), "label": capfirst(Mission._meta.verbose_name_plural)},
            {"url": "", "label": self.mission.title},
        ]

    def get(self, request, *args, **kwargs):
        self.mission = self.get_mission()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.mission = self.get_mission()
        decision = request.POST.get("decision")
        try:
            if decision == "publish":
                publish_mission(self.mission, by=request.user)
                messages.success(
                    request, _("Mission publiée : les bénévoles la voient, et la structure est prévenue par courriel.")
                )
                return redirect(mission_url("volunteers", self.mission.pk))
            if decision == "refuse":
                form = RefuseForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                try:
                    refuse_mission(self.mission, by=request.user, reason=reason)
                except MissionError as error:
                    if error.field != "reason":
                        raise
                    form.add_error("reason", error.message)
                    self.refuse_form = form
                    messages.error(request, _("La mission n'a pas été refusée : indiquez un motif."))
                    return self.render_to_response(self.get_context_data(**kwargs), status=200)
                messages.success(request, _("Mission refusée : la structure reçoit le motif par courriel."))
                return redirect(mission_url("inspect", self.mission.pk))
        except MissionError as error:
            messages.error(request, error.message)
        return redirect(mission_url("inspect", self.mission.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mission = self.mission
        needs = list(mission.skill_needs.select_related("skill").order_by("skill__position", "skill__name"))
        submitted = mission.status == MissionStatus.SUBMITTED
        context.update(
            mission=mission,
            schedule=schedule_lines(mission),
            required_skills=[need.skill.name for need in needs if need.required],
            welcome_skills=[need.skill.name for need in needs if not need.required],
            submitted=submitted,
            refuse_form=(self.refuse_form or RefuseForm()) if submitted else None,
            moderate_url=mission_url("moderate", mission.pk),
            edit_url=mission_url("edit", mission.pk),
            volunteers_url=mission_url("volunteers", mission.pk),
        )
        return context


# The mission form -------------------------------------------------------------------------------------


class MissionFormView(OrganisersOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "volunteers/admin/mission_form.html"
    header_icon = "group"
    mission = None

    def get_form(self):
        return MissionForm(
            self.request.POST or None, mission=self.mission, territories=territories_for(self.request.user)
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        form = form or self.get_form()
        context.update(
            form=form,
            mission=self.mission,
            media=form.media + form.dates.media,
            list_url=reverse(f"{NAMESPACE}:index"),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            mission = form.apply_to(self.mission or Mission())
            try:
                mission = save_mission(mission, by=request.user, **form.service_arguments())
            except MissionError as error:
                form.add_service_error(error)
            else:
                messages.success(request, self.success_message(mission))
                if mission.status == MissionStatus.PUBLISHED:
                    return redirect(mission_url("volunteers", mission.pk))
                return redirect(mission_url("inspect", mission.pk))
        messages.error(request, _("La mission n'a pas été enregistrée : corrigez ce qui est signalé."))
        return self.render_to_response(self.get_context_data(form=form, **kwargs))

    def success_message(self, mission) -> str:
        raise NotImplementedError


class MissionCreateView(MissionFormView):
    page_title = gettext_lazy("Nouvelle mission bénévole")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{NAMESPACE}:index"), "label": capfirst(Mission._meta.verbose_name_plural)},
            {"url": "", "label": self.get_page_title()},
        ]

    def success_message(self, mission) -> str:
        return _("Mission « %(title)s » publiée : cherchez-lui des bénévoles ci-dessous.") % {"title": mission.title}


class MissionEditView(MissionFormView, MissionAdminView):
    page_title = gettext_lazy("Modifier la mission")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            return forbidden(request)
        self.mission = get_object_or_404(
            missions_for(request.user)
            .select_related("commune", "organisation", "venue")
            .prefetch_related("dates", "skill_needs"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def success_message(self, mission) -> str:
        return _("Mission « %(title)s » enregistrée.") % {"title": mission.title}


# Finding volunteers -----------------------------------------------------------------------------------


class ProposeForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=gettext_lazy("Message (facultatif)"), required=False, max_length=2000, widget=forms.Textarea
    )


class MissionVolunteersView(MissionAdminView):
    """The volunteers the matching ranks for the mission, and the mission's matches so far.

    A fixed number of queries whatever the number of volunteers and matches: the ranking
    is one query (volunteers/matching.py), the skills' names one, the matches one.
    """

    template_name = "volunteers/admin/mission_volunteers.html"
    page_title = gettext_lazy("Trouver des bénévoles")

    def get(self, request, *args, **kwargs):
        self.mission = get_object_or_404(
            missions_for(request.user).select_related("organisation", "commune", "venue").prefetch_related("dates"),
            pk=self.mission_id,
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mission = self.mission
        is_open = mission.status == MissionStatus.PUBLISHED
        matches = list(
            mission.matches.select_related("user__volunteer_profile__home_commune").order_by("-created_at", "-pk")
        )
        for match in matches:
            match.name = volunteer_name(match.user)
            profile = getattr(match.user, "volunteer_profile", None) if match.user else None
            match.commune = profile.home_commune.name if profile and profile.home_commune_id else ""
            match.can_decide = match.kind == MatchKind.APPLICATION and match.status == MatchStatus.PENDING
        in_touch = {match.user_id for match in matches if match.status in ACTIVE_MATCH_STATUSES}
        rows = []
        if is_open:
            skills = list(Skill.objects.order_by("position", "name").values_list("bit", "name"))
            wanted = mission.required_bits | mission.welcome_bits
            for candidate in matching.rank_volunteers(mission, limit=RANKED_VOLUNTEERS):
                profile = candidate.profile
                held = [(name, bool(wanted >> bit & 1)) for bit, name in skills if profile.skill_bits >> bit & 1]
                rows.append(
                    {
                        "candidate": candidate,
                        "user_id": profile.user_id,
                        "name": volunteer_name(profile.user),
                        "commune": profile.home_commune.name if profile.home_commune_id else "",
                        # Skills the mission asks for first.
                        "skills": sorted(held, key=lambda item: not item[1]),
                        "in_touch": profile.user_id in in_touch,
                    }
                )
        accepted = sum(1 for match in matches if match.status == MatchStatus.ACCEPTED)
        context.update(
            mission=mission,
            is_open=is_open,
            schedule=schedule_lines(mission),
            rows=rows,
            found=matching.candidates(mission).count() if is_open else 0,
            matches=matches,
            accepted=accepted,
            is_full=accepted >= mission.volunteers_needed,
            propose_url=mission_url("propose", mission.pk),
            close_url=mission_url("close", mission.pk),
            detail_url=mission_url("inspect", mission.pk),
            edit_url=mission_url("edit", mission.pk),
            can_close=mission.status == MissionStatus.PUBLISHED,
        )
        return context


@require_POST
@organisers_only
def propose_view(request, pk: int):
    mission = get_object_or_404(missions_for(request.user), pk=pk)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Proposition non envoyée : choisissez un·e bénévole dans la liste."))
        return redirect(mission_url("volunteers", mission.pk))
    user = get_object_or_404(get_user_model(), pk=form.cleaned_data["user"])
    try:
        propose_mission(mission, user, by=request.user, message=form.cleaned_data["message"])
    except MissionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Mission proposée à %(name)s : un courriel lui est envoyé avec les liens pour répondre.")
            % {"name": volunteer_name(user)},
        )
    return redirect(f"{mission_url('volunteers', mission.pk)}#mises-en-relation")


@require_POST
@organisers_only
def decide_view(request, pk: int, match_id: int):
    mission = get_object_or_404(missions_for(request.user), pk=pk)
    match = get_object_or_404(mission.matches.select_related("user"), pk=match_id)
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Choisissez d'accepter ou de décliner la candidature."))
        return redirect(f"{mission_url('volunteers', mission.pk)}#mises-en-relation")
    try:
        decide_application(match, accept=decision == "accept", by=request.user)
    except MissionError as error:
        messages.error(request, error.message)
    else:
        message = (
            _("Candidature de %(name)s acceptée : un courriel le lui dit.")
            if decision == "accept"
            else _("Candidature de %(name)s déclinée : un courriel le lui dit.")
        )
        messages.success(request, message % {"name": volunteer_name(match.user)})
    return redirect(f"{mission_url('volunteers', mission.pk)}#mises-en-relation")


@require_POST
@organisers_only
def close_view(request, pk: int):
    mission = get_object_or_404(missions_for(request.user), pk=pk)
    try:
        close_mission(mission, by=request.user)
    except MissionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Mission close : les propositions et candidatures en attente sont retirées."))
    return redirect(mission_url("inspect", mission.pk))


# The viewset ------------------------------------------------------------------------------------------


class MissionDeleteView(OrganisersOnlyMixin, generic.DeleteView):
    pass


class MissionViewSet(ModelViewSet):
    model = Mission
    icon = "group"
    menu_label = gettext_lazy("Missions bénévoles")
    menu_order = 332
    add_to_admin_menu = True
    name = NAMESPACE
    url_prefix = "missions-benevoles"
    index_view_class = MissionIndexView
    delete_view_class = MissionDeleteView
    copy_view_enabled = False
    filterset_class = MissionFilterSet
    search_fields = ["title"]
    list_per_page = 50
    ordering = ["to_moderate_last", "-created_at", "-pk"]
    list_display = [
        "title",
        Column("poster", label=gettext_lazy("Proposée par"), accessor="poster_name"),
        Column("commune", label=gettext_lazy("Commune"), accessor=lambda mission: mission.commune.name),
        Column("status", label=gettext_lazy("Statut"), accessor="get_status_display", sort_key="status"),
        Column("volunteers", label=gettext_lazy("Bénévoles acceptés / recherchés"), accessor=_volunteers_column),
        DateColumn("created_at", label=gettext_lazy("Créée le"), sort_key="created_at"),
    ]
    form_fields = ["title"]  # never shown: the add and edit views are ours (see the module's docstring)

    @property
    def permission_policy(self):
        return MissionPermissionPolicy(self.model)

    def construct_view(self, view_class, **kwargs):
        # Wagtail's delete, history and usage views: another territory's mission is not found.
        return scoped_to(super().construct_view(view_class, **kwargs), missions_for)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("nouvelle/", MissionCreateView.as_view(), name="add"),
            path("<int:pk>/", MissionDetailView.as_view(), name="inspect"),
            path("<int:pk>/moderation/", MissionDetailView.as_view(), name="moderate"),
            path("<int:pk>/modifier/", MissionEditView.as_view(), name="edit"),
            path("<int:pk>/supprimer/", self.delete_view, name="delete"),
            path("<int:pk>/utilisations/", self.usage_view, name="usage"),
            path("<int:pk>/historique/", self.history_view, name="history"),
            path("<int:pk>/historique/resultats/", self.history_results_view, name="history_results"),
            path("<int:pk>/benevoles/", MissionVolunteersView.as_view(), name="volunteers"),
            path("<int:pk>/benevoles/proposer/", propose_view, name="propose"),
            path("<int:pk>/mises-en-relation/<int:match_id>/", decide_view, name="decide"),
            path("<int:pk>/clore/", close_view, name="close"),
        ]


@hooks.register("register_admin_viewset")
def register_missions():
    return MissionViewSet()
