"""Fill an empty database with a large, deterministic site for benchmarks (issue 7).

100,000 articles of about 1,500 words (a table and a code block each), 10,000 catalog entries,
5,000 tags and 50 authors take a few minutes: rows go in with bulk_create, in batches, each
batch in its own transaction. Rendering 100,000 bodies through Markdown would take longer than
everything else together, so a pool of body variants is rendered once through the real
renderer and shared; bulk_create skips the write path, so the derived fields come from the
pool.
Bodies are derived by the write path's own function (`article_derive`), and each row's fields
checked by the model's rules; catalog entries go through the catalog's bulk write path
(models_catalog.writes.entries_write). The search index is rebuilt in bulk at the end and every
cached page is invalidated (one announcement, articles/announce.py).
"""

import random
import sys
import time
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils.text import slugify
from taggit.models import Tag

from articles.announce import everything_changed
from articles.models import Article, Author, Category, SearchEntry, TaggedArticle
from articles.rendering.article import article_derive
from articles.writes import article_check_fields
from config.lib.text import slug_from_title
from models_catalog import announce as catalog_announce
from models_catalog.changes import WriteContext
from models_catalog.entries import Entry
from models_catalog.models import MODALITIES, AIModel, Dimension, Grade, License
from models_catalog.writes import entries_write, license_save

BATCH = 1000
GENERATED = WriteContext(source="generate_site")
BODY_VARIANTS = 50
ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)  # fixed, so two runs give the same site
SPAN_DAYS = 3650

TOPICS = (
    "llama mixtral mistral gemma falcon bloom phi qwen claude gpt whisper diffusion "
    "transformer attention tokenizer embedding quantization distillation inference "
    "benchmark leaderboard licence weights dataset alignment evaluation retrieval agent "
    "context latency throughput sparsity experts pruning finetuning adapter lora gguf "
    "multimodal vision speech audio video robotics reasoning safety openness governance"
).split()
WORDS = (
    "the a model of and to in is that for on with as it by this be are from at an or "
    "which data training open source weights release paper team results performance "
    "users can more than when while because each new large small local cloud server "
    "memory hardware cost price token tokens layer layers parameter parameters accuracy "
    "test set score task tasks code library framework community researchers developers "
    "licence terms commercial use access gated closed public private company lab "
    "question answer prompt output input image text audio language languages translation "
    "summary article guide comparison table chart detail history version update"
).split()
KINDS = [k for k, _ in AIModel.Kind.choices]
WEIGHTS = [w for w, _ in AIModel.Weights.choices] + [""]
LICENSE_KINDS = [k for k, _ in License.Kind.choices]
GRADES = [g for g, _ in Grade.choices]
STATUSES = [Article.Status.PUBLISHED] * 96 + [Article.Status.DRAFT] * 3 + [Article.Status.REVIEW]


class Progress:
    """A one-line text progress bar on stderr (no dependency)."""

    def __init__(self, label, total, stream=sys.stderr):
        self.label, self.total, self.stream = label, max(total, 1), stream
        self.done, self.start = 0, time.monotonic()

    def advance(self, n):
        self.done += n
        filled = int(30 * self.done / self.total)
        elapsed = time.monotonic() - self.start
        self.stream.write(
            f"\r{self.label:<16} [{'#' * filled}{'.' * (30 - filled)}] "
            f"{self.done:>7}/{self.total} {elapsed:6.1f}s"
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


def batches(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk(model, rows, label):
    """bulk_create `rows` in batches, one transaction each; returns the saved objects."""
    progress, saved = Progress(label, len(rows)), []
    for chunk in batches(rows):
        with transaction.atomic():
            saved.extend(model.objects.bulk_create(chunk))
        progress.advance(len(chunk))
    return saved


class GenerateError(Exception):
    """The site cannot be generated here (shown to the user as is)."""


def generate_site(*, articles, models, tags, authors, categories, seed):
    """Generate the site into an empty database; returns a one-line summary."""
    if Article.all_objects.exists() or AIModel.objects.exists():
        raise GenerateError("generate_site needs an empty database (migrate a fresh one).")
    _fast_writes()
    started = time.monotonic()
    site = SiteGenerator(seed)
    tag_rows = site.make_tags(tags)
    with catalog_announce.superseded():  # everything_changed() below says it all
        model_rows = site.make_catalog(models, tag_rows)
    site.make_articles(
        articles, site.make_authors(authors), site.make_categories(categories), tag_rows
    )
    progress = Progress("search index", 1)
    everything_changed()  # rows went in without the write path: rebuild the index, every page
    progress.advance(1)
    _analyze()
    count = SearchEntry.objects.count()
    return (
        f"Generated {articles} articles, {len(model_rows)} models, {len(tag_rows)} tags "
        f"({count} search entries) in {time.monotonic() - started:.0f}s."
    )


def _fast_writes():
    with connection.cursor() as cursor:
        # A benchmark database can be generated again: trade durability for speed, and
        # on PostgreSQL compress the large text columns with lz4 (pglz is twice as slow).
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")
            cursor.execute(
                "SELECT set_config('default_toast_compression', 'lz4', false) "
                "FROM pg_settings WHERE name = 'default_toast_compression' "
                "AND 'lz4' = ANY(enumvals)"
            )


def _analyze():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.get_autocommit():
            # Planner statistics for tables that just grew 1,000-fold, and the visibility
            # map: without it PostgreSQL will not use index-only scans (the ids of a deep
            # page) until autovacuum happens to pass, and picks a plan ten times slower.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


class SiteGenerator:
    """The rows of a deterministic site: the same seed gives the same site."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    # -- vocabulary -------------------------------------------------------------------------

    def sentence(self, length=14):
        words = [self.rng.choice(WORDS) for _ in range(length)]
        words[self.rng.randrange(length)] = self.rng.choice(TOPICS)
        return " ".join(words).capitalize() + "."

    def paragraph(self, sentences=6):
        return " ".join(self.sentence(self.rng.randint(10, 20)) for _ in range(sentences))

    def title(self):
        first, second = self.rng.sample(TOPICS, 2)
        pattern = self.rng.choice(
            ["{a} vs {b}: what changed", "How {a} meets {b}", "A guide to {a} and {b}",
             "{a} for {b}, explained", "Notes on {a}: the {b} question"]
        )  # fmt: skip
        return pattern.format(a=first.capitalize(), b=second)

    def make_tags(self, count):
        names, seen = [], set()
        while len(names) < count:
            name = " ".join(self.rng.sample(TOPICS, self.rng.choice([1, 2, 2, 3])))
            if len(names) >= len(TOPICS) * 4:
                name = f"{name} {len(names)}"
            if name not in seen:
                seen.add(name)
                names.append(name)
        rows = [Tag(name=name, slug=slugify(name)) for name in names]
        return bulk(Tag, rows, "tags")

    def pick_tags(self, tags, low, high):
        """A few tags, skewed to the first ones, so some tags are on many pages."""
        k = self.rng.randint(low, high)
        picked = {int(len(tags) * self.rng.random() ** 3) for _ in range(k)}
        return [tags[i] for i in picked]

    # -- catalog ----------------------------------------------------------------------------

    def make_catalog(self, count, tags):
        """Catalog entries through the catalog's own bulk write path (models_catalog.writes),
        which derives, validates and writes them in batches; one Change per entry."""
        for i in range(20):
            license_save(
                License(
                    name=f"Licence {i:02d}", kind=LICENSE_KINDS[i % 4], osi_approved=i % 3 == 0
                ),
                GENERATED,
            )
        descriptions = [self.paragraph(5) + "\n\n" + self.paragraph(4) for _ in range(20)]
        entries = [self.catalog_entry(i, tags, descriptions) for i in range(count)]
        progress = Progress("models", len(entries))
        changes = []
        for start in range(0, len(entries), BATCH):
            changes += entries_write(entries[start : start + BATCH], GENERATED)
            progress.advance(min(BATCH, len(entries) - start))
        return changes

    def catalog_entry(self, i, tags, descriptions):
        family = f"{self.rng.choice(TOPICS).capitalize()} {i // 5}"
        grades = {d: self.rng.choice(GRADES) for d in Dimension.values if self.rng.random() < 0.8}
        modalities = self.rng.sample(MODALITIES, self.rng.randint(1, 2))
        values = {
            "name": f"{family} {self.rng.choice([1, 3, 7, 8, 13, 34, 70, 405])}B v{i % 5}",
            "family": family,
            "kind": self.rng.choice(KINDS),
            "release_date": ANCHOR.date() - timedelta(days=self.rng.randrange(SPAN_DAYS)),
            "release_date_precision": AIModel.Precision.DAY,
            "summary": self.sentence(18),
            "description": descriptions[i % len(descriptions)],
            "weights": self.rng.choice(WEIGHTS),
            "parameters": self.rng.choice([None, 10**9 * self.rng.randint(1, 400)]),
            "context_window": self.rng.choice([None, 4096, 8192, 32768, 128000]),
            "api": self.rng.choice([True, False, None]),
        }
        return Entry(
            slug=f"model-{i:05d}",
            values=values,
            organization=f"Lab {self.rng.randrange(200):03d}",
            license=f"Licence {self.rng.randrange(20):02d}",
            tags=sorted({tag.name for tag in self.pick_tags(tags, 2, 5)}, key=str.lower),
            grades={d: (grade, "", "") for d, grade in grades.items()},
            input_modalities=modalities,
            output_modalities=["text"],
        )

    # -- publication ------------------------------------------------------------------------

    def make_authors(self, count):
        rows = [
            Author(
                name=f"Author {i:02d} Writer",
                slug=f"author-{i:02d}",
                bio="Writes about models.",
                bio_html="<p>Writes about models.</p>",
            )
            for i in range(count)
        ]
        return bulk(Author, rows, "authors")

    def make_categories(self, count):
        rows = [
            Category(name=f"Section {i:02d}", slug=f"section-{i:02d}", description="A section.")
            for i in range(count)
        ]
        return bulk(Category, rows, "categories")

    def body(self, variant):
        """About 1,500 words of Markdown: sections, a table and a fenced code block."""
        parts = [self.paragraph(5)]
        for section in range(7):
            parts.append(f"## {self.rng.choice(TOPICS).capitalize()} part {section + 1}")
            parts.extend(self.paragraph(self.rng.randint(6, 8)) for _ in range(2))
            if section == 2:
                parts.append(
                    "| Model | Parameters | Licence |\n|---|---:|---|\n"
                    + "\n".join(
                        f"| {self.rng.choice(TOPICS)} {n} | {n}B | Licence {variant} |"
                        for n in (7, 13, 70)
                    )
                )
            if section == 4:
                parts.append(
                    "```python\nfrom transformers import pipeline\n\n"
                    f'generate = pipeline("text-generation", model="{self.rng.choice(TOPICS)}")\n'
                    'print(generate("Hello", max_new_tokens=20))\n```'
                )
        return "\n\n".join(parts) + "\n"

    def body_pool(self):
        pool, progress = [], Progress("body variants", BODY_VARIANTS)
        for variant in range(BODY_VARIANTS):
            source = self.body(variant)
            pool.append((source, article_derive(Article(body=source)).fields()))
            progress.advance(1)
        return pool

    def make_articles(self, count, authors, categories, tags):
        pool = self.body_pool()
        rows = [self.article_row(i, count, pool, authors, categories) for i in range(count)]
        progress = Progress("articles", count)
        for chunk in batches(rows):
            for article in chunk:
                article_check_fields(article)
            with transaction.atomic():
                saved = Article.objects.bulk_create(chunk)
                TaggedArticle.objects.bulk_create(
                    [
                        TaggedArticle(content_object=article, tag=tag)
                        for article in saved
                        for tag in self.pick_tags(tags, 3, 6)
                    ]
                )
            progress.advance(len(chunk))

    def article_row(self, i, count, pool, authors, categories):
        source, derived = pool[self.rng.randrange(len(pool))]
        status = self.rng.choice(STATUSES)
        # Spread over ten years; newer numbers are newer, a little shuffled within days.
        published = ANCHOR - timedelta(
            seconds=int(SPAN_DAYS * 86400 * (count - i) / count) + self.rng.randrange(3600)
        )
        title = f"{self.title()} ({i})"
        return Article(
            title=title,
            slug=slug_from_title(title, 190),
            dek=self.sentence(24),
            body=source,
            **derived,
            category=categories[int(len(categories) * self.rng.random() ** 2)],
            author=self.rng.choice(authors),
            status=status,
            published_at=published if status == Article.Status.PUBLISHED else None,
        )
