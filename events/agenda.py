"""The agenda's query: filters from the URL applied to the live, public event pages."""

from django.core.paginator import Paginator
from django.utils import timezone

from territory.models import Territory

from .forms import AgendaFilterForm
from .models import EventPage


def filtered_events(form: AgendaFilterForm, now=None, within=None):
    """Live public events matching the form's valid filters, in date order (latest first for the past).

    `within`: the page whose descendants are listed (an agenda lists its own site's events:
    each territory has its site, docs/decisions.md).
    """
    now = now or timezone.now()
    events = EventPage.objects.live().public().for_listing()
    if within is not None:
        events = events.descendant_of(within)
    # After validation, cleaned_data holds only the fields that were valid: a bad month
    # is reported by the form and ignored here, while the other filters still apply.
    data = form.cleaned_data
    if data.get("kind"):
        events = events.of_kind(data["kind"])
    if data.get("commune"):
        events = events.in_commune(data["commune"])
    month = data.get("month")
    if month:
        events = events.in_month(month.year, month.month)
    elif data.get("when") == "past":
        events = events.past(now).order_by("-start", "-pk")
    else:
        events = events.upcoming(now)
    return events


def agenda_context(page, request) -> dict:
    form = AgendaFilterForm(request.GET or None, territory=Territory.for_request(request))
    if form.is_bound:
        form.is_valid()
    else:
        form.cleaned_data = {}
    events = filtered_events(form, within=page)
    paginator = Paginator(events, page.paginate_by)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The upcoming/past switch keeps the kind and commune but drops the month, which
    # would otherwise override the period.
    period_query = query.copy()
    for key in ("month", "when"):
        period_query.pop(key, None)
    upcoming_query = period_query.urlencode()
    period_query["when"] = "past"
    return {
        "filter_form": form,
        "events": page_obj.object_list,
        "page_obj": page_obj,
        "filter_query": query.urlencode(),
        "showing_past": form.cleaned_data.get("when") == "past" and not form.cleaned_data.get("month"),
        "month": form.cleaned_data.get("month"),
        "upcoming_query": upcoming_query,
        "past_query": period_query.urlencode(),
    }
