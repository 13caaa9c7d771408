"""Corrections in an article's body: paragraphs that start with "Correction:" (bold or italic
marks allowed). Editors add them through the usual edit; readers see them in place, and the
corrections page lists every published article carrying one (articles/public/pages.py), found
through the derived `Article.has_correction` rather than by reading every body.
"""

import re

MARKER = "correction:"
_PARAGRAPHS = re.compile(r"\n\s*\n")
_MARKS = re.compile(r"[*_`>]+")
_SPACE = re.compile(r"\s+")


def corrections_in(body):
    """The "Correction:" paragraphs of a Markdown body, as plain text without the label."""
    notes = []
    for paragraph in _PARAGRAPHS.split(body or ""):
        text = _SPACE.sub(" ", _MARKS.sub("", paragraph)).strip()
        if text.lower().startswith(MARKER):
            notes.append(text[len(MARKER) :].strip())
    return [note for note in notes if note]
