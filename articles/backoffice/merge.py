"""Three-way merge of a change form against a newer save (issue 14).

The form remembers the version it was opened from (base). When someone else saved since,
each field is compared three ways, base (the revision of that version), mine (the form) and
theirs (the stored row): a field only I changed takes mine, a field only they changed keeps
theirs, tags merge as sets (my additions and removals applied to theirs), and a field we both
changed differently is a conflict that the person saving resolves. A field without a known
base value (no revision of that version, or a revision older than the field) counts as
changed on both sides whenever mine and theirs differ, so nothing is written on a guess.
"""

from datetime import UTC, datetime

from config.lib.text import clean

# (field, label) in the order the form shows them; every one is in a revision's snapshot.
MERGED_FIELDS = [
    ("title", "Title"),
    ("slug", "Slug"),
    ("dek", "Dek"),
    ("body", "Body"),
    ("hero_image", "Hero image"),
    ("tags", "Tags"),
    ("category", "Category"),
    ("author", "Author"),
    ("status", "Status"),
    ("published_at", "Published at"),
    ("review_comment", "Comment from the editors"),
    ("seo_title", "SEO title"),
    ("seo_description", "SEO description"),
]
LABELS = dict(MERGED_FIELDS)
KEYS = ("category", "author", "hero_image")
MINE, THEIRS = "mine", "theirs"
_UNKNOWN = object()


def norm(key, value):
    """`value` of field `key` (form value, stored value or snapshot value) for comparing."""
    if key in KEYS:
        return getattr(value, "pk", value)
    if key == "published_at":
        if not value:
            return None
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        return when.astimezone(UTC).replace(microsecond=0)  # a form round trip drops them
    if key == "tags":
        return frozenset(name.strip().lower() for name in value or [])
    # Whitespace at the ends and CR LF are not edits: forms and the text rule drop them.
    return clean(str(value or "")).strip()


def merge_tags(base, mine, theirs):
    """Theirs, plus the tags I added, minus the tags I removed (names compared without case)."""
    base_set, mine_set = norm("tags", base), norm("tags", mine)
    added = [name for name in mine if name.strip().lower() not in base_set]
    removed = base_set - mine_set
    merged = [name for name in theirs if name.strip().lower() not in removed]
    seen = norm("tags", merged)
    for name in added:
        if name.strip().lower() not in seen:
            merged.append(name)
            seen |= {name.strip().lower()}
    return merged


def three_way(base, mine, theirs):
    """Compare per field; returns ({field: MINE or THEIRS}, merged tags or None, conflicts).

    `base` is a revision snapshot (or None when there is none), `mine` and `theirs` map the
    form's fields to values. A field both sides changed differently is in `conflicts`, not in
    the choices.
    """
    base = base if base is not None else {}
    choices, conflicts, tags = {}, [], None
    for key in mine:
        before = base.get(key, _UNKNOWN)
        if key == "tags" and before is not _UNKNOWN:
            tags = merge_tags(before, mine[key], theirs[key])
            continue
        a, b = norm(key, mine[key]), norm(key, theirs[key])
        if a == b:
            choices[key] = MINE
        elif before is not _UNKNOWN and a == norm(key, before):
            choices[key] = THEIRS
        elif before is not _UNKNOWN and b == norm(key, before):
            choices[key] = MINE
        else:
            conflicts.append(key)
    return choices, tags, conflicts


def show(key, value):
    """A field's value as text for the conflict panel."""
    if key == "tags":
        return ", ".join(value or [])
    if key == "published_at":
        when = norm(key, value)
        return when.strftime("%Y-%m-%d %H:%M:%S UTC") if when else ""
    if value is None:
        return ""
    return str(value)
