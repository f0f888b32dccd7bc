"""The public page of the plan's figures, mounted at /le-plan-en-chiffres/ (village/urls.py)."""

from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.plan_in_figures, name="plan_in_figures"),
]
