"""The publication: categories, authors and articles (and the trash, a view of articles)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from taggit.models import TaggedItemBase

from articles.announce import AnnouncedOnWrite, announcing
from articles.models.images import Image
from articles.models.querysets import ArticleManager, ArticleQuerySet, TrashManager
from articles.models.search import SearchEntry
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


class Category(AnnouncedOnWrite, CleanTextMixin, models.Model):
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

    def save(self, *args, **kwargs):
        with transaction.atomic(), announcing():
            super().save(*args, **kwargs)
            # Its articles' search entries carry its name as their label: one UPDATE, however
            # many articles it holds.
            SearchEntry.objects.filter(
                kind=SearchEntry.Kind.ARTICLE, object_id__in=self.articles.values("pk")
            ).update(label=self.name)

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})

    def dependency_keys(self):
        return [f"category:{self.pk}", f"list:category:{self.pk}", "list:categories"]


class Author(AnnouncedOnWrite, CleanTextMixin, models.Model):
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

    def dependency_keys(self):
        return [f"author:{self.pk}", f"list:author:{self.pk}"]

    @property
    def initials(self):
        return "".join(part[0] for part in self.name.split()[:2]).upper()


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


class Article(CleanTextMixin, models.Model):
    """An explainer post. `body` is Markdown; `body_html` is rendered and sanitised on save.

    Every write goes through articles/writes.py (`article_save`), which derives the body's
    fields, validates, stores, records a revision and announces the change; `save()` only
    stores the row as it is.
    """

    # Set by article_derive (articles/rendering/article.py) for the writer to be told; never
    # stored: what rendering took out of the body, and references shown as plain text.
    removed_markup = ()
    missing_references = ()
    reference_notices = ()

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
    has_correction = models.BooleanField(
        default=False,
        editable=False,
        help_text='Derived from the body on save: it has a "Correction:" paragraph.',
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
            # The corrections page and the sitemap's date for it: the few corrected articles,
            # most recently modified first, without reading a body.
            models.Index(
                F("updated_at").desc(),
                F("id").desc(),
                name="article_corrected",
                condition=Q(has_correction=True),
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

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        # The default manager leaves the trash out, so Django's own unique check does not see
        # a slug that an article in the trash still holds (the database would refuse it).
        taken = Article.all_objects.trashed().filter(slug=self.slug).exclude(pk=self.pk)
        if self.slug and taken.exists():
            raise ValidationError(
                {
                    "slug": "An article in the trash uses this slug. Restore it, or empty the "
                    "trash first."
                }
            )

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


class TrashedArticle(Article):
    """The trash: deleted articles wait here until an editor restores them or empties it."""

    objects = TrashManager()

    class Meta:
        proxy = True
        ordering = ["-deleted_at", "-pk"]
        verbose_name = "article in the trash"
        verbose_name_plural = "articles in the trash"
        default_manager_name = "objects"
