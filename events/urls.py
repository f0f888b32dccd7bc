"""Public and staff URLs of the events app, outside the Wagtail page tree.

Each views module owns its own patterns: registrations and tickets, the check-in app,
visitor self check-in at the stands.
"""

from .views import checkin, registrations, visitors

urlpatterns = [*registrations.urlpatterns, *checkin.urlpatterns, *visitors.urlpatterns]
