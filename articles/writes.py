"""The one write path for articles: derive, validate, write, announce.

The admin's save, the workflow steps, restoring a revision, the demo loader and a restore from
a backup all write articles through here. Each write derives the body's fields with the same
function (articles/rendering/article.py), is validated by the model's own fields and rules,
records a revision when it says what happened, and is announced once (articles/announce.py):
the cached pages, the search index, and the other bodies that reference the article, which are
rendered again. Re-rendering (a referenced article or catalog entry changed, or a scheduled
one went live) is the same derivation without an edit: it moves neither the version nor the
"last modified" stamp readers see.

A published article can also be written as *draft changes* (`article_save(..., draft=True)`):
derived and validated the same way, but stored apart (`ArticleDraft`), so readers, the cache
and the search index see nothing of it; `draft_publish` writes them over the live version
through `article_save`, by an editor's hand or at their scheduled time (`drafts_publish_due`,
run by the page cache at the first request after that time: no job to run).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles import announce
from articles.announce import announcing
from articles.models import (
    Article,
    ArticleDraft,
    Author,
    Category,
    Image,
    PendingReference,
    Revision,
)
from articles.rendering.article import DERIVED_FIELDS, article_derive

logger = logging.getLogger(__name__)

RERENDER_CHUNK = 500  # articles loaded at a time by bulk re-renders (bounded memory)
# Checked by the database in bulk paths; Django's own check costs a query per key and row.
_KEYS = [field.name for field in Article._meta.concrete_fields if field.is_relation]


def article_save(article, user=None, *, note=None, tags=None, draft=False):
    """Write `article` as its writer left it; returns it. The one write path for an article.

    Derives the body's fields, validates the row (its fields and the model's rules: a slug no
    other article holds, a date for a published article…; ValidationError, nothing written),
    bumps the version, stores the row, its references and, when given, its `tags` (names).
    A `note` ("Published", "Saved"…) records a revision made by `user`. The bodies that
    reference the article are rendered again, and the whole write is announced once.

    With `draft=True` (a published article only) the same fields are derived and validated
    but stored as the article's draft changes: the live row, its tags, revisions, the cache
    and the search index are left as they are, and nothing is announced.
    """
    if draft:
        return _draft_save(article, user, tags)
    with transaction.atomic(), announcing():
        derived = article_derive(article)
        article.full_clean()
        if article.pk is not None:
            announce.articles_before([article.pk])  # the lists it leaves, if it moves
            article.version += 1
        article.save()
        _store_references(article, derived)
        if tags is not None:
            article.tags.set(tags)
        if note is not None:
            revision_create(article, user, note=note)
        article_rerender(_referencing(article))
        announce.articles_changed([article.pk])
    return article


def _draft_save(article, user, tags):
    if article.pk is None:
        raise ValueError("Only a saved article can have draft changes.")
    with transaction.atomic():
        article_derive(article)  # validates the body and tells the writer, as a save does
        article.full_clean()
        if tags is None:
            tags = [tag.name for tag in article.tags.all()]
        content = snapshot(article, tags)
        for key in LIVE_STATE:
            content.pop(key, None)
        live_version = Article.all_objects.filter(pk=article.pk).values_list("version", flat=True)
        draft = ArticleDraft.objects.select_for_update().filter(article_id=article.pk).first()
        draft = draft or ArticleDraft(article_id=article.pk, version=0)
        draft.content, draft.base_version = content, live_version.get()
        draft.version += 1
        draft.updated_by = user if user and user.is_authenticated else None
        draft.save()
    return article


def draft_of(article):
    """The draft changes of `article`, or None (one query, then kept on the instance).

    No query when `article` was read with a `draft_status` annotation saying it has none
    (the article admin's queryset: its forms and endpoints cost nothing more).
    """
    if getattr(article, "draft_status", False) is None:
        return None
    try:
        return article.draft_changes
    except ArticleDraft.DoesNotExist:
        return None


def draft_publish(article, user=None, *, note="Published the draft changes"):
    """Write `article`'s draft changes over its live version; returns the article.

    Through `article_save` (derived, validated, a revision, announced), then the draft is
    gone. ValidationError (a slug taken since, say) writes nothing and keeps the draft.
    """
    with transaction.atomic(), announcing():
        draft = ArticleDraft.objects.select_for_update().filter(article_id=article.pk).first()
        live = Article.all_objects.select_for_update().get(pk=article.pk)
        if draft is None:
            return live
        tags = content_apply(live, draft.content)
        draft.delete()
        return article_save(live, user, note=note, tags=tags)


def drafts_publish_due():
    """Publish every scheduled draft whose time has come; returns how many went live.

    Run by the page cache at the first request after the moment (see articles/apps.py). A
    draft that no longer validates stays a draft, unscheduled, with the reason for editors.
    """
    published = 0
    for draft in ArticleDraft.objects.due().select_related("updated_by"):
        try:
            draft_publish(draft.article, draft.updated_by, note="Scheduled draft changes went live")
            published += 1
        except ValidationError as error:
            logger.warning("Draft changes of article %s could not go live: %s", draft.pk, error)
            ArticleDraft.objects.filter(pk=draft.pk).update(
                go_live_at=None,
                status=ArticleDraft.Status.DRAFT,
                review_comment=f"Could not go live at the scheduled time: {error.messages}",
            )
    return published


def content_apply(article, content):
    """Copy a snapshot's content (a revision's, a draft's) onto `article`; returns its tags.

    Nothing is written. A slug another article has taken since, or a category, author or image
    that is gone, leaves today's value.
    """
    for key in ("title", "dek", "body", "seo_title", "seo_description"):
        setattr(article, key, content.get(key, "") or "")
    slug = content.get("slug") or article.slug
    if not Article.all_objects.filter(slug=slug).exclude(pk=article.pk).exists():
        article.slug = slug
    if Category.objects.filter(pk=content.get("category")).exists():
        article.category_id = content["category"]
    if Author.objects.filter(pk=content.get("author")).exists():
        article.author_id = content["author"]
    hero = content.get("hero_image")
    article.hero_image_id = hero if hero and Image.objects.filter(pk=hero).exists() else None
    return list(content.get("tags", []))


def article_rerender(articles):
    """Derive `articles` again and store the result; returns the ids whose fields changed.

    Not an edit: one UPDATE of the derived columns, so the version, the revisions and the
    "last modified" stamp stay as they are. Only articles whose derived fields changed are
    written and announced; the references are stored for each.
    """
    changed = []
    with transaction.atomic(), announcing():
        for article in articles:
            before = {name: getattr(article, name) for name in DERIVED_FIELDS}
            derived = article_derive(article)
            if derived.fields() != before:
                Article.all_objects.filter(pk=article.pk).update(**derived.fields())
                changed.append(article.pk)
            _store_references(article, derived)
        announce.articles_rerendered(changed)
    return changed


def articles_rerender_all(queryset):
    """`article_rerender` over a queryset of any size; returns how many changed."""
    return sum(len(article_rerender(chunk)) for chunk in _chunks(queryset))


def article_check_fields(article):
    """The validation of bulk paths, without a query: each field's own rules (lengths,
    choices, the text rule). The database checks keys and constraints as rows go in."""
    article.clean_fields(exclude=_KEYS)


def articles_check_all(queryset):
    """`article_check_fields` on rows written without the write path (a restore's).

    ValidationError names the first article refused and its fields.
    """
    for chunk in _chunks(queryset):
        for article in chunk:
            try:
                article_check_fields(article)
            except ValidationError as error:
                problems = "; ".join(
                    f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
                )
                raise ValidationError(f"article {article.pk}: {problems}") from None


def _chunks(queryset):
    """The articles of `queryset`, RERENDER_CHUNK full rows at a time (bounded memory)."""
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), RERENDER_CHUNK):
        yield list(Article.all_objects.filter(pk__in=pks[start : start + RERENDER_CHUNK]))


def articles_delete(articles):
    """Delete `articles` for good, revisions included; returns how many.

    The bodies that named them are rendered again (a reference to nothing is plain text).
    """
    pks = [article.pk for article in articles]
    with transaction.atomic(), announcing():
        announce.articles_before(pks)  # the lists they leave
        referencing = list(
            Article.objects.filter(mentioned_articles__in=pks).exclude(pk__in=pks).distinct()
        )
        Article.all_objects.filter(pk__in=pks).delete()  # revisions go with them (CASCADE)
        article_rerender(referencing)
        announce.articles_changed(pks)
    return len(pks)


def references_refresh_if_due(article):
    """Render `article` again if an article it references was scheduled to go live by now.

    Called by the pages that show a body, on the row they already loaded: no query unless due.
    """
    if article.rerender_at is not None and article.rerender_at <= timezone.now():
        article_rerender([article])
    return article


def references_refresh_due():
    """Render again every body that `references_refresh_if_due` would; returns how many."""
    return articles_rerender_all(Article.all_objects.filter(rerender_at__lte=timezone.now()))


def _referencing(article):
    """Other articles whose bodies name `article`: resolved, or waiting for its slug."""
    waiting = PendingReference.objects.filter(kind="article", slug=article.slug.lower())
    return Article.all_objects.filter(
        Q(pk__in=article.mentioned_by.values("pk")) | Q(pk__in=waiting.values("article"))
    ).exclude(pk=article.pk)


def _store_references(article, derived):
    """Which catalog entries and articles the body names, and which names wait for a target
    (the entries it comes to name or stops naming are announced: `announce.mentions_changed`).
    """
    before = set(article.mentioned_models.values_list("pk", flat=True)) if article.pk else set()
    announce.mentions_changed(article.pk, before ^ set(derived.model_ids))
    article.mentioned_models.set(derived.model_ids)
    article.mentioned_articles.set(derived.article_ids)
    PendingReference.objects.filter(article=article).delete()
    PendingReference.objects.bulk_create(
        PendingReference(article=article, kind=kind, slug=slug)
        for kind, slug in (ref.split(":", 1) for ref in derived.missing)
    )


# -- Revisions: a snapshot at each save that says what happened -------------------------------


LIVE_STATE = ("status", "published_at")  # publication state: never part of draft changes


def snapshot(article, tags=None):
    """Every content field of `article` as JSON-ready data (tags as sorted names)."""
    if tags is None:
        tags = [tag.name for tag in article.tags.all()]
    return {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "category": article.category_id,
        "category_name": str(article.category) if article.category_id else "",
        "author": article.author_id,
        "author_name": str(article.author) if article.author_id else "",
        "hero_image": article.hero_image_id,
        "tags": sorted(tags, key=str.lower),
        "seo_title": article.seo_title,
        "seo_description": article.seo_description,
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "review_comment": article.review_comment,
    }


def revision_create(article, user=None, note="Saved"):
    return Revision.objects.create(
        article=article,
        version=article.version,
        user=user if user and user.is_authenticated else None,
        note=note[:200],
        content=snapshot(article),
    )
