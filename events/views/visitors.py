"""Views: see events/urls.py."""

urlpatterns: list = []
