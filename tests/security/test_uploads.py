"""Hostile image uploads through the admin: each is refused with a form error, nothing stored."""

import io
import struct
import zlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from articles.models import Image
from tests.users import make_user


def png_bytes(size=(64, 48), color="teal"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(64, 48)):
    buffer = io.BytesIO()
    PILImage.effect_noise(size, 40).convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_claiming(width, height):
    """A tiny, well-formed PNG whose header claims `width` x `height` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + (_chunk(b"IEND", b""))
    )


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.domain)</script><rect width='10' height='10'/></svg>"
)
HOSTILE = {
    "svg with script": ("logo.svg", SVG_WITH_SCRIPT),
    "svg named png": ("logo.png", SVG_WITH_SCRIPT),
    "gif header then html": ("x.gif", b"GIF89a<html><script>alert(1)</script></html>"),
    "valid png with html after the end": (
        "x.png",
        png_bytes() + b"<html><body><script>alert(1)</script></body></html>",
    ),
    "valid gif with html in a comment": ("x.gif", None),  # built in the test (needs Pillow)
    "html named jpg": ("x.jpg", b"<!doctype html><script>alert(1)</script>"),
    "decompression bomb": ("bomb.png", png_claiming(100_000, 100_000)),
    "over the pixel limit": ("wide.png", png_claiming(10_000, 5_000)),
    "truncated png": ("cut.png", png_bytes((400, 300), "red")[:300]),
    "truncated jpeg": ("cut.jpg", None),
    "text named png": ("notes.png", b"Just some notes, not an image at all.\n" * 20),
    "empty": ("empty.png", b""),
    "tiff (not accepted)": ("x.tif", None),
}


def build(name):
    filename, data = HOSTILE[name]
    if name == "valid gif with html in a comment":
        buffer = io.BytesIO()
        PILImage.new("P", (8, 8)).save(
            buffer, format="GIF", comment=b"<html><script>alert(1)</script></html>"
        )
        data = buffer.getvalue()
    elif name == "truncated jpeg":
        full = jpeg_bytes((400, 300))
        data = full[: len(full) // 2]
    elif name == "tiff (not accepted)":
        buffer = io.BytesIO()
        PILImage.new("RGB", (8, 8)).save(buffer, format="TIFF")
        data = buffer.getvalue()
    return SimpleUploadedFile(filename, data, content_type="image/png")


@pytest.fixture
def admin_client(client, db):
    client.force_login(make_user("root", superuser=True))
    return client


def stored_files():
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def upload(admin_client, upload_file):
    return admin_client.post(
        reverse("admin:articles_image_add"),
        {"file": upload_file, "alt": "A picture", "caption": "", "credit": ""},
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_uploads_are_refused_and_nothing_is_written(admin_client, name):
    response = upload(admin_client, build(name))
    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors
    assert "file" in errors, errors
    assert not Image.objects.exists()
    assert stored_files() == []


def test_oversized_upload_is_refused(admin_client):
    data = png_bytes() + b"\x00" * (20 * 1024 * 1024)
    response = upload(admin_client, SimpleUploadedFile("huge.png", data))
    assert "20 MB" in str(response.context["adminform"].form.errors["file"])
    assert stored_files() == []


def test_a_png_named_jpg_is_judged_by_its_content(admin_client):
    response = upload(admin_client, SimpleUploadedFile("photo.jpg", png_bytes()))
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name.endswith(".png")
    assert stored_files()  # the original and its renditions
