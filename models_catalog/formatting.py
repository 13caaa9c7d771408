"""Parse and print the catalog's compact notations: `7B`, `128k`, `2024-07`.

The importer parses with these and the exporter and templates print with them, so a value
survives export -> import -> export unchanged.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

SUFFIXES = {"k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}
_COUNT = re.compile(r"^(?P<number>\d+(?:\.\d+)?)\s*(?P<suffix>[kmbt])?$", re.IGNORECASE)
_DATE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


def parse_count(value):
    """`7B`, `1.5T`, `350M`, `128k` or a plain integer -> int. None/'' -> None.

    Raises ValueError for anything else, including negative numbers and fractions of one.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("expected a number such as 7000000000 or 7B")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("must not be negative")
        return value
    text = str(value).strip().replace(",", "").replace("_", "")
    if text.startswith("-"):
        raise ValueError("must not be negative")
    match = _COUNT.match(text)
    if not match:
        raise ValueError(f"{value!r} is not a number such as 7000000000, 7B, 1.5T or 128k")
    number = Decimal(match["number"])
    if match["suffix"]:
        number *= SUFFIXES[match["suffix"].lower()]
    if number != number.to_integral_value():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


def compact_count(value):
    """The shortest exact form: 8000000000 -> '8B', 46700000000 -> '46.7B', 1234 -> '1234'."""
    if value is None:
        return ""
    for suffix, size in (("T", 10**12), ("B", 10**9), ("M", 10**6)):
        if value >= size:
            scaled = Decimal(value) / size
            text = format(scaled.normalize(), "f")
            if len(text.replace(".", "")) <= 5:
                return f"{text}{suffix}"
    return str(value)


def human_tokens(value):
    """128000 -> '128K', 1000000 -> '1M', 4096 -> '4,096'."""
    if value is None:
        return ""
    if value >= 10**6 and value % 10**5 == 0:
        return f"{format((Decimal(value) / 10**6).normalize(), 'f')}M"
    if value >= 10**3 and value % 10**3 == 0:
        return f"{value // 10**3}K"
    return f"{value:,}"


def parse_decimal(value):
    """A non-negative price; None/'' -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("expected a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a number")
    if number < 0:
        raise ValueError("must not be negative")
    return number


def plain_decimal(value):
    """Decimal('5.0000') -> '5', Decimal('0.1500') -> '0.15'."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def money(value):
    """Dollars as prices are written: 5 -> '$5', 2.5 -> '$2.50', 0.075 -> '$0.075'."""
    text = plain_decimal(value)
    whole, _, cents = text.partition(".")
    return f"${whole}.{cents.ljust(2, '0')}" if cents else f"${whole}"


def parse_release_date(value):
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` -> (date, precision); None/'' -> (None, '')."""
    if value is None or value == "":
        return None, ""
    match = _DATE.match(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)
    precision = "day" if match["day"] else "month" if match["month"] else "year"
    try:
        return datetime.date(year, month, day), precision
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


def format_release_date(date, precision, style="iso"):
    """The date at its stored precision: iso '2024-07' or human 'July 2024'."""
    if date is None:
        return ""
    if style == "iso":
        return date.strftime({"year": "%Y", "month": "%Y-%m"}.get(precision, "%Y-%m-%d"))
    if precision == "year":
        return str(date.year)
    if precision == "month":
        return date.strftime("%B %Y")
    return f"{date.day} {date.strftime('%B %Y')}"


def split_list(value):
    """'text; image;' -> ['text', 'image'] (the files' `;`-separated lists)."""
    return [part.strip() for part in (value or "").split(";") if part.strip()]


_PARAMETERS = re.compile(
    r"^(?P<total>[^()]*?)\s*(?:\(\s*(?P<active>[^()]*?)\s+active\s*\))?$", re.IGNORECASE
)


def parse_parameters(value):
    """'141B (39B active)' -> (141000000000, 39000000000); '12B' -> (12000000000, None).

    A total of '' or '?' is unknown (None). ValueError for anything else.
    """
    match = _PARAMETERS.match((value or "").strip())
    if not match:
        raise ValueError(f"{value!r} is not a size such as 12B, 6.9B or 141B (39B active)")
    total = match["total"].strip()
    total = None if total in ("", "?") else parse_count(total)
    active = parse_count(match["active"]) if match["active"] else None
    return total, active


def format_parameters(total, active):
    """The other way round: (141000000000, 39000000000) -> '141B (39B active)'."""
    text = compact_count(total) if total is not None else ("?" if active is not None else "")
    return f"{text} ({compact_count(active)} active)" if active is not None else text
