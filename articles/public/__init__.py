"""The public site of the publication: what readers see, all of it read-only.

- views.py: home, article, category, author, archives, tags (function views);
- queries.py: the reads that take more than one line of ORM;
- feeds.py: RSS and Atom; sitemaps.py: the publication's sitemap sections;
- urls.py: the routes (search lives in articles/search/, share previews in
  articles/backoffice/preview.py).

The only write a page may cause is a due re-render of a body whose referenced article went
live since (articles/writes.py, `references_refresh_if_due`).
"""
