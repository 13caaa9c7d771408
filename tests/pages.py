"""The public pages the accessibility and HTML checks visit, on the demo content."""

from django.core.management import call_command

from articles.models import Article

# The page background of each colour scheme (--bg in site.css): a page shows it once the
# stylesheet loaded and the scheme applies.
BACKGROUNDS = {"light": "rgb(255, 255, 255)", "dark": "rgb(18, 20, 24)"}
PAGES = {
    "home": "/",
    "article": "/articles/llama-3-1-vs-gpt-4o-vs-mixtral-vs-claude/",
    "category": "/category/ai/",
    "author": "/authors/maya-okafor/",
    "archive": None,  # the year of the newest article, filled in by load_pages()
    "tags": "/tags/",
    "tag": "/tags/open-source/",
    "catalog": "/models/",
    "model": "/models/mixtral-8x7b/",
    "model-prices": "/models/gemini-1-5-pro/",  # price points, sources, a changelog
    "model-as-of": "/models/gpt-4o/?as_of=2024-06-01",
    "changes": "/models/changes/",
    "model-graded-by-the-index": "/models/llama-3-1-405b/",
    "methodology": "/models/methodology/",
    "compare": "/models/compare/?m=llama-3-1-405b&m=gpt-4o&m=mixtral-8x22b&m=claude-3-5-sonnet",
    "search": "/search/?q=llama",
    "search-empty": "/search/?q=unobtainium",
    "archive-index": "/archive/",
    "about": "/about/",
    "corrections": "/corrections/",
}


def load_pages():
    """Load the demo articles and catalog; {name: path} of the pages to check."""
    call_command("load_demo", "--no-accounts", verbosity=0)
    newest = Article.objects.published().first()
    return {**PAGES, "archive": f"/archive/{newest.published_at.year}/"}
