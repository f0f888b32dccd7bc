from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site"

    def ready(self):
        from .search import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="cms.search.register_sqlite_function")
