from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Bénévolat"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
