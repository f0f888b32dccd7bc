from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Événements"

    def ready(self):
        from events.ical import signals  # noqa: F401  (connects the fragments' invalidation)
