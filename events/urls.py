"""Public and staff URLs of the events app, outside the Wagtail page tree.

Each views module owns its own patterns: registrations and tickets, the check-in app,
visitor self check-in at the stands, the communes' visit requests, the ESS
organisations' space.
"""

from .views import checkin, feeds, organisations, registrations, visitors, visits

urlpatterns = [
    *registrations.urlpatterns,
    *checkin.urlpatterns,
    *visitors.urlpatterns,
    *visits.urlpatterns,
    *organisations.urlpatterns,
    *feeds.urlpatterns,
]
