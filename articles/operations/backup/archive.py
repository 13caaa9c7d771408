"""The .tar.gz itself: writing members, and unpacking one without trusting it.

Unpacking is one streaming pass. Every name and type is checked before anything is written,
and sizes are bounded twice: the decompressed stream as a whole (headers included) is counted
as tarfile reads it, and each member's declared size is checked against the per-file limit and
what is left of the total *before* its file is created, then counted again while it is
copied. A 1.2 MB archive that would expand to 1 GB stops at the limit with a message, having
written at most the limit. Each member's SHA-256 is computed on the way, for signing.py.
"""

import gzip
import hashlib
import io
import json
import os
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils import timezone

MANIFEST, DATA = "manifest.json", "data.json"
CHUNK = 1 << 20
# An expanded size above 100 times the archive's is refused by default: a real backup
# expands far less (7.4 times for a generated site of 2,000 articles, data.json being most
# of it; media files barely compress), while a gzip bomb expands up to about 1,000 times.
EXPANSION_RATIO = 100
MIN_TOTAL = 64 << 20  # small archives may still expand to 64 MiB
MAX_MEMBER = 2 << 30  # no single file above 2 GiB unless told


class BackupError(Exception):
    """The archive cannot be restored (shown to the user as is)."""


@dataclass(frozen=True)
class Limits:
    """How much an archive may expand to: in all, and per member (bytes)."""

    total: int
    member: int

    @classmethod
    def for_archive(cls, path, total=None, member=None):
        """The limits for the archive at `path`: the defaults unless given."""
        total = total or max(MIN_TOTAL, EXPANSION_RATIO * os.path.getsize(path))
        return cls(total=total, member=min(member or MAX_MEMBER, total))


def add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def extract(path, scratch, limits):
    """Unpack the archive at `path` into `scratch`; {member name: SHA-256} of every file."""
    digests, expanded = {}, 0
    try:
        with gzip.open(path, "rb") as unzipped:
            counted = _Counted(unzipped, limits.total)
            with tarfile.open(fileobj=counted, mode="r|") as archive:
                for member in archive:
                    name = _checked_name(member, digests)
                    if member.isdir():
                        continue
                    _check_size(member, limits, expanded)
                    digests[name] = _copy(archive.extractfile(member), scratch / name, limits)
                    expanded += member.size
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"Not a readable backup archive: {error}") from None
    return digests


class _Counted(io.RawIOBase):
    """A read-only stream that refuses to yield more than `limit` bytes in all."""

    def __init__(self, stream, limit):
        self.stream, self.limit, self.count = stream, limit, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise BackupError(_too_big("The archive", self.limit))
        buffer[: len(data)] = data
        return len(data)


def _checked_name(member, seen):
    name = PurePosixPath(member.name)
    allowed = name.parts and (str(name) in (MANIFEST, DATA) or name.parts[0] == "media")
    if not allowed or name.is_absolute() or ".." in name.parts:
        raise BackupError(f"Unexpected entry in the archive: {member.name!r}")
    if not (member.isreg() or member.isdir()) or member.issparse():
        raise BackupError(f"Links, devices and sparse files are not restored: {member.name!r}")
    if str(name) in seen:
        raise BackupError(f"The archive holds {member.name!r} twice.")
    return str(name)


def _check_size(member, limits, expanded):
    """Refuse a member before it is written if its declared size breaks a limit."""
    if member.size > limits.member:
        raise BackupError(_too_big(member.name, limits.member, "--max-file-size"))
    if expanded + member.size > limits.total:
        raise BackupError(_too_big("The archive", limits.total))


def _copy(source, target, limits):
    """Copy a member to `target`, counting as it goes; its SHA-256."""
    digest, written = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > limits.member:
                raise BackupError(_too_big(target.name, limits.member, "--max-file-size"))
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _too_big(what, limit, flag="--max-size"):
    return (
        f"{what} expands to more than {limit:,} bytes, this restore's limit; nothing was "
        f"restored. If the archive is genuine, raise the limit with {flag}."
    )


def read_json(path, what):
    """The JSON document in `path` (a Path), or BackupError saying what is wrong with it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"The archive has no {what}.") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise BackupError(f"{what} is not valid JSON: {error}") from None
