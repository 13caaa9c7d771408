from django import template

from articles.public.pages import optional_url as _optional_url
from articles.public.queries import articles_about as _articles_about

register = template.Library()


@register.inclusion_tag("includes/articles_about.html")
def articles_about(obj, title=None):
    """The "Articles about …" panel for any tagged object (a catalog entry, for one).

    Lives here so that the catalog app never imports the articles app: the project-level
    template asks for the panel instead.
    """
    about = _articles_about(obj)
    return {
        "object": obj,
        "referencing": about.referencing,
        "tagged": about.tagged,
        "title": title,
    }


@register.simple_tag
def optional_url(name):
    """`{% optional_url "catalog:methodology" as url %}`: the page's path, or "" if none yet."""
    return _optional_url(name)
