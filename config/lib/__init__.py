"""The floor: code every app builds on, which imports no app.

Cache, Markdown rendering, tagging, text cleaning, search indexing, SEO helpers, sitemaps,
request guards. Apps plug into it (hooks, registries); it never reaches up into them. The
roof (config/settings.py, config/urls.py, config/views.py) is the only place that names
the apps.
"""
