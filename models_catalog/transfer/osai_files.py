"""Read the European Open Source AI Index's own files: one YAML file per system, in one flat
folder (format: the index's guidelines; ../shared/osai/README.md for ModelPress).

Each file becomes a System, or the whole folder is refused with RowError(file, field,
message) for every problem found: nothing here writes. `a_submission_template.yaml` is the
index's blank template and is skipped. Classes are open, partial or closed (older files put
a coloured square before the word; empty means not applicable); a link is empty, one URL, a
list of them, or a URL followed by words.

PyYAML (pinned in requirements.lock already; now named in pyproject.toml) reads the files,
with `safe_load` only: the standard library has no YAML reader.
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError

from config.lib.text import LINE, TEXT, clean, problem
from models_catalog.models import FILE_KEYS, Dimension
from models_catalog.models.validation import WEB_URL
from models_catalog.transfer.files import ImportFailed, RowError

SUFFIXES = {".yaml", ".yml"}
# libyaml's safe loader when PyYAML was built with it: the demo's 193 files read in 0.49 s of
# CPU with the pure-Python one, 0.12 s with libyaml.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TEMPLATE = "a_submission_template"
SYSTEM_TEXTS = [
    "name", "type", "performanceclass", "basemodelname", "endmodelname",
    "endmodellicense", "releasedate", "notes",
]  # fmt: skip
CLASSES = {"open", "partial", "closed"}
_URL = re.compile(r"https?://[^\s<>\"']+")
_MONTHS = {
    m: n for n, m in enumerate(("jan feb mar apr may jun jul aug sep oct nov dec").split(), 1)
}
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_YEAR_NAMED = re.compile(r"^(\d{4})[ -]([a-z]{3})[a-z]*\.?$|^([a-z]{3})[a-z]*\.? (\d{4})$")


@dataclass
class System:
    """One file of the index, read."""

    file: str
    texts: dict  # SYSTEM_TEXTS, "link" (the first web address given) and "org.name"
    release: tuple = (None, "")  # (date, precision) of `releasedate`; (None, "") unknown
    grades: dict = field(default_factory=dict)  # {dimension: {grade, links, notes}}

    def __getattr__(self, name):
        try:
            return self.__dict__["texts"][name]
        except KeyError:
            raise AttributeError(name) from None


def index_files(directory):
    """The index's system files in `directory`, by name (the template left out)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ImportFailed([RowError(str(directory), "", "is not a folder")])
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix.lower() in SUFFIXES
        and path.is_file()
        and not path.name.startswith(".")
        and not path.stem.lower().startswith(TEMPLATE)
    )


def read_index(directory, progress=None):
    """[System] for every file of `directory`; ImportFailed naming each bad file and field."""
    paths = index_files(directory)
    systems, errors = [], []
    for done, path in enumerate(paths, start=1):
        system, found = read_system(path)
        errors.extend(found)
        if system is not None and not found:
            systems.append(system)
        if progress:
            progress("Reading", done, len(paths))
    if errors:
        raise ImportFailed(errors)
    return systems


def read_system(path):
    """(System or None, [RowError]) for one file."""
    errors = []

    def error(name, message):
        errors.append(RowError(path.name, name, message))

    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as failure:
        where = getattr(failure, "problem_mark", None)
        line = f" (line {where.line + 1})" if where else ""
        return None, [RowError(path.name, "", f"not a readable YAML file{line}")]
    if not isinstance(data, dict) or not isinstance(data.get("system"), dict):
        return None, [RowError(path.name, "system", "missing: the file describes no system")]
    texts = _texts(data["system"], "system", SYSTEM_TEXTS, error)
    org = data.get("org") or {}
    if not isinstance(org, dict):
        error("org", "expected name, link and notes")
        org = {}
    texts.update(_texts(org, "org", ["name"], error))
    texts = {key.removeprefix("system."): value for key, value in texts.items()}
    if not texts["name"]:
        error("system.name", "missing: every system has a name")
    # The system's own page: the first web address given (some files list several).
    urls = [link["url"] for link in _links(data["system"].get("link"), "system.link", error)]
    texts["link"] = next((url for url in urls if url), "")
    release = _release(texts["releasedate"], error)
    grades = {}
    for dimension in Dimension:
        key = FILE_KEYS.get(dimension.value, dimension.value)
        if key in data and data[key] is not None:
            grades[dimension.value] = _grade(key, data[key], error)
    return System(path.name, texts, release, grades), errors


def _texts(mapping, prefix, names, error):
    """{prefix.name: cleaned text} for `names` of `mapping` ("" when missing or empty)."""
    found = {}
    for name in names:
        key = f"{prefix}.{name}"
        found[key] = _text(mapping.get(name), key, error, TEXT if name == "notes" else LINE)
    return found


def _text(value, key, error, kind=LINE):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float | datetime.date):
        error(key, "expected text")
        return ""
    value = str(value).strip()
    if kind == LINE and (message := problem(value, LINE)):
        error(key, message)
    return clean(value, kind)


def _release(text, error):
    """(date, precision) for YYYY, YYYY-MM, YYYY-MM-DD, "2024 NOV" or "Nov 2024"."""
    if not text:
        return None, ""
    value = text.strip().lower()
    try:
        if match := _YEAR_MONTH.match(value):
            year, month, day = match.groups()
            precision = "day" if day else "month" if month else "year"
            return datetime.date(int(year), int(month or 1), int(day or 1)), precision
        if (match := _YEAR_NAMED.match(value)) and (month := _named_month(match)):
            return datetime.date(int(match[1] or match[4]), month, 1), "month"
    except ValueError:
        pass
    error("system.releasedate", f"{text!r} is not a date (YYYY-MM, or like 2024 NOV)")
    return None, ""


def _named_month(match):
    return _MONTHS.get(match[2] or match[3])


def _grade(key, found, error):
    """{grade, links, notes} of one dimension's mapping."""
    if not isinstance(found, dict):
        error(key, "expected class, link and notes")
        return {"grade": "", "links": [], "notes": ""}
    grade = _class(found.get("class"), f"{key}.class", error)
    links = _links(found.get("link"), f"{key}.link", error)
    notes = _text(found.get("notes"), f"{key}.notes", error, TEXT)
    return {"grade": grade, "links": links, "notes": notes}


def _class(value, key, error):
    """open, partial, closed or "" (not applicable), an emoji or other marks before it."""
    if value is None:
        return ""
    if not isinstance(value, str):
        error(key, f"{value!r} is not open, partial or closed")
        return ""
    word = re.sub(r"^[^a-z]+", "", value.strip().lower())
    if word and word not in CLASSES:
        error(key, f"{value!r} is not open, partial or closed (or empty: not applicable)")
        return ""
    return word


def _links(value, key, error):
    """[{url, text}] from empty, one URL, a list, or "URL followed by text"."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    links = []
    for item in items:
        if item is None or item == "":
            continue
        if not isinstance(item, str):
            error(key, "expected a web address or a list of them")
            continue
        links.extend(_split_link(item.strip()))
    for link in links:
        if (message := problem(link["url"] + link["text"], LINE)) or (
            link["url"] and not _is_url(link["url"])
        ):
            error(key, message or f"not a web address: {link['url']!r}")
    return links


def _split_link(text):
    """'https://a b https://c' -> [{url: https://a, text: b}, {url: https://c, text: ''}]."""
    found = list(_URL.finditer(text))
    if not found:
        return [{"url": "", "text": text}]
    links = []
    for n, match in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else len(text)
        url = match.group().rstrip(".,;)")
        words = text[match.start() + len(url) : end].strip(" .,;()-")
        links.append({"url": url, "text": words})
    before = text[: found[0].start()].strip(" ,;:-")
    if before:
        links[0]["text"] = f"{before} {links[0]['text']}".strip()
    return links


def _is_url(value):
    try:
        WEB_URL(value)
    except ValidationError:
        return False
    return len(value) <= 500
