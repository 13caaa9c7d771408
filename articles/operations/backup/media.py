"""Put a restore's media files in the media storage, and take them out again if it fails.

The database side of a restore is one transaction; files have none. So every file the
restore replaces is first copied aside, and `undo` deletes what was written and puts the
copies back: a restore that fails at any point leaves the media storage as it found it.
"""

import shutil

from django.core.files import File
from django.core.files.storage import default_storage

from articles.operations.backup.archive import BackupError


class MediaSwap:
    def __init__(self, source, aside):
        self.source, self.aside = source, aside
        self.written, self.replaced = [], []

    def put(self):
        """Store every file under `source` under its own name, replacing any."""
        if not self.source.is_dir():
            return
        for file in sorted(p for p in self.source.rglob("*") if p.is_file()):
            name = file.relative_to(self.source).as_posix()
            if default_storage.exists(name):
                self._set_aside(name)
            with file.open("rb") as handle:
                saved = default_storage.save(name, File(handle))
            self.written.append(saved)
            if saved != name:
                raise BackupError(f"The media storage renamed {name!r} to {saved!r}.")

    def _set_aside(self, name):
        copy = self.aside / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as handle, copy.open("wb") as out:
            shutil.copyfileobj(handle, out)
        self.replaced.append(name)
        default_storage.delete(name)

    def undo(self):
        """Delete what `put` wrote and put back what it replaced."""
        for name in reversed(self.written):
            default_storage.delete(name)
        for name in self.replaced:
            if default_storage.exists(name):
                default_storage.delete(name)
            with (self.aside / name).open("rb") as handle:
                default_storage.save(name, File(handle))
