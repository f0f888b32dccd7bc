"""Public and staff URLs of the events app, outside the Wagtail page tree.

Each views module owns its own patterns: registrations and tickets, the check-in app,
visitor self check-in at the stands, the communes' visit requests, the ESS
organisations' space.
"""

from .views import checkin, organisations, registrations, village, visitors, visits

urlpatterns = [
    *registrations.urlpatterns,
    *checkin.urlpatterns,
    *visitors.urlpatterns,
    *visits.urlpatterns,
    *organisations.urlpatterns,
    *village.urlpatterns,
]
