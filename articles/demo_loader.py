"""Load the demo publication from `articles/demo/` (Markdown files with a front-matter block).

Idempotent: everything is matched by slug, so loading twice creates no duplicates.
"""

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from articles.models import Article, Author, Category

DEMO_DIR = Path(__file__).resolve().parent / "demo"
_RELATIVE = re.compile(r"^\+(\d+)d$")


def parse_front_matter(text):
    """Split `---`-fenced `key: value` lines from the Markdown body."""
    if not text.startswith("---"):
        raise ValueError("missing front matter")
    _, header, body = text.split("---", 2)
    meta = {}
    for line in header.strip().splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    return meta, body.lstrip("\n")


def _parse_when(value, now):
    if not value:
        return None
    if match := _RELATIVE.match(value):
        return now + timedelta(days=int(match.group(1)))
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@transaction.atomic
def load_demo_articles(demo_dir=DEMO_DIR, stdout=None):
    now = timezone.now()
    for row in json.loads((demo_dir / "categories.json").read_text()):
        Category.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"], "description": row["description"]}
        )
    for row in json.loads((demo_dir / "authors.json").read_text()):
        author = Author.objects.filter(slug=row["slug"]).first() or Author(slug=row["slug"])
        author.name, author.bio, author.website = row["name"], row["bio"], row.get("website", "")
        author.save()
    count = 0
    for path in sorted(demo_dir.glob("*.md")):
        meta, body = parse_front_matter(path.read_text())
        article = Article.objects.filter(slug=meta["slug"]).first() or Article(slug=meta["slug"])
        article.title = meta["title"]
        article.dek = meta["dek"]
        article.body = body
        article.category = Category.objects.get(slug=meta["category"])
        article.author = Author.objects.get(slug=meta["author"])
        article.status = meta["status"]
        if article.pk is None or not _RELATIVE.match(meta.get("published_at", "")):
            article.published_at = _parse_when(meta.get("published_at", ""), now)
        article.save()
        article.tags.set([t.strip() for t in meta.get("tags", "").split(";") if t.strip()])
        updated = _parse_when(meta.get("updated_at", ""), now) or article.published_at or now
        Article.objects.filter(pk=article.pk).update(updated_at=updated)
        count += 1
    return count
