"""The publication: categories, authors and articles."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from taggit.models import TaggedItemBase

from config.lib.rendering import render_markdown
from config.lib.tagging import SharedTags
from config.lib.text import CleanTextMixin


class CategoryQuerySet(models.QuerySet):
    def with_published_counts(self):
        """Categories that have published articles, each with `article_count`."""
        # One count per category, each a range of the partial index `article_live_category`
        # read without touching the table (an aggregate over a join of every article row took
        # 50 ms at 100,000 articles; this takes 7). The emptiness test is an EXISTS, which
        # stops at the first row, rather than a second copy of the count.
        live = Article.objects.published().filter(category=OuterRef("pk")).order_by()
        counted = live.values("category").annotate(n=Count("pk")).values("n")
        return (
            self.annotate(article_count=Subquery(counted, output_field=models.IntegerField()))
            .filter(Exists(live))
            .order_by("name", "pk")
        )


class Category(CleanTextMixin, models.Model):
    """A section of the site; every article sits in exactly one."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})


class Author(CleanTextMixin, models.Model):
    """A byline. Optionally tied to a login so authors can find their own drafts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
    )
    name = models.CharField("display name", max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(
        blank=True, help_text="Markdown. Shown in the author box and on the author page."
    )
    bio_html = models.TextField(blank=True, editable=False)
    avatar = models.ImageField(upload_to="authors/", blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        rendered = render_markdown(self.bio)
        self.bio_html, self.removed_markup = rendered.html, rendered.removed
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def initials(self):
        return "".join(part[0] for part in self.name.split()[:2]).upper()


class Image(CleanTextMixin, models.Model):
    """A picture in the image library: used as a hero image or inline (`![alt](image:<id>)`).

    Uploads are validated and stripped of metadata, and their renditions are made once, at
    upload time (articles/images.py), so page views never resize anything.
    """

    file = models.ImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt = models.CharField(
        "alt text",
        max_length=250,
        help_text="Describe the image for readers who cannot see it. Required.",
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text="Photographer or source.")
    renditions = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Resized copies made at upload time: format, width, height, storage name.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.alt

    def srcset(self, fmt):
        """`srcset` value listing this image's renditions in format `fmt` ("webp", "jpeg"…)."""
        from articles.images import rendition_srcset

        return rendition_srcset(self, fmt)

    @property
    def webp_srcset(self):
        return self.srcset("webp")

    @property
    def original_srcset(self):
        from articles.images import original_format

        return self.srcset(original_format(self))

    @property
    def fallback_url(self):
        from articles.images import fallback_url

        return fallback_url(self)


class TaggedArticle(TaggedItemBase):
    """Typed join between articles and the shared tag table (a real, indexed foreign key)."""

    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]
        # A tag's articles (tag pages, related tags) straight from the index.
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_article_tag_obj")]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Live to the public: marked published and the publish time has passed.

        This is the single definition of "visible to readers"; a future `published_at` is how
        an article is scheduled, so nothing has to run for it to go live.
        """
        return self.filter(
            status=Article.Status.PUBLISHED,
            published_at__lte=timezone.now(),
            deleted_at__isnull=True,
        )

    def scheduled(self):
        """Published with a time still to come: they go live by themselves."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def next_go_live(self):
        """When the next scheduled article goes live by itself (None when none is due)."""
        return (
            self.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
        )

    def not_trashed(self):
        return self.filter(deleted_at__isnull=True)

    def trashed(self):
        return self.filter(deleted_at__isnull=False)

    # What a card never shows: about 25 KB of Markdown and HTML per row, left in the table.
    LISTING_DEFERRED = ("body", "body_html", "toc_html", "review_comment")

    def for_sidebar(self):
        """Title, link, date and dek only (the "Recent posts" list)."""
        return self.only("title", "slug", "published_at", "dek")

    def for_listing(self):
        """Cards and lists: author, category and tags, without the body columns."""
        return self.for_detail().defer(*self.LISTING_DEFERRED)

    def for_detail(self):
        """The article page: every column (body_html, toc_html), author, category and tags."""
        return self.select_related("author", "category").prefetch_related("tags")


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    """The default manager: articles in the trash are left out of everything."""

    def get_queryset(self):
        return super().get_queryset().not_trashed()


class Article(CleanTextMixin, models.Model):
    """An explainer post. `body` is Markdown; `body_html` is rendered and sanitised on save."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    dek = models.TextField(
        max_length=600,
        help_text="One-paragraph summary, used on cards and as the meta description.",
    )
    body = models.TextField(blank=True, help_text="Markdown: tables, fenced code, footnotes.")
    body_html = models.TextField(blank=True, editable=False)
    toc_html = models.TextField(blank=True, editable=False)
    heading_count = models.PositiveSmallIntegerField(default=0, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        default=1, editable=False, help_text="Minutes, derived from the body on save."
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="articles")
    hero_image = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hero_of",
        help_text="From the image library; its alt text is used.",
    )
    tags = SharedTags(through=TaggedArticle, blank=True)
    mentioned_models = models.ManyToManyField(
        "models_catalog.AIModel",
        blank=True,
        editable=False,
        related_name="mentioned_in",
        help_text="Catalog entries referenced inline as [[model:slug]]; kept in step on save.",
    )
    mentioned_articles = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        editable=False,
        related_name="mentioned_by",
        help_text="Articles referenced inline as [[article:slug]]; kept in step on save.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Readers see a published article from this moment on; a future time schedules it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    seo_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="Overrides the title in the browser tab, search results and link previews.",
    )
    seo_description = models.CharField(
        max_length=300, blank=True, help_text="Overrides the dek as the meta description."
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Bumped on every save; detects edit conflicts."
    )
    review_comment = models.TextField(
        blank=True,
        help_text="Left by an editor when sending the article back to draft; the author sees it.",
    )
    deleted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set when the article is in the trash."
    )
    share_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Signed into every share-preview link; raising it revokes the links given so far.",
    )
    rerender_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When an article this body references is scheduled to go live; the body "
        "is rendered again at the first request after that moment.",
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ArticleManager()
    all_objects = ArticleQuerySet.as_manager()  # trash included: the trash admin and restores

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_article", "Can publish, schedule, unpublish and send back articles"),
        ]
        indexes = [
            # Articles by status, newest first; with `id` and `deleted_at` in it, the live list
            # (status "published") and its count are read from the index alone, on SQLite too,
            # where a row holds the body and its HTML inline (about 25 KB) before the columns
            # that decide whether an article is live.
            models.Index(
                "status",
                F("published_at").desc(),
                F("id").desc(),
                "deleted_at",
                "updated_at",
                name="article_status_pub",
            ),
            # Live articles only (the rule of `published()` minus the time) by category and by
            # author, newest first: the ids of a deep page and the pagination counts come from
            # these indexes alone. `status` and `deleted_at` are repeated as trailing columns
            # for SQLite, which otherwise reads each row to re-check them.
            models.Index(
                "category",
                F("published_at").desc(),
                F("id").desc(),
                "status",
                "deleted_at",
                "updated_at",
                name="article_live_category",
                condition=Q(status="published", deleted_at__isnull=True),
            ),
            models.Index(
                "author",
                F("published_at").desc(),
                F("id").desc(),
                "status",
                "deleted_at",
                "updated_at",
                name="article_live_author",
                condition=Q(status="published", deleted_at__isnull=True),
            ),
            # "Is article N published?" answered from an index, for lists reached through a
            # join table (a tag's articles, related tags): on SQLite it saves reading 25 KB
            # rows to check three columns (the tag page: 260 ms -> 35 ms at 100,000 articles).
            # `updated_at`, here and at the end of the three above, serves the sitemap's
            # "last modified" of each list page the same way.
            models.Index(
                fields=["id", "status", "published_at", "deleted_at", "updated_at"],
                name="article_live_lookup",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_date",
                violation_error_message="A published article needs a publication time.",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render()
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)
        self.store_references()

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def render(self):
        """Derive the HTML, table of contents and reading time from the Markdown body."""
        from articles.images import image_preprocessor
        from articles.references import ReferenceResolver

        self._references = ReferenceResolver(self.body, exclude_article=self)
        rendered = render_markdown(
            self.body,
            preprocessors=[image_preprocessor],
            extensions=[self._references.extension()],
        )
        self.body_html = rendered.html
        self.removed_markup = rendered.removed  # for the admin to tell the writer
        self.rerender_at = self._references.next_change_at
        self.toc_html = rendered.toc_html
        self.heading_count = len(rendered.headings)
        self.reading_time = rendered.reading_time

    def store_references(self):
        """Record which catalog entries and articles the body references (after `render`)."""
        references = getattr(self, "_references", None)
        if references is None or self.pk is None:
            return
        self.mentioned_models.set(references.model_ids)
        self.mentioned_articles.set(references.article_ids)
        pending = [ref.split(":", 1) for ref in references.missing]
        PendingReference.objects.filter(article=self).delete()
        PendingReference.objects.bulk_create(
            PendingReference(article=self, kind=kind, slug=slug) for kind, slug in pending
        )

    @property
    def missing_references(self):
        """References shown as plain text: no such target, or one readers cannot see yet."""
        references = getattr(self, "_references", None)
        return references.unresolved if references else []

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_trashed(self):
        return self.deleted_at is not None

    @property
    def show_toc(self):
        return self.heading_count >= 3

    @property
    def modified_after_publication(self):
        """True when the article changed after it went live (the "Last modified" stamp)."""
        return bool(
            self.published_at and self.updated_at > self.published_at + timedelta(minutes=5)
        )

    @property
    def meta_title(self):
        return self.seo_title or self.title

    @property
    def meta_description(self):
        return self.seo_description or self.dek


class TrashManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=False)


class TrashedArticle(Article):
    """The trash: deleted articles wait here until an editor restores them or empties it."""

    objects = TrashManager()

    class Meta:
        proxy = True
        ordering = ["-deleted_at", "-pk"]
        verbose_name = "article in the trash"
        verbose_name_plural = "articles in the trash"
        default_manager_name = "objects"


class Revision(CleanTextMixin, models.Model):
    """A snapshot of an article's content at one save: who, when, and every content field."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(help_text="The article's version after this save.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.CharField(max_length=200, blank=True)
    content = models.JSONField(help_text="Title, slug, dek, body, tags, SEO fields and more.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self):
        return f"{self.article_id} v{self.version} ({self.created_at:%Y-%m-%d %H:%M})"


class SearchEntry(models.Model):
    """One searchable thing: a published article or a catalog entry (articles/search.py).

    Rows are written by signals (articles/signals.py), never by hand. The full-text index
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
        # searchentry_date (date DESC NULLS LAST, id DESC), the newest matches first for
        # articles/search.py `newest`, is made per database by migration 0009.

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


class TagDescription(CleanTextMixin, models.Model):
    """What a tag is about, written by editors (Markdown, rendered and sanitised on save)."""

    tag = models.OneToOneField(
        "taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="description"
    )
    description = models.TextField(blank=True, help_text="Markdown. Shown on the tag page.")
    description_html = models.TextField(blank=True, editable=False)

    def __str__(self):
        return f"Description of {self.tag}"

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description).html
        super().save(*args, **kwargs)


class PendingReference(models.Model):
    """An inline reference whose target does not exist yet (e.g. a model not in the catalog).

    When an article or catalog entry with that slug appears, the articles waiting for it are
    rendered again, so the plain-text placeholder turns into a link.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    slug = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["kind", "slug"], name="pending_ref_target")]

    def __str__(self):
        return f"{self.kind}:{self.slug}"
