"""Spreadsheet-safe CSV cells: the OWASP rule against formula injection, and its exact inverse.

A spreadsheet runs a cell that begins with =, +, - or @ as a formula (and tab or CR can hide
one), so a catalog entry named `=HYPERLINK("http://evil", "Click")` became a live link in
the editor's spreadsheet. Every CSV the site writes passes each cell through `escape_cell`,
which prefixes such a cell with a single quote, the sign spreadsheets read as "this is text".

`unescape_cell` undoes exactly that, so importing an exported file gives back the original
values. A cell that already began with a quote is escaped too (it gains a second one), or a
value such as `'=1` would lose its quote on the way back. Numbers stay numbers: the catalog's
numeric columns are never negative, so they never begin with + or -, and are never prefixed.
"""

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = (*TRIGGERS, "'")


def escape_cell(value):
    """`value` as a CSV cell a spreadsheet shows as text, never runs."""
    return "'" + value if value.startswith(_ESCAPED) else value


def unescape_cell(value):
    """The inverse of `escape_cell`: the value as it was before export."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_ESCAPED) else value
