"""The back office: Django's admin, configured for the editorial workflow.

One module per thing it manages: articles (with their workflow actions, preview and
revisions), the trash, images, categories and authors, tags, search synonyms, and the
editor's desk (the inbox front page and each user's notification settings). Importing this
package registers them all (articles/admin.py, where Django's autodiscovery looks, does).
"""

from articles.backoffice.admin import articles, desk, images, people, search, tags, trash

__all__ = ["articles", "desk", "images", "people", "search", "tags", "trash"]
