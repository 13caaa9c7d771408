"""`{% link "articles:home" %}`: the site's fixed addresses, reversed once per process.

Every page's header and footer name about twenty of them; `{% url %}` reverses each on every
render (a resolver walk each), though they change only with the URL configuration. The
script prefix is part of the key, so a site mounted under a path keeps its own.
"""

from functools import cache

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@cache
def _reversed(name, prefix):
    return reverse(name)


@register.simple_tag
def link(name):
    """The address of the view `name`, which takes no arguments."""
    return _reversed(name, get_script_prefix())
