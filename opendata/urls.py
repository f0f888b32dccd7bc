"""/donnees-ouvertes/ (village/urls.py): the page, each dataset's CSV and JSON, and its schema."""

from django.urls import path, register_converter

from . import views


class FileExtension:
    regex = "csv|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FileExtension, "extension")

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    # Before the files: "evenements.schema.json" is no "<slug>.json" (a slug has no dot), but
    # the order says which address is which at a glance.
    path("<slug:slug>.schema.json", views.schema, name="schema"),
    path("<slug:slug>.<extension:extension>", views.download, name="download"),
]
