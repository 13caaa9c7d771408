"""Read an import file (JSON, JSON Lines or CSV) into numbered rows, or say why it cannot be.

Nothing here knows what a row means (importer.py does); this only turns bytes into
`[(where, dict)]`, where `where` ("item 3", "line 7") is how every error names the row. Any
file, however broken, ends in ImportFailed with a message, never in a traceback.
"""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from config.lib.csvcells import unescape_cell

FORMATS = {".json": "json", ".jsonl": "jsonl", ".csv": "csv"}


@dataclass
class RowError:
    where: str
    field: str
    message: str

    def __str__(self):
        return (
            f"{self.where}, {self.field}: {self.message}"
            if self.field
            else (f"{self.where}: {self.message}")
        )


class ImportFailed(Exception):
    """The file was rejected; `errors` lists every problem found. Nothing was written."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported.")


def detect_format(path):
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ImportFailed([RowError(str(path), "", "use a .json, .jsonl or .csv file")])
    return fmt


def read_text(path):
    """The file's text (UTF-8, with or without a byte-order mark)."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed([RowError(str(path), "", f"not UTF-8 text: {error}")]) from None
    except IsADirectoryError:
        raise ImportFailed([RowError(str(path), "", "is a folder, not a file")]) from None


def read_rows(text, fmt, columns):
    """[(where, dict)] from the file's text, or ImportFailed if it cannot be parsed.

    `columns` are the names a CSV header may use.
    """
    if fmt == "csv":
        return _read_csv(text, columns)
    if fmt == "jsonl":
        return [
            (f"line {number}", _json(line, f"line {number}"))
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        ]
    data = _json(text, None)
    if not isinstance(data, list):
        raise ImportFailed([RowError("file", "", "a .json file must hold a list of objects")])
    return [(f"item {number}", row) for number, row in enumerate(data, start=1)]


def _json(text, where):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        message = f"malformed JSON: {error.msg}"
        raise ImportFailed([RowError(where or f"line {error.lineno}", "", message)]) from None
    except RecursionError:
        message = "malformed JSON: nested too deeply"
        raise ImportFailed([RowError(where or "file", "", message)]) from None
    except ValueError as error:  # an integer of more than 4,300 digits
        raise ImportFailed([RowError(where or "file", "", f"malformed JSON: {error}")]) from None


def _read_csv(text, columns):
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
        errors = [RowError("line 1", c, "unknown column") for c in header if c not in columns]
        if "name" not in header:
            errors.append(RowError("line 1", "name", "the name column is required"))
        if errors:
            raise ImportFailed(errors)
        return [_csv_row(reader, row) for row in reader]
    except csv.Error as error:
        raise ImportFailed([RowError("CSV", "", f"malformed CSV: {error}")]) from None


def _csv_row(reader, row):
    where = f"line {reader.line_num}"
    if None in row:
        raise ImportFailed([RowError(where, "", "more values than columns")])
    # The exporter protects cells from spreadsheets (config/lib/csvcells.py); undo exactly that.
    return where, {key: unescape_cell(value) for key, value in row.items() if value is not None}
