from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Bénévolat"

    def ready(self):
        from . import emails, signals  # noqa: F401 - connect the receivers, register the email builders
