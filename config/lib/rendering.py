"""Markdown to safe HTML, shared by every app that stores Markdown.

Rendering happens once, when an object is saved; templates only ever mark the stored `*_html`
fields safe. Output goes through nh3 (an allow-list HTML sanitiser, Rust's ammonia) so that
whatever an editor pastes, no script, event handler, iframe, style or javascript:/data: URL
reaches a reader.
"""

import math
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.text import slugify
from markdown.extensions import Extension
from markdown.extensions.codehilite import CodeHiliteExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor
from pygments.token import STANDARD_TYPES

from config.lib import raw_text

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title"},
    "a": {"href", "class"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "span": {"class"},
    "pre": {"class"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes", "class", "decoding"},
    "ol": {"start"},
    "li": {"class"},
    "sup": {"class"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Classes the renderer itself emits (code highlighting, table of contents, footnotes, model
# references). Any other class an editor types, such as a site layout class like
# "skip-link" or "visually-hidden", is dropped: a body must not borrow the site's CSS to
# overlay or hide parts of the page (issue 8).
MARKUP_CLASSES = {
    "codehilite", "hll", "toc", "heading-anchor", "footnote", "footnote-ref",
    "footnote-backref", "model-ref", "badge", "table-scroll",
    *filter(None, STANDARD_TYPES.values()),
}  # fmt: skip
MARKUP_CLASS_PATTERN = re.compile(r"(language-[\w+#.-]+|badge--[a-z-]+)")
WORDS_PER_MINUTE = 230
CAPTION_PREFIX = "Table:"
_WORD = re.compile(r"\w+")


_URL_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop these before reading a URL


def _safe_url(url):
    scheme = _URL_SCHEME.match(_URL_IGNORED.sub("", url))
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def _attribute_filter(tag, attribute, value):
    """Second line behind nh3: classes from the renderer only; URLs of safe schemes only.

    nh3 checks `href` and `src` itself but not every way a browser reads them (a tab inside
    "java\tscript:"), and it does not look inside `srcset` at all.
    """
    if attribute == "class":
        names = value.split()
        kept = [n for n in names if n in MARKUP_CLASSES or MARKUP_CLASS_PATTERN.fullmatch(n)]
        return " ".join(kept) or None
    if attribute in ("href", "src") and not _safe_url(value):
        return None
    if attribute == "srcset":
        candidates = [part.strip().split(" ")[0] for part in value.split(",")]
        if not all(_safe_url(url) for url in candidates):
            return None
    return value


def sanitize_html(html):
    """Keep only the allow-listed tags, attributes, classes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _heading_slug(value, separator):
    return slugify(value) or "section"


@dataclass
class Rendered:
    html: str
    toc_html: str = ""
    headings: list = field(default_factory=list)
    word_count: int = 0
    # What was taken out because it would have swallowed the text after it (config/lib/raw_text.py).
    removed: list = field(default_factory=list)

    @property
    def reading_time(self):
        """Whole minutes, at least one."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))


def _flatten(tokens):
    for token in tokens:
        yield token
        yield from _flatten(token.get("children", []))


class _AccessibleTables(Treeprocessor):
    """Tables readers of every kind can follow: header cells say what they head.

    Column headers get scope="col"; the first cell of each body row becomes its row header
    (th scope="row": explainer tables are "parameter | value | value"). A paragraph written
    `Table: what this table shows` right above a table becomes its <caption>. Each table
    is wrapped in <div class="table-scroll">, the box a wide table scrolls in on a phone
    (issue 17), so the page itself never gets wider than the screen.
    """

    def run(self, root):
        for parent in list(root.iter()):
            children = list(parent)
            for index, table in enumerate(children):
                if table.tag != "table":
                    continue
                for cell in table.iter("th"):
                    cell.set("scope", "col")
                for row in table.iter("tr"):
                    if len(row) and row[0].tag == "td":
                        row[0].tag = "th"
                        row[0].set("scope", "row")
                before = children[index - 1] if index else None
                if (
                    before is not None
                    and before.tag == "p"
                    and len(before) == 0
                    and (before.text or "").startswith(CAPTION_PREFIX)
                ):
                    caption = etree.Element("caption")
                    caption.text = before.text[len(CAPTION_PREFIX) :].strip()
                    table.insert(0, caption)
                    parent.remove(before)
                self._wrap(parent, table)

    @staticmethod
    def _wrap(parent, table):
        box = etree.Element("div", {"class": "table-scroll"})
        parent.insert(list(parent).index(table), box)
        parent.remove(table)
        box.tail, table.tail = table.tail, None
        box.append(table)


class _AccessibleTablesExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_AccessibleTables(md), "accessible_tables", 5)


def render_markdown(text, preprocessors=(), extensions=()):
    """Render Markdown `text` into sanitised HTML plus its table of contents.

    `preprocessors` are callables str -> str run on the source first; `extensions` are extra
    Markdown extensions (the articles app adds one for `[[model:slug]]` references).
    """
    # Line numbers are the writer's: marked before anything adds or folds lines.
    text = raw_text.mark_lines((text or "").replace("\r\n", "\n").replace("\r", "\n"))
    for preprocess in preprocessors:
        text = preprocess(text)
    md = _markdown(extensions)
    html, removed = raw_text.neutralise(md.convert(text))
    html = sanitize_html(html)
    headings = [
        {"id": t["id"], "name": raw_text.unmark(strip_tags(t["name"])), "level": t["level"]}
        for t in _flatten(md.toc_tokens)
    ]
    toc_html = sanitize_html(raw_text.neutralise(md.toc)[0]) if headings else ""
    words = len(_WORD.findall(strip_tags(html)))
    return Rendered(
        html=html,
        toc_html=toc_html,
        headings=headings,
        word_count=words,
        removed=[str(removal) for removal in removed],
    )


def _markdown(extensions):
    return markdown.Markdown(
        extensions=[
            TableExtension(use_align_attribute=True),
            "fenced_code",
            CodeHiliteExtension(css_class="codehilite", guess_lang=False),
            TocExtension(
                toc_depth="2-3",
                slugify=_heading_slug,
                permalink="#",
                permalink_class="heading-anchor",
                permalink_title="Link to this section",
            ),
            "footnotes",
            "sane_lists",
            "abbr",
            "def_list",
            _AccessibleTablesExtension(),
            raw_text.InlineSwallowingTags(),
            *extensions,
        ],
        output_format="html",
    )
