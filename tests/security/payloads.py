"""The hostile-input corpus (tests/data/xss_payloads.txt) and a checker for rendered HTML."""

import re
from html.parser import HTMLParser
from pathlib import Path

from config.lib.rendering import ALLOWED_TAGS

DATA = Path(__file__).resolve().parent.parent / "data"
FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "textarea", "select", "svg", "math", "base", "meta", "link", "style",
    "template", "noscript", "video", "audio", "source", "portal", "dialog", "area", "map",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "srcset", "cite", "action", "formaction", "background", "poster",
    "data", "xlink:href", "dynsrc", "lowsrc", "codebase", "ping",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}
LAYOUT_CLASSES = {"skip-link", "visually-hidden", "wrap", "site-header", "preview-banner"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def load_payloads():
    """Every payload; a literal backslash-n inside one stands for a line break."""
    lines = (DATA / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    return [
        line.replace("\\n", "\n") for line in lines if line.strip() and not line.startswith("# ")
    ]


def _urls(attribute, value):
    if attribute == "srcset":
        return [part.strip().split(" ")[0] for part in value.split(",")]
    return [value]


def _scheme(url):
    """The scheme a browser would see: entities are already decoded by the parser."""
    match = _SCHEME.match(_INVISIBLE.sub("", url).lower())
    return match.group(1) if match else None


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS or tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=>")
            if name == "style":
                self.problems.append(f"<{tag} style=>")
            if name in URL_ATTRIBUTES:
                for url in _urls(name, value):
                    scheme = _scheme(url)
                    if scheme is not None and scheme not in SAFE_SCHEMES:
                        self.problems.append(f"<{tag} {name}={url!r}>")
            if name == "class" and LAYOUT_CLASSES & set(value.split()):
                self.problems.append(f"<{tag} class={value!r}>")

    handle_startendtag = handle_starttag


def html_problems(html):
    """What in `html` could run script, load from a bad URL or restyle the page; [] if none."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    lowered = html.lower()
    raw = [
        f"raw {needle}" for needle in ("<script", "<svg", "<math", "<iframe") if needle in lowered
    ]
    return collector.problems + raw
