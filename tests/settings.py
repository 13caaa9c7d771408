"""Test settings: the real settings with a fixed key and a fast password hasher."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
# The test client and live_server speak plain HTTP (as `make serve` does).
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_TASKS", "immediate")

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
