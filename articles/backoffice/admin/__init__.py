"""The back office: Django's admin, configured for the editorial workflow.

One module per thing it manages: articles (with their workflow actions, preview and
revisions), the trash, images, categories and authors, tags, search synonyms. Importing this package
registers them all (articles/admin.py, where Django's autodiscovery looks, does).
"""

from articles.backoffice.admin import articles, images, people, search, tags, trash

__all__ = ["articles", "images", "people", "search", "tags", "trash"]
