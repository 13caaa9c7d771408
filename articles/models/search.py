"""The search index's rows (the engines and queries are in articles/search/)."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import CharField, F, Func
from django.db.models.functions import Lower
from django.urls import reverse

from articles.announce import AnnouncedOnWrite

# What a catalog entry's name reads as when a reader types it without its punctuation
# ("gpt4o" for GPT-4o): lower case, these marks removed.
NAME_PUNCTUATION = " -._/()"


class Without(Func):
    """REPLACE(text, '<mark>', ''), the mark written into the SQL rather than passed as a
    parameter: SQLite uses an expression index only for the index's literal text."""

    function = "REPLACE"
    output_field = CharField()

    def __init__(self, expression, mark):
        if not mark or set(mark) & set("'%\\"):
            raise ValueError(f"{mark!r} cannot be written into SQL as it is")
        self.mark = mark
        super().__init__(expression, template=f"%(function)s(%(expressions)s, '{mark}', '')")


def name_key():
    """The entry's title as `NAME_PUNCTUATION`-free lower case, in SQL (both databases).

    The search page compares it with what the reader typed (articles/search/results.py
    `named_models`); the `searchentry_name_key` index holds the same expression, so that
    comparison is an index lookup rather than this chain computed for every catalog entry.
    """
    key = Lower("title")
    for mark in NAME_PUNCTUATION:
        key = Without(key, mark)
    return key


class SearchEntry(models.Model):
    """One searchable thing: a published article or a catalog entry (articles/search/).

    Rows are written by the index backend (articles/search/indexing.py), never by hand, when a
    write path announces a change (config/lib/indexing.py). The full-text index
    lives beside them: a weighted `search_vector` kept by a trigger on PostgreSQL, an FTS5
    table kept by triggers on SQLite (migration 0002). Visibility is decided at query time,
    through `Article.objects.published()`, so a scheduled article appears on time.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        MODEL = "model", "Model"

    kind = models.CharField(max_length=10, choices=Kind)
    object_id = models.PositiveBigIntegerField()
    slug = models.SlugField(max_length=200)
    title = models.CharField(max_length=300, help_text="Weight A: article title, model name.")
    subtitle = models.TextField(help_text="Weight B: dek; organisation and summary.")
    tags = models.TextField(blank=True, help_text="Weight C: tag names.")
    body = models.TextField(blank=True, help_text="Weight D: article text, model description.")
    label = models.CharField(max_length=200, blank=True, help_text="Category or organisation.")
    date = models.DateTimeField(null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["kind", "object_id"]
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_entry")
        ]
        indexes = [models.Index(F("kind"), name_key(), name="searchentry_name_key")]
        # searchentry_date (date DESC NULLS LAST, id DESC), the newest matches first for
        # articles/search/results.py `newest`, is made per database by migration 0009.

    def __str__(self):
        return f"{self.kind}: {self.title}"

    def get_absolute_url(self):
        name = "articles:detail" if self.kind == self.Kind.ARTICLE else "catalog:detail"
        return reverse(name, kwargs={"slug": self.slug})


class SearchEntryFTS(models.Model):
    """SQLite only: the FTS5 table over `SearchEntry`, joined on rowid. Never written by Django."""

    entry = models.OneToOneField(
        SearchEntry,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        related_name="fts",
    )

    class Meta:
        managed = False
        db_table = "articles_searchentry_fts"

    def __str__(self):
        return str(self.entry_id)


class SearchSynonym(AnnouncedOnWrite, models.Model):
    """Spellings that search treats as one ("licence, license"): the editable list.

    A reader's word matches every spelling of each line that holds it; a spelling may be
    several words ("opensource, open source"). Editors keep the list in the admin. A save or
    delete is announced (articles/announce.py): the search pages, which name no keys of
    their own, depend on every announced write of their halves, so they are found again.
    """

    spellings = models.CharField(
        max_length=200,
        unique=True,
        help_text="Spellings that mean the same, separated by commas: licence, license.",
    )

    class Meta:
        ordering = ["spellings"]
        verbose_name = "search synonym"

    def __str__(self):
        return self.spellings

    def dependency_keys(self):
        # No page names this key: any announced key reaches the pages that name none
        # (`any:articles`), search among them, and nothing else.
        return {"search:synonyms"}


class SearchWord(models.Model):
    """A word of the titles, subtitles and tags in the index: what "Did you mean" offers.

    Written by the index backend; looked up by trigrams (pg_trgm on PostgreSQL, an FTS5
    trigram table on SQLite, migration 0014). Words of rows since deleted may linger: a
    suggestion is only made when it finds something.
    """

    word = models.CharField(max_length=40, unique=True)

    def __str__(self):
        return self.word
