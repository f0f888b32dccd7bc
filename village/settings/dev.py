"""Development: `make run`. Debug pages, emails written to var/mail/, a throw-away key."""

from .base import *  # noqa: F403
from .base import VAR_DIR, envstr

DEBUG = True
SECRET_KEY = envstr("SECRET_KEY", "dev-only-not-secret-0f7c6c2e9b")  # noqa: S105
# ".localhost": each territory's site on its own name (sambre-avesnois.localhost in the demo).
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "[::1]", "testserver"]
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
