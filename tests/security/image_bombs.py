"""Small files that decode to huge images: animated GIF, APNG and animated WebP, built by hand.

Each is a few kilobytes however many pixels it claims, so the tests cost nothing to run,
and none can be made with Pillow itself (it would have to hold every frame in memory).
"""

import io
import struct
import zlib

from PIL import Image as PILImage


def _gif_sub_blocks(data):
    out = b""
    for start in range(0, len(data), 255):
        piece = data[start : start + 255]
        out += bytes([len(piece)]) + piece
    return out + b"\x00"


def gif(canvas=(2000, 2000), frames=150, frame=(1, 1), comment=b""):
    """An animated GIF: a `canvas`, then `frames` frames of `frame` pixels each."""
    out = b"GIF89a" + struct.pack("<HHBBB", *canvas, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
    if comment:
        out += b"\x21\xfe" + _gif_sub_blocks(comment)
    # One frame's pixels (all colour 0), LZW-coded with 2-bit codes: clear, zeros, end.
    pixels = frame[0] * frame[1]
    lzw = _lzw_zeros(pixels)
    for _ in range(frames):
        out += b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # 100 ms per frame
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, *frame, 0) + b"\x02" + _gif_sub_blocks(lzw)
    return out + b"\x3b"


def _lzw_zeros(count):
    """LZW data (minimum code size 2) for `count` pixels of colour 0, without compression.

    Emits a clear code before the table would grow past 3-bit codes, so every code is 3 bits.
    """
    clear, end, bits, nbits = 4, 5, 0, 0
    codes = [clear]
    for index in range(count):
        if index and index % 2 == 0:
            codes.append(clear)
        codes.append(0)
    codes.append(end)
    out = bytearray()
    for code in codes:
        bits |= code << nbits
        nbits += 3
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    return bytes(out)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _fctl(sequence, size):
    return _png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", sequence, *size, 0, 0, 1, 10, 0, 0))


def apng(canvas=(2000, 2000), frames=150):
    """An APNG: a blank `canvas` as the first frame, then `frames - 1` frames of 1 × 1."""
    width, height = canvas
    rows = zlib.compress((b"\x00" + b"\x00" * width) * height, 9)
    out = b"\x89PNG\r\n\x1a\n" + _png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", *canvas, 8, 0, 0, 0, 0)
    )
    out += _png_chunk(b"acTL", struct.pack(">II", frames, 0))
    out += _fctl(0, canvas) + _png_chunk(b"IDAT", rows)
    tiny = zlib.compress(b"\x00\x00")
    for index in range(1, frames):
        sequence = 2 * index - 1
        out += _fctl(sequence, (1, 1)) + _png_chunk(b"fdAT", struct.pack(">I", sequence + 1) + tiny)
    return out + _png_chunk(b"IEND", b"")


def _riff_chunk(kind, data):
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")


def _tiny_vp8l():
    buffer = io.BytesIO()
    PILImage.new("RGBA", (1, 1)).save(buffer, format="WEBP", lossless=True)
    data = buffer.getvalue()
    at = data.index(b"VP8L")
    (length,) = struct.unpack_from("<I", data, at + 4)
    return data[at + 8 : at + 8 + length]


def webp(canvas=(2000, 2000), frames=150):
    """An animated WebP: a `canvas`, then `frames` frames of 1 × 1."""
    width, height = canvas
    size24 = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = _riff_chunk(b"VP8X", b"\x12\x00\x00\x00" + size24)  # animation + alpha
    body += _riff_chunk(b"ANIM", b"\x00\x00\x00\x00\x00\x00")
    frame = _riff_chunk(b"VP8L", _tiny_vp8l())
    header = b"\x00" * 6 + b"\x00" * 6 + (100).to_bytes(3, "little") + b"\x00"
    body += _riff_chunk(b"ANMF", header + frame) * frames
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


BUILDERS = {"gif": gif, "apng": apng, "webp": webp}
