"""Inline references in Markdown: `[[model:<slug>]]` and `[[article:<slug>]]`."""


def reference_preprocessor(text):
    return text
