"""An article's derived fields, from its Markdown body: one function, every write path.

`article_derive` renders the body with the site's Markdown (config/lib/rendering.py), inline
images and references, and sets the fields a body derives. The write path
(articles/writes.py) stores them, with the references, on every save and every re-render;
the admin's preview shows them without storing anything.
"""

from dataclasses import dataclass
from datetime import datetime

from articles.rendering.corrections import corrections_in
from articles.rendering.images import image_preprocessor
from articles.rendering.references import ReferenceResolver
from config.lib.rendering import render_markdown

# The columns a body derives: a re-render writes exactly these, and nothing else.
DERIVED_FIELDS = (
    "body_html",
    "toc_html",
    "heading_count",
    "reading_time",
    "rerender_at",
    "has_correction",
)


@dataclass(frozen=True)
class Derived:
    """What a body rendered to, and what the rendering depended on."""

    body_html: str
    toc_html: str
    heading_count: int
    reading_time: int
    # When a target this body references is scheduled to go live (render again then).
    rerender_at: datetime | None
    has_correction: bool  # a "Correction:" paragraph (articles/rendering/corrections.py)
    model_ids: list[int]  # catalog entries referenced: `Article.mentioned_models`
    article_ids: list[int]  # articles referenced, live or not: `Article.mentioned_articles`
    missing: list[str]  # "kind:slug" that matched nothing: waits in PendingReference
    unresolved: list[str]  # shown as plain text (missing, or not for readers yet)
    removed: list[str]  # markup rendering took out (config/lib/raw_text.py)

    def fields(self):
        return {name: getattr(self, name) for name in DERIVED_FIELDS}


def article_derive(article):
    """Render `article`'s body (saved or not) and set its derived fields; returns `Derived`.

    Also sets what the writer is told and nothing stores: `removed_markup`,
    `missing_references` and `reference_notices` (compare sets over the compare page's max).
    """
    references = ReferenceResolver(article.body, exclude_article=article)
    rendered = render_markdown(
        article.body, preprocessors=[image_preprocessor], extensions=[references.extension()]
    )
    derived = Derived(
        body_html=rendered.html,
        toc_html=rendered.toc_html,
        heading_count=len(rendered.headings),
        reading_time=rendered.reading_time,
        rerender_at=references.next_change_at,
        has_correction=bool(corrections_in(article.body)),
        model_ids=references.model_ids,
        article_ids=references.article_ids,
        missing=references.missing,
        unresolved=references.unresolved,
        removed=list(rendered.removed),
    )
    for name, value in derived.fields().items():
        setattr(article, name, value)
    article.removed_markup = derived.removed
    article.missing_references = derived.unresolved
    article.reference_notices = list(references.notices)
    return derived
