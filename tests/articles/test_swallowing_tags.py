"""Tags that would swallow what follows them lose only themselves, and the writer is told.

Issue 12: after an unclosed `<style>` or `<script>` the rest of a body vanished from the
page, silently. Now the tag goes, the text after it stays (sanitised as ever), and the admin
says which line lost what, on save and in the preview.
"""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from articles.models import Article, Author
from config.lib.raw_text import SWALLOWING
from config.lib.rendering import render_markdown
from tests.articles.helpers import article_form_data
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

KEPT = "Kept words after"
# Where the bad tag sits: (Markdown before it, Markdown after it).
POSITIONS = {
    "start": ("", "\n\n## Heading\n\n{kept}, with **bold** text.\n"),
    "paragraph": ("Some intro text ", " and more.\n\n{kept}.\n"),
    "list": ("- one\n- two ", "\n- three\n\n{kept}.\n"),
    "heading": ("## A heading ", "\n\n{kept}.\n"),
    "quote": ("> quoted ", "\n\n{kept}.\n"),
    "table": ("| a | b |\n|---|---|\n| x ", " | y |\n\n{kept}.\n"),
    "last line": ("{kept}.\n\nThe end ", ""),
}
SPELLINGS = ["<{tag}>", "<{TAG}>", "<{Tag} class='x'>", "<{tag}\n class='x'>", "<{tag}/>"]
PRIVATE = re.compile("[\ue000-\uf8ff]")


def _source(tag, position, spelling="<{tag}>"):
    before, after = POSITIONS[position]
    opening = spelling.format(tag=tag, TAG=tag.upper(), Tag=tag.title())
    return before.format(kept=KEPT) + opening + "swallowed?" + after.format(kept=KEPT)


def _assert_clean(rendered):
    for tag in SWALLOWING:
        assert f"<{tag}" not in rendered.html.lower()
    assert not PRIVATE.search(rendered.html + rendered.toc_html)
    assert not any(PRIVATE.search(h["name"] + h["id"]) for h in rendered.headings)


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("tag", SWALLOWING)
def test_an_unclosed_tag_keeps_the_text_after_it(tag, position):
    source = _source(tag, position)
    rendered = render_markdown(source)
    assert KEPT in rendered.html
    assert "swallowed?" in rendered.html  # the tag's own text is text now
    _assert_clean(rendered)
    line = source[: source.index(f"<{tag}>")].count("\n") + 1
    assert len(rendered.removed) == 1
    assert f"Line {line}:" in rendered.removed[0] and f"<{tag}>" in rendered.removed[0]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("tag", ["script", "style", "textarea", "title", "plaintext"])
def test_any_spelling_of_the_tag(tag, spelling):
    rendered = render_markdown(_source(tag, "start", spelling))
    assert KEPT in rendered.html
    _assert_clean(rendered)
    assert len(rendered.removed) == 1


@pytest.mark.parametrize("tag", ["script", "style"])
def test_the_note_quotes_the_first_words_after_an_unclosed_script_or_style(tag):
    source = f"Intro.\n\n<{tag}>alert(document.cookie)\n\n## Next part\n\nMore words here.\n"
    rendered = render_markdown(source)
    assert rendered.removed == [
        f"Line 3: the unclosed tag <{tag}> was removed; the text after it is kept "
        "(“alert(document.cookie) Next part More words here.”)."
    ]
    assert "<h2" in rendered.html  # the Markdown after it is still rendered


@pytest.mark.parametrize("tag", ["script", "style"])
@pytest.mark.parametrize("lines_before", [0, 1, 7])
def test_a_closed_script_or_style_goes_with_its_content_and_is_reported(tag, lines_before):
    source = "line\n" * lines_before + f"\n<{tag}>var secret = 1;</{tag.upper()}>\n\n{KEPT}.\n"
    rendered = render_markdown(source)
    assert "secret" not in rendered.html
    assert KEPT in rendered.html
    assert "<p></p>" not in rendered.html
    assert rendered.removed == [
        f"Line {lines_before + 2}: the element <{tag}>…</{tag}> was removed with its content "
        "(“var secret = 1;”)."
    ]


@pytest.mark.parametrize("tag", ["textarea", "iframe", "template", "svg", "select", "noscript"])
def test_other_closed_tags_keep_their_text(tag):
    rendered = render_markdown(f"<{tag}>inner *words*</{tag}>\n\n{KEPT}.\n")
    assert "inner <em>words</em>" in rendered.html
    assert KEPT in rendered.html
    assert rendered.removed == [f"Line 1: the tag <{tag}> was removed; the text around it is kept."]


@pytest.mark.parametrize(
    "source",
    [
        "Use `<script>` to run code.\n",
        "```html\n<script>\nalert(1)\n```\n",
        "~~~\n<style>\n~~~\n",
        "Intro:\n\n    <textarea>\n    indented code\n",
        "Two spans: `<title>` and `<xmp>`.\n",
    ],
)
def test_tags_in_code_are_shown_as_written_and_not_reported(source):
    rendered = render_markdown(source + f"\n{KEPT}.\n")
    assert rendered.removed == []
    assert "&lt;" in rendered.html and KEPT in rendered.html
    _assert_clean(rendered)


@pytest.mark.parametrize(
    "source",
    [
        "<scr<script>ipt>alert(1)</script>",
        "<scr<script>ipt>alert(1)",
        "<<script>script>alert(1)",
        "<div><scr<script>ipt>alert(1)</div>",
        "<script\ue000\ue011\ue001>alert(1)",  # a forged line mark
        "<svg><style><img src=x onerror=alert(1)>",
        "<math><mi><style><img src=x onerror=alert(1)></style></mi></math>",
        "<noscript><p title='</noscript><img src=x onerror=alert(1)>'>",
        "<template><script>alert(1)</script></template>",
        "<a href='#' title='<script>'>x</a><script>alert(1)",
        "<plaintext><script>alert(1)</script>",
    ],
)
def test_removing_tags_never_lets_a_script_through(source):
    rendered = render_markdown(f"{source}\n\n{KEPT}.\n")
    lowered = rendered.html.lower()
    assert "<script" not in lowered and "onerror" not in lowered.replace("onerror=", "")
    assert not re.search(r"<img[^>]*onerror", lowered)
    assert KEPT in rendered.html
    assert not PRIVATE.search(rendered.html)


def test_many_unclosed_tags_are_cheap():
    """Each end tag is looked for once, not once per start tag (quadratic on a long body)."""
    import time

    source = "\n\n".join(f"<script>paragraph {n}" for n in range(3000))
    started = time.perf_counter()
    rendered = render_markdown(source)
    assert time.perf_counter() - started < 5
    assert len(rendered.removed) == 3000
    assert "paragraph 2999" in rendered.html


# --- what the writer sees -------------------------------------------------------------

BODY = f"## Part one\n\nIntro.\n\n<style>p {{ color: red }}\n\n## Part two\n\n{KEPT}.\n"


@pytest.mark.django_db
def test_saving_warns_which_part_was_removed_and_keeps_the_rest(client, editor):
    client.force_login(editor)
    data = article_form_data(body=BODY, category=CategoryFactory().pk, author=AuthorFactory().pk)
    response = client.post(reverse("admin:articles_article_add"), data, follow=True)
    assertContains(response, "Line 5: the unclosed tag &lt;style&gt; was removed")
    article = Article.objects.get(slug=data["slug"])
    assert KEPT in article.body_html and "Part two" in article.body_html
    assert "<style" not in article.body_html


@pytest.mark.django_db
def test_preview_shows_the_same_warning(client, editor):
    article = ArticleFactory(body="Fine.")
    client.force_login(editor)
    url = reverse("admin:articles_article_preview", args=[article.pk])
    response = client.post(url, article_form_data(article, body=BODY))
    assertContains(response, "Line 5: the unclosed tag &lt;style&gt; was removed")
    assertContains(response, KEPT)


@pytest.mark.django_db
def test_a_clean_body_saves_without_a_warning(client, editor):
    client.force_login(editor)
    data = article_form_data(
        body="Plain `<script>` in code.\n", category=CategoryFactory().pk,
        author=AuthorFactory().pk,
    )  # fmt: skip
    response = client.post(reverse("admin:articles_article_add"), data, follow=True)
    assert "was removed" not in response.content.decode()


@pytest.mark.django_db
def test_an_author_bio_is_treated_the_same(client, editor):
    client.force_login(editor)
    data = {"name": "Ada", "slug": "ada", "bio": f"<title>Hello\n\n{KEPT}.", "website": ""}
    response = client.post(reverse("admin:articles_author_add"), data, follow=True)
    assertContains(response, "Line 1: the tag &lt;title&gt; was removed")
    assert KEPT in Author.objects.get(slug="ada").bio_html
