"""What turns an article's Markdown body into the HTML readers get.

- article.py: `article_derive`, the one function every write uses for the derived fields
  (body_html, table of contents, reading time, references, when to render again);
- references.py: `[[model:…]]` and `[[article:…]]`, resolved in bulk;
- images.py: `![alt](image:<id>)`, a responsive image from the library.

Markdown itself, sanitising and the handling of raw text are the floor's
(config/lib/rendering.py, config/lib/raw_text.py). Nothing here writes to the database.
"""
