"""Images that decode to far more than they weigh are refused before anything is decoded.

Issue 12: a 3.5 KB GIF (2000 × 2000 canvas, 150 frames of 1 × 1) grew a worker from 97 MB
to 2.75 GB, and with 60 frames it was accepted. The budget is 40 megapixels summed over every
frame and at most 300 frames, for every path that decodes: the library upload, author
avatars, metadata stripping and renditions.
"""

import io
import resource
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from articles.backoffice import images
from articles.backoffice.images import validation
from articles.backoffice.images.limits import MAX_FRAMES, Shape, measure
from articles.models import Author, Image
from tests.articles.helpers import image_bytes
from tests.security import image_bombs
from tests.security.test_uploads import stored_files
from tests.users import make_user

pytestmark = pytest.mark.django_db
MB = 1024 * 1024

BOMBS = [
    ("gif", (2000, 2000), 150),  # the reported file
    ("gif", (2000, 2000), 60),  # accepted before the fix
    ("gif", (2000, 2000), 11),  # 44 megapixels: just over
    ("gif", (65535, 65535), 2),
    ("gif", (1, 1), MAX_FRAMES + 1),  # few pixels, too many frames
    ("gif", (4, 4), 5000),
    ("apng", (2000, 2000), 150),
    ("apng", (1000, 1000), 41),
    ("apng", (1, 1), 1000),
    ("webp", (2000, 2000), 150),
    ("webp", (4000, 4000), 3),
    ("webp", (2, 2), MAX_FRAMES + 1),
]
BOMB_IDS = [f"{kind}-{w}x{h}-{n}" for kind, (w, h), n in BOMBS]


def _status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


@contextmanager
def peak_memory_growth():
    """Yields a dict whose "bytes" is how far the process's peak RSS rose inside the block.

    Linux lets a process reset its own peak (VmHWM) through /proc/self/clear_refs; where it
    cannot, the lifetime peak is the baseline, which only hides growth below it.
    """
    result = {}
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before, peak = _status_kb("VmRSS"), lambda: _status_kb("VmHWM")
    except OSError:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # noqa: E731
    yield result
    result["bytes"] = (peak() - before) * 1024


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", superuser=True))
    return client


def _bomb(kind, canvas, frames):
    return image_bombs.BUILDERS[kind](canvas, frames)


@pytest.mark.parametrize("kind,canvas,frames", BOMBS, ids=BOMB_IDS)
def test_a_bomb_is_refused_by_the_library_fast_small_and_without_a_trace(
    admin_client, kind, canvas, frames
):
    data = _bomb(kind, canvas, frames)
    assert len(data) < 256 * 1024  # a small file claiming a huge decode
    upload = SimpleUploadedFile(f"bomb.{kind}", data, content_type="image/gif")
    with peak_memory_growth() as memory:
        started = time.perf_counter()
        response = admin_client.post(
            reverse("admin:articles_image_add"), {"file": upload, "alt": "A bomb"}
        )
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["file"]
    assert "40 megapixels" in str(errors) or f"more than {MAX_FRAMES} frames" in str(errors)
    assert elapsed < 1.0
    assert memory["bytes"] < 100 * MB
    assert not Image.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize("kind,canvas,frames", BOMBS[::3], ids=BOMB_IDS[::3])
def test_a_bomb_is_refused_as_an_avatar(admin_client, kind, canvas, frames):
    upload = SimpleUploadedFile(f"me.{kind}", _bomb(kind, canvas, frames), "image/png")
    with peak_memory_growth() as memory:
        response = admin_client.post(
            reverse("admin:articles_author_add"),
            {"name": "Ada", "slug": "ada", "bio": "", "website": "", "avatar": upload},
        )
    assert response.status_code == 200
    assert "avatar" in response.context["adminform"].form.errors
    assert memory["bytes"] < 100 * MB
    assert not Author.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize("kind,canvas,frames", BOMBS, ids=BOMB_IDS)
def test_metadata_stripping_refuses_a_bomb_by_itself(kind, canvas, frames):
    """Defence in depth: the decoding step measures too, whoever calls it."""
    upload = SimpleUploadedFile("bomb", _bomb(kind, canvas, frames))
    with peak_memory_growth() as memory:
        started = time.perf_counter()
        with pytest.raises(ValidationError) as refused:
            images.strip_metadata(upload)
        elapsed = time.perf_counter() - started
    assert refused.value.code in ("too_many_pixels", "too_many_frames")
    assert elapsed < 0.5
    assert memory["bytes"] < 100 * MB


@pytest.mark.parametrize("kind", ["gif", "apng", "webp"])
def test_renditions_refuse_a_stored_bomb_and_write_nothing(kind):
    image = Image(alt="x", width=1, height=1)
    image.file.save(f"bomb.{kind}", ContentFile(_bomb(kind, (2000, 2000), 150)), save=False)
    before = stored_files()
    with peak_memory_growth() as memory, pytest.raises(ValidationError):
        images.make_renditions(image)
    assert memory["bytes"] < 100 * MB
    assert stored_files() == before  # only the planted original


def test_frames_are_counted_while_decoding_too(monkeypatch):
    """If the headers undercount, the frame loop still stops at the limit."""
    monkeypatch.setattr(validation, "measure", lambda data: Shape("GIF", 20, 10, 1))
    monkeypatch.setattr(validation, "MAX_FRAMES", 5)
    upload = SimpleUploadedFile("x.gif", image_bombs.gif((20, 10), 12, (20, 10)))
    with pytest.raises(ValidationError) as refused:
        images.strip_metadata(upload)
    assert refused.value.code == "too_many_frames"


def _animated_gif(size, frames):
    pictures = [
        PILImage.new("RGB", size, (index % 256, index // 256, 90)) for index in range(frames)
    ]
    buffer = io.BytesIO()
    pictures[0].save(buffer, format="GIF", save_all=True, append_images=pictures[1:])
    return buffer.getvalue()


@pytest.mark.parametrize("canvas,frames", [((200, 100), 30), ((4, 4), MAX_FRAMES)])
def test_animations_within_the_budget_are_kept_whole(admin_client, canvas, frames):
    data = _animated_gif(canvas, frames)
    upload = SimpleUploadedFile("anim.gif", data)
    response = admin_client.post(
        reverse("admin:articles_image_add"), {"file": upload, "alt": "Moving"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Image.objects.get()
    with PILImage.open(stored.file.path) as result:
        assert (result.format, result.size, result.n_frames) == ("GIF", canvas, frames)
    assert stored.renditions


@pytest.mark.parametrize(
    "shape,allowed",
    [
        (Shape("GIF", 1000, 1000, 40), True),
        (Shape("GIF", 1000, 1000, 41), False),
        (Shape("PNG", 8000, 5000, 1), True),
        (Shape("PNG", 8000, 5001, 1), False),
        (Shape("WEBP", 10, 10, MAX_FRAMES), True),
        (Shape("WEBP", 10, 10, MAX_FRAMES + 1), False),
    ],
)
def test_the_budget_boundaries(shape, allowed):
    assert shape.within_limits is allowed
    if allowed:
        validation.check_shape(shape)
    else:
        with pytest.raises(ValidationError):
            validation.check_shape(shape)


@pytest.mark.parametrize("kind", ["apng", "webp"])
def test_small_apng_and_animated_webp_are_accepted(admin_client, kind):
    upload = SimpleUploadedFile(f"anim.{kind}", _bomb(kind, (120, 80), 12))
    response = admin_client.post(
        reverse("admin:articles_image_add"), {"file": upload, "alt": "Moving"}
    )
    assert response.status_code == 302
    assert (Image.objects.get().width, Image.objects.get().height) == (120, 80)


@pytest.mark.parametrize("keep", [0.5, 0.75, 0.95])
def test_a_later_frame_that_is_cut_short_is_a_form_error_and_nothing_is_stored(admin_client, keep):
    """The first frame is sound (validation passes); a later one only fails when decoded."""
    data = _animated_gif((64, 64), 6)
    upload = SimpleUploadedFile("cut.gif", data[: int(len(data) * keep)])
    response = admin_client.post(
        reverse("admin:articles_image_add"), {"file": upload, "alt": "Cut short"}
    )
    assert response.status_code == 200
    assert "damaged or truncated" in str(response.context["adminform"].form.errors["file"])
    assert not Image.objects.exists()
    assert stored_files() == []


# --- what the headers say ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["gif", "apng", "webp"])
@pytest.mark.parametrize("canvas,frames", [((1, 1), 1), ((37, 5), 7), ((300, 200), 120)])
def test_measure_reads_canvas_and_frames_of_each_animated_format(kind, canvas, frames):
    shape = measure(_bomb(kind, canvas, frames))
    assert (shape.width, shape.height, shape.frames) == (*canvas, frames)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
@pytest.mark.parametrize("size", [(1, 1), (640, 480), (17, 3001)])
def test_measure_reads_still_images(fmt, size):
    for options in ({}, {"lossless": True}) if fmt == "WEBP" else ({},):
        shape = measure(image_bytes(fmt, size, **options))
        assert (shape.format, shape.width, shape.height, shape.frames) == (fmt, *size, 1)


def test_a_gif_frame_outside_the_canvas_widens_it_as_pillow_does():
    data = bytearray(image_bombs.gif((10, 10), 1, frame=(10, 10)))
    at = data.index(b"\x2c")
    data[at + 1 : at + 5] = (5000).to_bytes(2, "little") + (6000).to_bytes(2, "little")
    shape = measure(bytes(data))
    assert (shape.width, shape.height) == (5010, 6010)
    with PILImage.open(io.BytesIO(bytes(data))) as opened:
        opened.seek(0)
        assert opened.size == (5010, 6010)


@pytest.mark.parametrize("cut", [0, 5, 13, 20, 40, 100])
@pytest.mark.parametrize("kind", ["gif", "apng", "webp"])
def test_measure_never_raises_on_truncated_headers(kind, cut):
    data = _bomb(kind, (100, 100), 3)[:cut]
    shape = measure(data)
    assert shape is None or shape.frames >= 1


def test_measure_ignores_other_files():
    assert measure(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert measure(image_bytes("BMP", (10, 10))) is None
