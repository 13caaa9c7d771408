import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from pytest_django.asserts import assertContains

from articles.backoffice.images import image_ingest
from articles.models import Image
from articles.rendering.images import image_preprocessor
from tests.articles.helpers import image_bytes
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:articles_image_add")


def upload(client, name, data, alt="A red square"):
    return client.post(ADD, {"file": SimpleUploadedFile(name, data), "alt": alt})


def make_image(fmt="JPEG", size=(2000, 1000), **options):
    image = Image(alt="A red rectangle", caption="Colour test", credit="ModelPress")
    return image_ingest(image, SimpleUploadedFile(f"test.{fmt.lower()}", image_bytes(fmt, size)))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_each_accepted_format_uploads_with_renditions(client, editor, fmt):
    client.force_login(editor)
    response = upload(client, f"picture.{fmt.lower()}", image_bytes(fmt, (1800, 900)))
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (1800, 900)
    formats = {r["format"] for r in image.renditions}
    assert formats == {"webp", fmt.lower()}
    assert sorted({r["width"] for r in image.renditions}) == [480, 960, 1600]
    assert all(default_storage.exists(r["name"]) for r in image.renditions)


def test_small_images_are_not_upscaled():
    image = make_image(size=(600, 300))
    assert sorted({r["width"] for r in image.renditions}) == [480, 600]


def _png_header_only(width, height):
    """A PNG that claims `width` x `height` pixels: a decompression bomb's calling card."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("notes.png", b"This is only text pretending to be a PNG.\n" * 20, "not an image"),
        ("picture.bmp", image_bytes("BMP", (40, 40)), "Only JPEG, PNG, WebP and GIF"),
        ("truncated.jpg", image_bytes("JPEG", (400, 400))[:600], "damaged or truncated"),
        ("bomb.png", _png_header_only(30000, 30000), "larger than 40 megapixels"),
        ("huge.png", _png_header_only(8000, 5001), "larger than 40 megapixels"),
    ],
)
def test_bad_uploads_get_a_form_error(client, editor, name, data, message):
    client.force_login(editor)
    response = upload(client, name, data)
    assert response.status_code == 200
    assertContains(response, "errorlist")
    assertContains(response, message)
    assert not Image.objects.exists()


def test_truncated_file_that_passes_the_header_check_is_refused():
    from django.core.exceptions import ValidationError

    from articles.backoffice.images import validate_image_upload

    noisy = io.BytesIO()
    PILImage.effect_noise((400, 400), 50).save(noisy, format="PNG")
    data = noisy.getvalue()
    for broken in (data[:2000], data[: len(data) // 2]):
        with pytest.raises(ValidationError):
            validate_image_upload(SimpleUploadedFile("cut.png", broken))


def test_more_than_20_mb_is_refused(client, editor):
    client.force_login(editor)
    response = upload(client, "big.jpg", b"\xff\xd8" + b"0" * (20 * 1024 * 1024 + 1))
    assertContains(response, "larger than 20 MB")


def test_alt_text_is_required(client, editor):
    client.force_login(editor)
    response = upload(client, "picture.png", image_bytes("PNG", (50, 50)), alt="")
    assertContains(response, "This field is required")


def test_exif_and_gps_are_stripped(client, editor):
    exif = PILImage.Exif()
    exif[0x010F] = "ACME Camera"  # Make
    exif[0x9286] = "secret comment"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 0.0)
    buffer = io.BytesIO()
    PILImage.new("RGB", (800, 600), (10, 120, 200)).save(buffer, "JPEG", exif=exif.tobytes())
    assert PILImage.open(io.BytesIO(buffer.getvalue())).getexif()  # the upload has EXIF
    client.force_login(editor)
    upload(client, "holiday.jpg", buffer.getvalue())
    image = Image.objects.get()
    names = [image.file.name, *(r["name"] for r in image.renditions)]
    for name in names:
        with default_storage.open(name) as handle, PILImage.open(handle) as stored:
            assert not stored.getexif()
            assert "exif" not in stored.info
    with default_storage.open(image.file.name) as handle:
        assert b"ACME" not in handle.read()


def test_inline_image_becomes_a_responsive_figure():
    image = make_image()
    article = ArticleFactory(body=f"Intro.\n\n![Red block](image:{image.pk})\n\nMore text.")
    html = article.body_html
    assert "<figure>" in html and "<figcaption>Colour test · ModelPress</figcaption>" in html
    for attribute in (
        'srcset="',
        "480w",
        "1600w",
        'sizes="',
        'width="2000"',
        'height="1000"',
        'loading="lazy"',
        'alt="Red block"',
    ):
        assert attribute in html


def test_inline_image_inside_a_sentence_and_unknown_ids():
    image = make_image(size=(300, 200))
    text = f"See ![](image:{image.pk}) here and ![gone](image:999999)."
    html = image_preprocessor(text)
    assert "<figure>" not in html and 'alt="A red rectangle"' in html
    assert "gone" in html and "image:999999" not in html


def test_hero_image_renders_a_picture_with_srcset(client):
    image = make_image()
    article = ArticleFactory(hero_image=image)
    response = client.get(article.get_absolute_url())
    assertContains(response, '<source type="image/webp" srcset="')
    assertContains(response, 'width="2000" height="1000" alt="A red rectangle"')
    assertContains(response, "sizes=")


def test_editing_alt_text_keeps_the_file(client, editor):
    image = make_image(size=(500, 400))
    client.force_login(editor)
    url = reverse("admin:articles_image_change", args=[image.pk])
    response = client.post(url, {"alt": "Now described better", "caption": "", "credit": ""})
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt == "Now described better" and (image.width, image.height) == (500, 400)


def test_inline_image_syntax_inside_fenced_code_is_left_alone():
    image = make_image(size=(300, 200))
    text = f"```\n![x](image:{image.pk})\n```\n\n![y](image:{image.pk})\n"
    html = image_preprocessor(text)
    assert f"```\n![x](image:{image.pk})\n```" in html
    assert html.count("<img") == 1
