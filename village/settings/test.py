"""The test suite: fast hashing, in-memory cache and mail, tasks run in-process."""

from .base import *  # noqa: F403
from .base import Q_CLUSTER

SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = SITE_URL = "http://testserver"

# SQLite: a test database in a file rather than in memory, so that the threads of the
# concurrency tests (tests/events/test_registration_concurrency.py) share it through
# their own connections and SQLite's write lock, as the web workers do in production.
# One file per test process: several runs of the suite may share the machine.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"village-test-{os.getpid()}.sqlite3")
    }

# No map tiles in tests: the browser tests must not fetch anything from the internet
# (static/js/tour-map.js draws the markers without a tile layer when this is empty).
MAP_TILE_URL = ""
