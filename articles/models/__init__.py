"""The articles app's models, one module per kind of thing they hold.

- content: categories, authors, articles (and the trash, a proxy of articles);
- querysets: the one definition of "published" and the other shared query names;
- images: the image library;
- revisions: a snapshot of an article at each save;
- drafts: draft changes of a live article, kept apart from what readers see;
- references: inline references still waiting for their target;
- tags: descriptions of tags in the shared vocabulary, and the old slugs of renamed tags;
- editing: an open form's autosave, and who has an article open;
- desk: each back-office user's preferences and the notices left for them;
- search: the search index's rows.
"""

from articles.models.content import (
    Article,
    Author,
    Category,
    CategoryQuerySet,
    TaggedArticle,
    TrashedArticle,
)
from articles.models.desk import DeskProfile, Notification
from articles.models.drafts import ArticleDraft
from articles.models.editing import Autosave, Presence
from articles.models.images import Image
from articles.models.querysets import ArticleManager, ArticleQuerySet, TrashManager
from articles.models.references import PendingReference
from articles.models.revisions import Revision
from articles.models.search import SearchEntry, SearchEntryFTS, SearchSynonym, SearchWord
from articles.models.tags import TagDescription, TagRedirect

__all__ = [
    "Article",
    "ArticleDraft",
    "ArticleManager",
    "ArticleQuerySet",
    "Author",
    "Autosave",
    "Category",
    "CategoryQuerySet",
    "DeskProfile",
    "Image",
    "Notification",
    "PendingReference",
    "Presence",
    "Revision",
    "SearchEntry",
    "SearchEntryFTS",
    "SearchSynonym",
    "SearchWord",
    "TagDescription",
    "TagRedirect",
    "TaggedArticle",
    "TrashManager",
    "TrashedArticle",
]
