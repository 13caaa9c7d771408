"""Site search over published articles and catalog entries.

- query.py: what a reader typed, reduced to words both engines can take safely;
- postgres.py, sqlite.py: the two engines (a weighted tsvector with a GIN index; FTS5);
- results.py: finding, counting, ranking and highlighting, whichever engine is in use;
- indexing.py: the index itself (the backend of config/lib/indexing.py) and the articles'
  documents; the catalog describes its own documents (models_catalog/search.py);
- views.py: the search page.
"""

from articles.search.query import MAX_QUERY_LENGTH, ParsedQuery, parse_query
from articles.search.results import (
    MAX_RANKED,
    find,
    hits,
    ranked,
    shown_count,
    visible_entries,
)
from config.lib.indexing import rebuild

__all__ = [
    "MAX_QUERY_LENGTH",
    "MAX_RANKED",
    "ParsedQuery",
    "find",
    "hits",
    "parse_query",
    "ranked",
    "rebuild",
    "shown_count",
    "visible_entries",
]
