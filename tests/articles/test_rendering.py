import importlib

import pytest
from django.apps import apps

from articles.models import Article
from articles.writes import references_refresh_due
from config.lib.rendering import render_markdown
from tests.factories import ArticleFactory

TABLE = """
| Parameter | Open | Closed |
|:----------|:----:|-------:|
| Cost      | Free | Paid   |
"""

XSS = """
<script>alert(1)</script>
<img src=x onerror="alert(2)">
<a href="javascript:alert(3)">click</a>
<a href="JaVaScRiPt:alert(3)">click</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==">data</a>
<iframe src="https://evil.example/"></iframe>
<style>body { display: none }</style>
<div style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</div>
<svg onload="alert(5)"><circle r="5"/></svg>
<math><mtext><table><mglyph><style><img src=x onerror=alert(6)></style></mglyph></table></mtext></math>
[link](javascript:alert(7))
![img](data:image/png;base64,AAAA)
<p onclick="alert(8)" onmouseover="alert(9)">text</p>
<form action="https://evil.example/"><input name="q"></form>
<object data="x.swf"></object><embed src="x.swf">
"""


def test_table_becomes_a_table():
    html = render_markdown(TABLE).html
    assert "<table>" in html
    assert "<th" in html and "<td" in html
    assert 'align="center"' in html


def test_fenced_code_is_highlighted():
    html = render_markdown("```python\nimport os\nprint(os.getcwd())\n```\n").html
    assert 'class="codehilite"' in html
    assert "<span" in html


def test_headings_get_anchors_and_toc():
    rendered = render_markdown("## First part\n\ntext\n\n### Detail\n\nmore\n")
    assert 'id="first-part"' in rendered.html
    assert 'href="#first-part"' in rendered.toc_html
    assert [h["name"] for h in rendered.headings] == ["First part", "Detail"]


def test_footnotes():
    html = render_markdown("A claim.[^1]\n\n[^1]: The source.\n").html
    assert 'class="footnote"' in html
    assert "The source." in html


def test_external_links_get_rel():
    html = render_markdown("[Meta](https://ai.meta.com/)").html
    assert 'rel="noopener noreferrer"' in html


def test_xss_attempts_come_out_inert():
    html = render_markdown(XSS).html.lower()
    for needle in [
        "<script", "onerror", "onload", "onclick", "onmouseover", "javascript:", "data:",
        "<iframe", "<style", "style=", "<svg", "<math", "<form", "<input", "<object", "<embed",
    ]:  # fmt: skip
        assert needle not in html, needle


def test_reading_time_counts_words():
    assert render_markdown("word " * 460).reading_time == 2
    assert render_markdown("").reading_time == 1


@pytest.mark.django_db
def test_article_renders_on_save():
    article = ArticleFactory(body="## Heading\n\n" + TABLE + "\n<script>x</script>")
    assert "<table>" in article.body_html
    assert "<script" not in article.body_html
    assert article.heading_count == 1


def test_tables_get_header_scopes_and_an_optional_caption():
    html = render_markdown("Table: Open versus closed\n" + TABLE).html
    assert "<caption>Open versus closed</caption>" in html
    assert '<th align="left" scope="col">Parameter</th>' in html
    assert '<th align="left" scope="row">Cost</th>' in html
    assert "Table:" not in html
    plain = render_markdown(TABLE).html
    assert "<caption>" not in plain and 'scope="row"' in plain


@pytest.mark.django_db
def test_bodies_rendered_before_the_scroll_box_get_it_after_the_upgrade():
    migration = importlib.import_module("articles.migrations.0016_rerender_tables")
    old = ArticleFactory(body="Intro\n\n" + TABLE)
    plain = ArticleFactory(body="No table here.")
    unwrapped = old.body_html.replace('<div class="table-scroll">', "").replace("</div>", "")
    Article.all_objects.filter(pk=old.pk).update(body_html=unwrapped)
    migration.mark_bodies_with_tables(apps, None)
    assert list(Article.all_objects.exclude(rerender_at=None).values_list("pk", flat=True)) == [
        old.pk
    ]
    assert references_refresh_due() == 1
    old.refresh_from_db()
    assert 'class="table-scroll"' in old.body_html and old.rerender_at is None
    assert Article.all_objects.get(pk=plain.pk).rerender_at is None


def test_tables_are_wrapped_in_their_own_scroll_box():
    """A wide table scrolls inside its box on a phone, not the page (issue 17)."""
    html = render_markdown("Before\n\nTable: Caption\n" + TABLE + "\nAfter\n").html
    assert html.count('<div class="table-scroll"><table>') == 1
    assert html.index("<p>Before</p>") < html.index("table-scroll") < html.index("<p>After</p>")
    assert "</table></div>" in html
    quoted = render_markdown("> " + TABLE.strip().replace("\n", "\n> ")).html
    assert '<blockquote>\n<div class="table-scroll"><table>' in quoted
