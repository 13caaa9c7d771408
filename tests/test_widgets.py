"""config/lib/widgets.py's LongSelect writes the markup Django's own Select writes."""

import re

from django import forms
from django.test import SimpleTestCase

from articles.models.desk import time_zone_choices
from config.lib.widgets import LongSelect

HOSTILE = [("a&b", 'Tom "&" <Jerry>'), ("x'y", "It's"), ("", "---------")]
GROUPED = [("Europe", [("Europe/Paris", "Paris"), ("Europe/Rome", "Rome")]), ("UTC", "UTC")]


def markup(widget, value, attrs=None):
    """The widget's HTML with the whitespace between tags taken out (templates differ)."""
    return re.sub(r">\s+<", "><", widget.render("time_zone", value, attrs).strip())


class LongSelectTests(SimpleTestCase):
    def assert_same(self, choices, value, attrs=None):
        django = markup(forms.Select(choices=choices), value, attrs)
        ours = markup(LongSelect(choices=choices), value, attrs)
        self.assertEqual(ours, django)
        return ours

    def test_the_time_zones_with_one_chosen(self):
        html = self.assert_same(time_zone_choices(), "Europe/Paris", {"required": True})
        self.assertIn('<option value="Europe/Paris" selected>Europe/Paris</option>', html)
        self.assertIn('<option value="America/New_York">America/New York</option>', html)
        self.assertEqual(html.count(" selected"), 1)

    def test_values_and_labels_are_escaped_as_django_escapes_them(self):
        html = self.assert_same(HOSTILE, "a&b", {"id": 'id_"x"', "aria-describedby": "h"})
        self.assertIn("Tom &quot;&amp;&quot; &lt;Jerry&gt;", html)

    def test_groups_and_no_choice(self):
        self.assert_same(GROUPED, None)
        self.assert_same(GROUPED, "Europe/Rome")
        self.assert_same([], None)
