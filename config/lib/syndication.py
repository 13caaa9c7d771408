"""Feed formats for every feed of the site: Django's RSS 2.0 and Atom writers, fed XML-safe text.

Django's writer refuses (500) any text holding a character XML 1.0 forbids, and a row stored
before config/lib/text.py's rule existed may hold one; so every value handed to the writer goes
through `xml_safe` first. Escaping is the writer's job (it escapes every element and
attribute for XML); what each field *means* (plain text or HTML) is the feed class's: RSS
descriptions and Atom summaries are HTML, so feeds HTML-escape plain text put there.
"""

from django.utils import feedgenerator

from config.lib.text import xml_safe


class _XmlSafe:
    def __init__(self, *args, **kwargs):
        super().__init__(*xml_safe(args), **xml_safe(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*xml_safe(args), **xml_safe(kwargs))


class RssFeed(_XmlSafe, feedgenerator.Rss201rev2Feed):
    pass


class AtomFeed(_XmlSafe, feedgenerator.Atom1Feed):
    pass
