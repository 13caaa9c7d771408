"""Author avatars: checked like library images, stored without metadata."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from articles.models import Author

pytestmark = pytest.mark.django_db


def _jpeg_with_exif():
    image = PILImage.new("RGB", (64, 64), (200, 10, 10))
    exif = PILImage.Exif()
    exif[0x010F] = "SpyCam"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def _post(client, upload):
    return client.post(
        "/admin/articles/author/add/",
        {"name": "Ada Writer", "slug": "ada", "bio": "", "website": "", "avatar": upload},
    )


def test_avatar_is_stored_without_exif(client, logged_in_editor, settings):
    response = _post(client, SimpleUploadedFile("me.jpg", _jpeg_with_exif(), "image/jpeg"))
    assert response.status_code == 302
    author = Author.objects.get(slug="ada")
    with PILImage.open(author.avatar.path) as stored:
        assert not stored.getexif()


@pytest.mark.parametrize(
    "name,content",
    [
        ("evil.png", b"<html><script>alert(1)</script></html>"),
        ("vector.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
)
def test_hostile_avatar_is_refused_and_nothing_written(
    client, logged_in_editor, settings, name, content
):
    response = _post(client, SimpleUploadedFile(name, content, "image/png"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Author.objects.filter(slug="ada").exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(media.rglob("*.*"))
