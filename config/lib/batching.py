"""Batches of writes said once: the outermost block collects, and flushes when it ends.

Each app's announce.py keeps one `Batching` over its own announcement class (anything with
a `flush()`): `collecting()` opens or joins the block of the current context, `muted()`
runs writes whose announcements are collected and dropped. A block that fails flushes
nothing (its writes roll back with it).
"""

from contextlib import contextmanager
from contextvars import ContextVar


class Batching:
    """One context-local batch, made by `factory()` and flushed by the outermost block."""

    def __init__(self, name, factory):
        self._current = ContextVar(name, default=None)
        self._factory = factory

    @contextmanager
    def collecting(self):
        """Yield the open batch, or open one that is flushed when this block ends."""
        outer = self._current.get()
        if outer is not None:
            yield outer
            return
        batch = self._factory()
        token = self._current.set(batch)
        try:
            yield batch
        finally:
            self._current.reset(token)
        batch.flush()

    @contextmanager
    def muted(self):
        """Writes inside collect into a batch that is never flushed."""
        token = self._current.set(self._factory())
        try:
            yield
        finally:
            self._current.reset(token)
