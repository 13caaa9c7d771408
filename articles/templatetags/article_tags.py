from django import template

from articles.public.pages import optional_url as _optional_url
from articles.public.queries import articles_about as _articles_about
from articles.public.shown import shows_articles, shows_tags
from config.lib.dependencies import also_depends_on

register = template.Library()


@register.inclusion_tag("includes/articles_about.html")
def articles_about(obj, title=None):
    """The "Articles about …" panel for any tagged object (a catalog entry, for one).

    Lives here so that the catalog app never imports the articles app: the project-level
    template asks for the panel instead.
    """
    about = _articles_about(obj)
    shows_articles([*about.referencing, *about.tagged])
    shows_tags(obj.tags.all(), listed=True)  # articles that come to carry its tags
    if obj._meta.label == "models_catalog.AIModel":
        # Articles that come to name it, or that name it and are published, withdrawn or
        # moved in time (articles/announce.py `mention_keys`): not every publish of the site.
        also_depends_on(f"mentions:model:{obj.pk}")
    else:
        also_depends_on("order:articles")  # published, withdrawn or moved in time
    return {
        "object": obj,
        "referencing": about.referencing,
        "tagged": about.tagged,
        "title": title,
    }


@register.simple_tag
def shown_tags(tags):
    """Says that the page (or the card) being rendered shows the names of `tags`."""
    shows_tags(tags)
    return ""


@register.simple_tag
def optional_url(name):
    """`{% optional_url "catalog:methodology" as url %}`: the page's path, or "" if none yet."""
    return _optional_url(name)
