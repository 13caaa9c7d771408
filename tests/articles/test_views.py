from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from config.lib import cache
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    category = CategoryFactory(name="AI", slug="ai")
    author = AuthorFactory(name="Ada Writer", slug="ada", bio="Ada covers *open models*.")
    articles = [
        ArticleFactory(
            title=f"Story {i}",
            slug=f"story-{i}",
            category=category,
            author=author,
            published_at=timezone.now() - timedelta(days=i + 1),
            tags=["Llama", "Open source"] if i % 2 else ["GPT"],
        )
        for i in range(3)
    ]
    return articles


def test_home_lists_published_and_categories(client, published):
    ArticleFactory(title="Secret draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Future piece", published_at=timezone.now() + timedelta(days=1))
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Story 0" in content and "Story 2" in content
    assert "Secret draft" not in content and "Future piece" not in content
    assert 'href="/category/ai/"' in content


def test_article_page_shows_everything(client, published):
    article = published[1]
    ArticleFactory.create_batch(3, published_at=timezone.now())  # recent posts, untagged
    # Older than the five recent posts, which related articles leave out (issue 17).
    ArticleFactory(
        title="Also about Llama", tags=["Llama"], published_at=timezone.now() - timedelta(days=30)
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ada Writer" in content and "open models" in content  # author box with bio
    assert "min read" in content
    assert "Recent posts" in content and "Story 0" in content
    assert "Related articles" in content and "Also about Llama" in content
    assert 'rel="prev"' in content and 'rel="next"' in content
    assert "/tags/llama/" in content


def test_last_modified_shown_only_after_publication_edit(client, published):
    article = published[0]
    Article.objects.filter(pk=article.pk).update(updated_at=article.published_at)
    assert "Last modified on" not in client.get(article.get_absolute_url()).content.decode()
    Article.objects.filter(pk=article.pk).update(
        updated_at=article.published_at + timedelta(days=3)
    )
    cache.bump()  # a raw UPDATE bypasses the signals that editors' saves go through
    assert "Last modified on" in client.get(article.get_absolute_url()).content.decode()


def test_related_articles_ranked_by_shared_tags(published):
    from articles.public.queries import related_articles

    target = ArticleFactory(tags=["Llama", "Open source"])
    one_tag = ArticleFactory(tags=["Llama"], published_at=timezone.now())
    related = list(related_articles(Article.objects.for_listing().get(pk=target.pk)))
    assert related[0] == published[1]
    assert one_tag in related
    assert published[0] not in related


def test_related_articles_leave_out_the_recent_posts_beside_them(client):
    """Related and recent never list the same article on one page (issue 17)."""
    now = timezone.now()
    target = ArticleFactory(tags=["Llama", "Open source"], published_at=now - timedelta(days=30))
    older = [
        ArticleFactory(tags=["Llama", "Open source"], published_at=now - timedelta(days=20 + i))
        for i in range(3)
    ]
    newest = [
        ArticleFactory(tags=["Llama", "Open source"], published_at=now - timedelta(days=i))
        for i in range(1, 6)
    ]
    context = client.get(target.get_absolute_url()).context
    recent, related = list(context["recent"]), list(context["related"])
    assert recent == newest
    assert not set(recent) & set(related)
    assert related == older  # the next best still fill the list


def test_toc_only_for_long_articles(client):
    short = ArticleFactory(body="## One\n\ntext")
    long = ArticleFactory(body="## One\n\na\n\n## Two\n\nb\n\n## Three\n\nc")
    assert 'class="toc"' not in client.get(short.get_absolute_url()).content.decode()
    assert 'class="toc"' in client.get(long.get_absolute_url()).content.decode()


def test_category_author_and_archives(client, published):
    year = published[0].published_at.year
    month = published[0].published_at.month
    for url in [
        "/category/ai/",
        "/authors/ada/",
        f"/archive/{year}/",
        f"/archive/{year}/{month}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Story" in response.content.decode(), url


@pytest.mark.parametrize(
    "url",
    [
        "/articles/no-such-article/",
        "/category/nope/",
        "/authors/nope/",
        "/archive/1999/",
        "/archive/2024/13/",
        "/archive/2024/0/",
        "/archive/0/",
        "/archive/99999999999999999999/",
        "/archive/2024/99999999999999999999/",
        "/nothing/here/",
    ],
)
def test_bad_urls_give_404(client, published, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.parametrize(
    "status,offset",
    [("draft", None), ("review", -1), ("published", 1), ("draft", -1)],
)
def test_unpublished_article_is_404_for_readers(client, status, offset):
    when = None if offset is None else timezone.now() + timedelta(days=offset)
    article = ArticleFactory(status=status, published_at=when)
    assert client.get(article.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("page", ["abc", "99999", "-1", "0", "1.5", "", "%00"])
def test_junk_page_numbers_never_500(client, published, page):
    for url in ["/", "/category/ai/", "/authors/ada/"]:
        assert client.get(url, {"page": page}).status_code == 200


def test_pagination(client):
    category = CategoryFactory(slug="many")
    ArticleFactory.create_batch(25, category=category)
    first = client.get("/category/many/").content.decode()
    assert "Page 1 of 3" in first
    last = client.get("/category/many/?page=3").content.decode()
    assert "Page 3 of 3" in last


def test_pages_carry_no_inline_script_or_foreign_assets(client, published):
    content = client.get(published[0].get_absolute_url()).content.decode()
    # JSON-LD is data, not code; the only other <script> is a file of the site's own static.
    data = content.count('<script type="application/ld+json">')
    files = content.count('<script src="/static/')
    assert content.count("<script") == data + files
    assert files <= 1
    assert 'src="http' not in content and 'href="//' not in content


def test_previous_and_next_step_through_articles_published_at_the_same_moment(client):
    moment = timezone.now() - timedelta(hours=1)
    first, second, third = (
        ArticleFactory(title=f"Same time {n}", slug=f"same-{n}", published_at=moment)
        for n in range(3)
    )
    content = client.get(second.get_absolute_url()).content.decode()
    assert f'rel="prev" href="{first.get_absolute_url()}"' in content
    assert f'rel="next" href="{third.get_absolute_url()}"' in content
