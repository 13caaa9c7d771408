"""Hostile Markdown: no payload of the corpus survives rendering in a dangerous form."""

import pytest
from taggit.models import Tag

from articles.models import Article, Author, TagDescription
from articles.rendering.article import article_derive
from articles.writes import article_save
from config.lib.rendering import render_markdown
from tests.factories import AIModelFactory, ArticleFactory, OrganizationFactory
from tests.security.payloads import html_problems, load_payloads

PAYLOADS = load_payloads()


def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 150
    for family in ("<svg", "<math", "javascript:", "data:", "&#", "style=", "](", "\n"):
        assert any(family in payload for payload in PAYLOADS), family


@pytest.mark.parametrize(
    "html",
    [
        '<img src="x" onerror="alert(1)">',
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<img srcset="x 1x, data:image/svg+xml,x 2x">',
        '<div style="position:fixed">x</div>',
        "<svg></svg>",
        '<p class="skip-link">x</p>',
    ],
)
def test_the_checker_sees_what_it_looks_for(html):
    assert html_problems(html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendered_markdown_keeps_nothing_dangerous(payload):
    rendered = render_markdown(payload)
    assert html_problems(rendered.html) == []
    assert html_problems(rendered.toc_html) == []


@pytest.mark.django_db
def test_article_bodies_keep_nothing_dangerous():
    """Through article_derive(): inline images and [[model:…]] references included."""
    AIModelFactory(slug="x", name='<img src=x onerror="alert(1)">')
    problems = {}
    for payload in PAYLOADS:
        article = Article(body=payload)
        article_derive(article)
        found = html_problems(article.body_html) + html_problems(article.toc_html)
        if found:
            problems[payload] = found
    assert problems == {}


@pytest.mark.slow
@pytest.mark.django_db
def test_every_markdown_field_is_sanitised_on_save():
    """Each payload on its own (together, an unclosed tag would swallow the rest)."""
    author = Author.objects.create(name="Mallory", slug="mallory")
    article = ArticleFactory(author=author)
    description = TagDescription.objects.create(tag=Tag.objects.create(name="xss", slug="xss"))
    model = AIModelFactory()
    fields = [
        (author, "bio", ["bio_html"]),
        (article, "body", ["body_html", "toc_html"]),
        (description, "description", ["description_html"]),
        (model, "description", ["description_html"]),
    ]
    problems = []
    for payload in PAYLOADS:
        for obj, source, derived in fields:
            setattr(obj, source, payload)
            save = article_save if isinstance(obj, Article) else type(obj).save
            save(obj)
            obj.refresh_from_db()
            problems += [(payload, html_problems(getattr(obj, name))) for name in derived]
    assert [(payload, found) for payload, found in problems if found] == []


@pytest.mark.django_db
def test_hostile_names_in_model_references_are_escaped():
    organization = OrganizationFactory(name="<script>alert(1)</script>")
    AIModelFactory(slug="evil", name="<img src=x onerror=alert(1)>", organization=organization)
    article = ArticleFactory(body="See [[model:evil]] and [[model:EVIL]].")
    assert "model-ref" in article.body_html
    assert html_problems(article.body_html) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in article.body_html
