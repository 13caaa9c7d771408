"""The demo publication from `articles/demo/` (Markdown files with a front-matter block),
and the demo staff accounts.

Idempotent: everything is matched by slug, so loading twice creates no duplicates. Articles
are written through the one write path (articles/writes.py).
"""

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from articles.announce import announcing
from articles.models import Article, Author, Category
from articles.writes import article_save

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"
DEMO_ACCOUNTS = [
    # (username, password, group, superuser)
    ("editor", "modelpress-editor", "Editors", False),
    ("author", "modelpress-author", "Authors", False),
]
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
def load_demo_articles(demo_dir=DEMO_DIR):
    """Categories, authors and articles from `demo_dir`; returns how many articles.

    Every write announces itself, and the whole load says so once (one re-index, one cache
    invalidation) when it ends.
    """
    now = timezone.now()
    with announcing():
        for row in json.loads((demo_dir / "categories.json").read_text()):
            Category.objects.update_or_create(
                slug=row["slug"],
                defaults={"name": row["name"], "description": row["description"]},
            )
        for row in json.loads((demo_dir / "authors.json").read_text()):
            author = Author.objects.filter(slug=row["slug"]).first() or Author(slug=row["slug"])
            author.name, author.bio = row["name"], row["bio"]
            author.website = row.get("website", "")
            author.save()
        paths = sorted(demo_dir.glob("*.md"))
        for path in paths:
            _load_article(*parse_front_matter(path.read_text()), now=now)
    return len(paths)


def _load_article(meta, body, now):
    article = Article.objects.filter(slug=meta["slug"]).first() or Article(slug=meta["slug"])
    article.title = meta["title"]
    article.dek = meta["dek"]
    article.body = body
    article.category = Category.objects.get(slug=meta["category"])
    article.author = Author.objects.get(slug=meta["author"])
    article.status = meta["status"]
    if article.pk is None or not _RELATIVE.match(meta.get("published_at", "")):
        article.published_at = _parse_when(meta.get("published_at", ""), now)
    tags = [t.strip() for t in meta.get("tags", "").split(";") if t.strip()]
    article_save(article, tags=tags)
    # The demo's "last modified" stamps are the files' (an edit long after publication…),
    # not the moment of loading: set after the write, which stamps the current time.
    updated = _parse_when(meta.get("updated_at", ""), now) or article.published_at or now
    Article.objects.filter(pk=article.pk).update(updated_at=updated)


def create_demo_accounts(stdout):
    """The demo staff accounts (DEMO_ACCOUNTS), in their groups; the author gets a byline."""
    User = get_user_model()
    stdout.write("Demo accounts (development only):")
    for username, password, group_name, is_superuser in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = True
        user.is_superuser = is_superuser
        user.set_password(password)
        user.save()
        group = Group.objects.filter(name=group_name).first()
        if group:
            user.groups.add(group)
        stdout.write(f"  {username:<8} password: {password}   ({group_name})")
    author_user = User.objects.get(username="author")
    Author.objects.filter(user__isnull=True, slug__in=_author_slugs_for("author")).update(
        user=author_user
    )
    stdout.write("  Log in at http://127.0.0.1:8000/admin/")


def _author_slugs_for(username, demo_dir=DEMO_DIR):
    rows = json.loads((demo_dir / "authors.json").read_text())
    return [row["slug"] for row in rows if row.get("username") == username]
