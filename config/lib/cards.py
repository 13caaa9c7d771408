"""Social cards: the 1200×630 PNG a link preview shows (OpenGraph, Twitter, JSON-LD `image`).

A `Card` is what is drawn: kind, title, up to four facts and an optional openness bar. Its
`version` is a digest of exactly that (plus STYLE), so any change a reader could see in the
picture gives it a new URL, and an unchanged page keeps its URL and every cache of it. The
PNG is drawn on the first request for a version and kept in the default cache under that
version; only the current version of a real page is ever drawn (`card_response`), so the
number of pictures is bounded by the site's content, not by what readers ask for.
"""

import hashlib
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseRedirect
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
STYLE = "1"  # bump when the drawing changes, so every card gets a new URL
KEEP = 30 * 24 * 60 * 60  # seconds a drawn card stays in the cache
INK, PAPER, ACCENT, MUTED = "#1b1f24", "#f7f5f0", "#1f4fd1", "#5b6470"
_FONTS = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Card:
    kind: str  # "Article", "AI model", "Comparison", "Tag"
    title: str
    facts: tuple = field(default=())  # ((label, value), …), at most four are drawn
    score: int | None = None  # an openness score 0–100, drawn as a bar

    @property
    def version(self):
        raw = repr((STYLE, self.kind, self.title, self.facts, self.score))
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    @property
    def alt(self):
        facts = "; ".join(f"{label}: {value}" for label, value in self.facts[:4])
        return f"{self.kind}: {self.title}" + (f" ({facts})" if facts else "")


@cache
def _font(size, bold=False):
    """DejaVu from Debian's fonts-dejavu when present, else Pillow's own scalable default."""
    path = _FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _wrap(draw, text, font, width, lines):
    """`text` as at most `lines` lines no wider than `width`; the last ends in … if cut."""
    words, out, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width:
            line = trial
            continue
        if line:
            out.append(line)
        line = word
        if len(out) == lines:
            break
    if line and len(out) < lines:
        out.append(line)
    cut = len(out) == lines and " ".join(out) != " ".join(words)
    return [_fit(draw, line, font, width, cut and n == len(out) - 1) for n, line in enumerate(out)]


def _fit(draw, line, font, width, cut):
    """`line` shortened to `width` with a closing … when it is too wide (one long word) or `cut`."""
    if not cut and draw.textlength(line, font=font) <= width:
        return line
    while line and draw.textlength(line + "…", font=font) > width:
        line = line[:-1]
    return line.rstrip() + "…"


def _draw_facts(draw, facts, top):
    for n, (label, value) in enumerate(facts[:4]):
        x = 80 + (n % 2) * 540
        y = top + (n // 2) * 78
        draw.text((x, y), label.upper(), font=_font(22, True), fill=MUTED)
        value = _wrap(draw, str(value), _font(32), 500, 1)[0] if str(value) else "unknown"
        draw.text((x, y + 30), value, font=_font(32), fill=INK)


def _draw_bar(draw, score):
    draw.text((80, 520), f"Openness {score}/100", font=_font(24, True), fill=MUTED)
    draw.rounded_rectangle((80, 556, 1120, 580), radius=12, fill="#dcd8ce")
    if score:
        right = 80 + round(1040 * max(0, min(score, 100)) / 100)
        draw.rounded_rectangle((80, 556, max(right, 104), 580), radius=12, fill=ACCENT)


def draw(card):
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, WIDTH, 14), fill=ACCENT)
    pen.text((80, 56), card.kind.upper(), font=_font(28, True), fill=ACCENT)
    pen.text((1120, 56), settings.SITE_NAME, font=_font(28, True), fill=INK, anchor="ra")
    lines = _wrap(pen, card.title, _font(60, True), 1040, 3)
    for n, line in enumerate(lines):
        pen.text((80, 110 + n * 72), line, font=_font(60, True), fill=INK)
    _draw_facts(pen, card.facts, 140 + len(lines) * 72)
    if card.score is not None:
        _draw_bar(pen, card.score)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def card_png(card):
    """The PNG for `card`, drawn once per version and kept in the default cache."""
    key = f"card:{card.version}"
    store = caches["default"]
    png = store.get(key)
    if png is None:
        png = draw(card)
        store.set(key, png, KEEP)
    return png


def card_response(card, asked, url):
    """The card at its versioned `url`: cached for a year; an old version redirects."""
    if asked != card.version:
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "public, max-age=300"
        return response
    response = HttpResponse(card_png(card), content_type="image/png")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
