"""What decoding an image would cost, read from its headers before anything is decoded.

Pillow decodes every frame of an animation onto a canvas of the full image size, so an
upload costs frames × canvas in memory and time, not the size of the first frame. A 3.5 KB
GIF with a 2000 × 2000 canvas and 150 frames of 1 × 1 grew a worker from 97 MB to 2.75 GB
(issue 12). These readers walk the container (GIF blocks, PNG chunks up to the image data,
WebP RIFF chunks, JPEG segments up to the scan) without decompressing anything, and stop as
soon as a limit is passed, so a bomb is refused in microseconds.

The limits cover every decode path: upload validation, metadata stripping and renditions
(validation.py, metadata.py, renditions.py) all measure first, and the loops that decode
frames check again as they go.
"""

import struct
from dataclasses import dataclass

MAX_PIXELS = 40_000_000  # decoded pixels, summed over every frame
# Ten seconds at 30 frames a second; an animation longer than that belongs in a video.
MAX_FRAMES = 300


@dataclass(frozen=True)
class Shape:
    """An image as its headers describe it: format, canvas and number of frames."""

    format: str
    width: int
    height: int
    frames: int = 1

    @property
    def pixels(self):
        """Pixels decoded for every frame, each drawn on the whole canvas (as Pillow does)."""
        return self.width * self.height * self.frames

    @property
    def within_limits(self):
        return self.frames <= MAX_FRAMES and self.pixels <= MAX_PIXELS


def _over(frames, width, height):
    return frames > MAX_FRAMES or frames * width * height > MAX_PIXELS


def _color_table(packed):
    return 3 << ((packed & 7) + 1) if packed & 0x80 else 0


def _skip_sub_blocks(data, pos):
    while pos < len(data):
        size = data[pos]
        pos += 1 + size
        if size == 0:
            break
    return pos


def _gif(data):
    width, height, packed = struct.unpack_from("<HHB", data, 6)
    pos, frames = 13 + _color_table(packed), 0
    while pos < len(data) and not _over(frames, width, height):
        block = data[pos]
        # An image: its frame may reach past the canvas, which Pillow then widens.
        if block == 0x2C and pos + 10 <= len(data):
            left, top, w, h, packed = struct.unpack_from("<HHHHB", data, pos + 1)
            frames += 1
            width, height = max(width, left + w), max(height, top + h)
            pos = _skip_sub_blocks(data, pos + 11 + _color_table(packed))
        elif block == 0x21:  # an extension (graphic control, comment, application)
            pos = _skip_sub_blocks(data, pos + 2)
        else:  # the trailer, or trailing junk
            break
    return Shape("GIF", width, height, max(frames, 1))


def _png(data):
    """APNG declares its frame count (acTL) before the first image data; stop there."""
    pos, width, height, frames, first_frame_seen = 8, 0, 0, None, False
    while pos + 16 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        if kind == b"IHDR":
            width, height = struct.unpack_from(">II", data, pos + 8)
        elif kind == b"acTL":
            frames = struct.unpack_from(">I", data, pos + 8)[0]
        elif kind == b"fcTL":
            first_frame_seen = True
        elif kind in (b"IDAT", b"IEND"):
            break
        pos += 12 + length
    if frames is None:
        return Shape("PNG", width, height)
    # Without a frame control before it, the default image is shown besides the animation.
    return Shape("PNG", width, height, max(frames, 1) + (0 if first_frame_seen else 1))


def _webp_still(kind, payload):
    if kind == b"VP8 " and len(payload) >= 10:
        width, height = struct.unpack_from("<HH", payload, 6)
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and len(payload) >= 5:
        bits = int.from_bytes(payload[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _webp(data):
    pos, width, height, frames = 12, 0, 0, 0
    while pos + 8 <= len(data) and not _over(frames, width, height):
        kind, length = struct.unpack_from("<4sI", data, pos)
        payload = data[pos + 8 : pos + 8 + min(length, 30)]
        if kind == b"VP8X" and len(payload) >= 10:
            width = 1 + int.from_bytes(payload[4:7], "little")
            height = 1 + int.from_bytes(payload[7:10], "little")
        elif kind == b"ANMF":
            frames += 1
        elif not width and (size := _webp_still(kind, payload)):
            width, height = size
        pos += 8 + length + (length & 1)
    return Shape("WEBP", width, height, max(frames, 1))


# Start-of-frame markers: every SOFn except DHT (C4), JPG (C8) and DAC (CC).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data):
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if marker in _SOF and pos + 9 <= len(data):
            height, width = struct.unpack_from(">HH", data, pos + 5)
            return Shape("JPEG", width, height)
        if marker == 0xDA:  # start of scan: no frame header before it
            break
        pos += 2 + length
    return Shape("JPEG", 0, 0)


def measure(data):
    """The `Shape` of image bytes `data`, or None when they are not GIF, PNG, WebP or JPEG.

    Headers that end early give what was read so far; a damaged file is Pillow's to judge.
    """
    readers = [
        (b"GIF87a", _gif),
        (b"GIF89a", _gif),
        (b"\x89PNG\r\n\x1a\n", _png),
        (b"\xff\xd8", _jpeg),
    ]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        readers = [(b"RIFF", _webp)]
    for signature, reader in readers:
        if data.startswith(signature) and len(data) >= 16:
            return reader(data)
    return None
