"""Test settings: the real settings with a fixed key and a fast password hasher.

The suite does not depend on the caller's environment: whatever DJANGO_* (or other setting)
the shell exports, e.g. `make serve`'s DJANGO_SECURE_SSL_REDIRECT=0, is dropped before the
real settings are read, and no `.env` is read, here or by the commands and servers tests
start. Only DATABASE_URL still chooses the database (and REDIS_URL, which only the tests
that need a Redis server read).
"""

import os

# The variables config/settings.py reads that tests must not inherit (DATABASE_URL and
# REDIS_URL aside); DJANGO_SETTINGS_MODULE and DJANGO_ALLOW_ASYNC_UNSAFE are the runner's.
KEPT = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
CALLERS = ("DJANGO_", "AWS_", "EMAIL_URL", "SITE_URL", "MEDIA_ROOT")
for name in [n for n in os.environ if n.startswith(CALLERS) and n not in KEPT]:
    del os.environ[name]
os.environ["MODELPRESS_ENV_FILE"] = ""  # no .env, for the commands and servers tests start
os.environ["DJANGO_SECRET_KEY"] = "tests-only-not-a-secret"
# The test client and live_server speak plain HTTP (as `make serve` does).
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
os.environ["DJANGO_TASKS"] = "immediate"

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    "generations": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "generations",
    },
}
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", "/tmp/modelpress-test-media"))  # noqa: F405
