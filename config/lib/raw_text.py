"""Tags that make an HTML parser swallow what follows them, neutralised before sanitising.

After `<script>`, `<style>`, `<textarea>`, `<title>`, `<xmp>`, `<iframe>`, `<noembed>`,
`<noframes>`, `<noscript>` or `<plaintext>` a browser (and nh3, which parses like one) reads
everything up to the matching end tag as raw text; `<template>` moves its content out of the
page, `<select>` drops the tags inside it, `<svg>` and `<math>` change the parsing rules. An
unclosed one therefore took the rest of a body with it: the sanitiser removed it whole, with
no word to the writer (issue 12). Python-Markdown also treats most of them as block-level
HTML and leaves the rest of the document unrendered.

So, before nh3 sees the HTML: a closed `<script>` or `<style>` goes with its content (as
before); any other of these tags, and an unclosed `<script>` or `<style>`, loses only the tag,
and what follows is kept as ordinary, sanitised content. Each removal is reported with the
source line it came from and its first words, for the admin to show. The sanitiser still runs
afterwards, exactly as strict as before.

Line numbers travel through Markdown as invisible marks (private-use characters) placed after
the tag name in the source; marks inside code, where the tag was only text, are dropped at the
end with the others.
"""

import bisect
import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedBlockPreprocessor

SWALLOWING = (
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
    "noscript", "plaintext", "template", "select", "svg", "math",
)  # fmt: skip
DROPPED_WITH_CONTENT = {"script", "style"}  # never text meant for readers
_NAMES = "|".join(SWALLOWING)
_MARK_START, _MARK_END = "\ue000", "\ue001"
_DIGITS = str.maketrans("0123456789", "".join(chr(0xE010 + n) for n in range(10)))
_UNDIGITS = {value: str(key) for key, value in enumerate(range(0xE010, 0xE01A))}
_MARK = re.compile(f"{_MARK_START}[\ue010-\ue019]*{_MARK_END}")
_PRIVATE = re.compile("[\ue000-\ue01f]")
_SOURCE_TAG = re.compile(rf"<({_NAMES})(?=[\s/>]|$)", re.I)
_START_TAG = re.compile(
    rf"<({_NAMES})(?:{_MARK_START}([\ue010-\ue019]*){_MARK_END})?(?=[\s/>])[^>]*>?", re.I
)
_END_TAG = re.compile(rf"</({_NAMES})(?=[\s/>])[^>]*>?", re.I)
_LEFTOVER = re.compile(rf"<(?=/?(?:{_NAMES})[\s/>])", re.I)
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")
_HEADING_ANCHOR = re.compile(r'<a class="heading-anchor"[^>]*>.*?</a>')  # the "#" links
QUOTE_WORDS = 8


@dataclass(frozen=True)
class Removal:
    """One tag (or element) taken out of a body, described for the writer."""

    tag: str
    line: int | None
    closed: bool
    words: str

    def __str__(self):
        where = f"Line {self.line}: the" if self.line else "The"
        quoted = f" (“{self.words}”)" if self.words else ""
        if self.tag in DROPPED_WITH_CONTENT and self.closed:
            element = f"<{self.tag}>…</{self.tag}>"
            return f"{where} element {element} was removed with its content{quoted}."
        if self.tag in DROPPED_WITH_CONTENT:
            return (
                f"{where} unclosed tag <{self.tag}> was removed; the text after it is kept{quoted}."
            )
        return f"{where} tag <{self.tag}> was removed; the text around it is kept."


def mark_lines(text):
    """`text` with each swallowing start tag marked with its line, fenced code left alone."""
    text = _PRIVATE.sub("", text)  # nobody types these; they would forge a mark
    pieces, position = [], 0
    for fence in FencedBlockPreprocessor.FENCED_BLOCK_RE.finditer(text):
        pieces.append(_mark(text, position, fence.start()))
        pieces.append(fence.group(0))
        position = fence.end()
    pieces.append(_mark(text, position, len(text)))
    return "".join(pieces)


def _mark(text, start, end):
    def marked(match):
        line = text.count("\n", 0, start + match.start()) + 1
        return f"{match.group(0)}{_MARK_START}{str(line).translate(_DIGITS)}{_MARK_END}"

    return _SOURCE_TAG.sub(marked, text[start:end])


def unmark(text):
    return _PRIVATE.sub("", text)


def neutralise(markup):
    """(markup without swallowing tags, [Removal, …]); run on Markdown's output before nh3."""
    removals, pieces, position = [], [], 0
    end_tags = _EndTags(markup)
    while match := _START_TAG.search(markup, position):
        tag = match.group(1).lower()
        pieces.append(markup[position : match.start()])
        position = match.end()
        end = end_tags.after(tag, position) if tag in DROPPED_WITH_CONTENT else None
        words = ""
        if tag in DROPPED_WITH_CONTENT:
            words = _first_words(markup[position : end.start() if end else position + 2000])
        if end is not None:
            position = end.end()
        removals.append(Removal(tag, _line(match.group(2)), end is not None, words))
    pieces.append(markup[position:])
    markup = _END_TAG.sub("", "".join(pieces))
    # What removing a tag may have joined into a new one ("<scr<script>ipt>") stays text.
    markup = _LEFTOVER.sub("&lt;", markup)
    if removals:
        markup = _EMPTY_PARAGRAPH.sub("", markup)
    return unmark(markup), removals


class _EndTags:
    """Where each `</script>` and `</style>` is, found once (not once per start tag)."""

    def __init__(self, markup):
        self.markup = markup
        self.found = {}

    def after(self, tag, position):
        if tag not in self.found:
            pattern = re.compile(rf"</{tag}(?=[\s/>])[^>]*>?", re.I)
            self.found[tag] = list(pattern.finditer(self.markup))
        ends = self.found[tag]
        index = bisect.bisect_left(ends, position, key=lambda end: end.start())
        return ends[index] if index < len(ends) else None


def _line(digits):
    return int("".join(_UNDIGITS[ord(c)] for c in digits)) if digits else None


def _first_words(fragment):
    fragment = _HEADING_ANCHOR.sub("", unmark(fragment))
    words = html.unescape(strip_tags(fragment)).split()
    quoted = " ".join(words[:QUOTE_WORDS])
    short = quoted[:60].rstrip()
    return short + ("…" if len(words) > QUOTE_WORDS or short != quoted else "")


class InlineSwallowingTags(Extension):
    """Keep Markdown rendering around these tags: read them as inline HTML, not as blocks.

    As blocks, an unclosed one takes the rest of the document raw, Markdown unrendered.
    """

    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        md.block_level_elements = [
            name for name in md.block_level_elements if name not in SWALLOWING
        ]
