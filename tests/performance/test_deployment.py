"""What lets the site run on several machines: media storage chosen by the environment, and
static files that a CDN and browsers may keep for a year (issue 7)."""

import json
import re
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

SETTINGS = Path(__file__).resolve().parents[2] / "config" / "settings.py"


def settings_with(monkeypatch, **environ):
    """config/settings.py evaluated afresh under `environ` (nothing is contacted)."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", "test-only")
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_media_on_the_filesystem_by_default(settings, monkeypatch):
    assert settings_with(monkeypatch)["STORAGES"]["default"]["BACKEND"].endswith(
        "FileSystemStorage"
    )
    name = default_storage.save("images/2026/01/chart.png", ContentFile(b"\x89PNG data"))
    assert (Path(settings.MEDIA_ROOT) / name).read_bytes() == b"\x89PNG data"
    assert default_storage.url(name) == f"/media/{name}"
    default_storage.delete(name)
    assert not default_storage.exists(name)


def test_media_on_s3_compatible_storage(monkeypatch):
    from storages.backends.s3 import S3Storage

    config = settings_with(
        monkeypatch,
        DJANGO_MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="modelpress-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9",  # never contacted
    )["STORAGES"]["default"]
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    storage = S3Storage(**config["OPTIONS"])
    assert storage.bucket_name == "modelpress-media"
    assert storage.url("images/chart.png") == "http://127.0.0.1:9/modelpress-media/images/chart.png"


def test_s3_storage_without_a_bucket_refuses_to_start(monkeypatch):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        settings_with(monkeypatch, DJANGO_MEDIA_STORAGE="s3")


def test_static_files_are_hashed_compressed_and_cached_for_a_year(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", "-v0")
    manifest = json.loads((settings.STATIC_ROOT / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    assert (settings.STATIC_ROOT / f"{hashed}.gz").exists()

    response = Client().get(f"/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert max_age >= 365 * 24 * 3600
    assert "immutable" in response["Cache-Control"]
