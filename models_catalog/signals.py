"""Signals for catalog writes that bypass the model signals."""

from django.dispatch import Signal

# Sent by the importer after its bulk writes, with `pks`: the entries it created or changed
# (their fields, tags or grades). Other apps listen to keep derived data, like search, current.
entries_imported = Signal()
