import calendar
from datetime import date

from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import http_date
from taggit.models import Tag

from articles.announce import AROUND, RECENT
from articles.models import Article, Author, Category, TagDescription, TagRedirect
from articles.public.cards import article_card, tag_card
from articles.public.queries import (
    article_neighbours,
    compare_choice,
    models_for_article,
    related_articles,
    related_tags,
    tags_in_use,
)
from articles.public.shown import article_keys, shows_articles, shows_models, shows_tags
from articles.writes import references_refresh_if_due
from config.lib.cache import depends_on, generational, public_page
from config.lib.cache_keys import choice, get_page, keep_not_found, page_number
from config.lib.fragments import Rows, RowsPaginator, Shown
from models_catalog.models import AIModel

PAGE_SIZE = 10
TAG_MODEL_LIMIT = 24
PAGED = {"page": page_number()}  # the one query parameter a list of articles reads


class ArticlePaginator(RowsPaginator):
    """Pages of published articles that cost the same at page 1 and page 1,000.

    The count (a scan of every matching row) is kept until the next write to the articles
    half (`generational`), under `count_key`, which must name everything the queryset
    filters on. A page first takes its ids from the index (`LIMIT`/`OFFSET` over ids alone);
    its rows are loaded only for the cards that must be built again (`{% cards %}`).
    """

    def __init__(self, object_list, per_page, count_key, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        compute = self.object_list.count  # always a queryset here
        return generational(f"count:{self.count_key}", ("articles",), compute)


def paginate(request, queryset, per_page=PAGE_SIZE, *, count_key=None):
    """A page of `queryset`; junk or out-of-range `?page=` gives the nearest valid page.

    Lists of articles pass `count_key` (see `ArticlePaginator`); other lists count each time.
    """
    if count_key is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = ArticlePaginator(queryset, per_page, count_key)
    return get_page(request, paginator)


def _category_counts():
    return generational(
        "home:categories", ("articles",), lambda: list(Category.objects.with_published_counts())
    )


@public_page("articles", params=PAGED)
def home(request):
    published = Article.objects.published().for_listing()
    lead = published.values_list("pk", flat=True).first()
    rest = published.exclude(pk=lead) if lead else published
    page = paginate(request, rest, count_key="home")
    depends_on("list:articles", "list:categories")
    # The cards say what they show ({% cards %}), kept or built.
    context = {
        "lead": Rows([lead], published) if lead and page.number == 1 else None,
        "page_obj": page,
        "categories": _category_counts(),
    }
    return render(request, "articles/home.html", context)


@public_page("articles", "catalog")
def article_detail(request, slug):
    """The article page. Its parts (the article with its models, and what surrounds it) are
    kept between renders (`{% kept %}`): the values below are computed only for a part that
    must be built again, and each says what it shows where it is used (`Shown`)."""
    article = Article.objects.published().for_detail().filter(slug=slug).first()
    if article is None:
        _not_public(request, slug)
    references_refresh_if_due(article)  # an article it names went live since it was rendered
    models_in_article = Shown(lambda: _shown_models(article))
    recent = Shown(lambda: _recent(article))
    neighbours = Shown(lambda: _neighbours(article))
    context = {
        "article": article,
        "recent": recent,
        "related": Shown(lambda: _related(article, recent.value)),
        "models_in_article": models_in_article,
        "compare_slugs": Shown(lambda: compare_choice(article, models_in_article.referenced)),
        "previous": Shown(lambda: neighbours.value[0]),
        "next": Shown(lambda: neighbours.value[1]),
        "card": Shown(lambda: article_card(article)),
        "keep_fragments": ("articles", "catalog"),
        "article_keys": article_keys(article),  # what every part shows of the article
    }
    depends_on(*context["article_keys"])  # its title and meta tags, outside the kept parts
    response = render(request, "articles/article_detail.html", context)
    response["Last-Modified"] = http_date(article.updated_at.timestamp())
    return response


def _not_public(request, slug):
    """404. For the address of an article that is not public yet (a draft, a scheduled
    piece: readers who were given its link ask again and again), the 404 is kept until that
    article is written or comes due; an unknown address is not kept (cache_keys)."""
    pk = Article.all_objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is not None:
        depends_on(f"article:{pk}")
        keep_not_found(request)
    raise Http404("No article is published at this address.")


def _shown_models(article):
    models = models_for_article(article)
    shows_tags(article.tags.all())  # their names; which entries carry them: order:models
    shows_models(models.all)
    depends_on("order:models")
    return models


# What surrounds an article changes when an article takes a new place in time, not with
# every publish of the site (articles/announce.py `order_keys`): "Recent posts" when one
# lands among the newest, the neighbours when one lands next to this article, the related
# list when an article comes to carry one of its tags (`tagged:`). An article leaving any
# of them was shown there: its own key reaches the page. AROUND: many placed at once.


def _recent(article):
    recent = list(Article.objects.published().for_sidebar().exclude(pk=article.pk)[:RECENT])
    shows_articles(recent)
    depends_on("recent:articles", AROUND)
    return recent


def _related(article, recent):
    related = list(related_articles(article, exclude=[item.pk for item in recent]))
    shows_articles(related)
    shows_tags(article.tags.all(), listed=True)  # "related" ranks by shared tags
    depends_on(AROUND)
    return related


def _neighbours(article):
    neighbours = article_neighbours(article)
    shows_articles(neighbours)
    depends_on(f"next-to:{article.pk}", AROUND)
    return neighbours


@public_page("articles", params=PAGED)
def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    articles = Article.objects.published().for_listing().filter(category=category)
    context = {
        "category": category,
        "page_obj": paginate(request, articles, count_key=f"category:{category.pk}"),
    }
    depends_on(f"category:{category.pk}", f"list:category:{category.pk}")
    return render(request, "articles/category_detail.html", context)


@public_page("articles", params=PAGED)
def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    articles = Article.objects.published().for_listing().filter(author=author)
    context = {
        "author": author,
        "page_obj": paginate(request, articles, count_key=f"author:{author.pk}"),
    }
    depends_on(f"author:{author.pk}", f"list:author:{author.pk}")
    return render(request, "articles/author_detail.html", context)


def _tag_models(tag):
    """The catalog entries a tag page shows (one more than it lists: "All … tagged")."""
    models = list(
        AIModel.objects.filter(tags=tag)
        .select_related("organization")
        .defer("description", "description_html")
        .order_by("-openness_score", "name", "pk")[: TAG_MODEL_LIMIT + 1]
    )
    shows_models(models)
    depends_on("order:models")
    return models


def _related_tags(tag):
    depends_on(f"tagged:{tag.pk}", "names:tags")
    return related_tags(tag)


def _check_year(year):
    if not 1 <= year <= 9999:
        raise Http404("No such year.")


@public_page("articles", params=PAGED)
def archive_year(request, year):
    _check_year(year)
    articles = Article.objects.published().for_listing().filter(published_at__year=year)
    page = paginate(request, articles, count_key=f"year:{year}")
    if not page.paginator.count:
        raise Http404("No articles were published that year.")
    depends_on("list:articles")
    context = {"year": year, "period": str(year), "page_obj": page}
    return render(request, "articles/archive.html", context)


@public_page("articles", params=PAGED)
def archive_month(request, year, month):
    _check_year(year)
    if not 1 <= month <= 12:
        raise Http404("No such month.")
    articles = (
        Article.objects.published()
        .for_listing()
        .filter(published_at__year=year, published_at__month=month)
    )
    page = paginate(request, articles, count_key=f"month:{year}-{month}")
    if not page.paginator.count:
        raise Http404("No articles were published that month.")
    depends_on("list:articles")
    period = f"{calendar.month_name[month]} {year}"
    context = {"year": year, "month": date(2000, month, 1), "period": period, "page_obj": page}
    return render(request, "articles/archive.html", context)


TAG_SORTS = {"use": "Most used", "name": "A–Z"}


@public_page("articles", "catalog", params={**PAGED, "sort": choice(*TAG_SORTS, default="use")})
def tag_list(request):
    order = request.GET.get("sort", "use")
    notice = None
    if order not in TAG_SORTS:
        notice = "That sort order is not available; showing the most used tags first."
        order = "use"
    page = paginate(request, tags_in_use(order), per_page=100)
    context = {"page_obj": page, "sort": order, "sorts": TAG_SORTS, "notice": notice}
    return render(request, "articles/tag_list.html", context)


@public_page("articles", "catalog", params=PAGED)
def tag_detail(request, slug):
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        # A renamed or merged tag's old address moves for good to the tag it became.
        moved = get_object_or_404(TagRedirect.objects.select_related("tag"), old_slug=slug)
        return HttpResponsePermanentRedirect(reverse("articles:tag", args=[moved.tag.slug]))
    articles = Article.objects.published().for_listing().filter(tags=tag)
    models = Shown(lambda: _tag_models(tag))
    context = {
        "tag": tag,
        "description": Shown(lambda: TagDescription.objects.filter(tag=tag).first()),
        "models": models,
        "model_limit": TAG_MODEL_LIMIT,
        "models_shown": Shown(lambda: models.value[:TAG_MODEL_LIMIT]),
        "page_obj": paginate(request, articles, count_key=f"tag:{tag.pk}"),
        "related_tags": Shown(lambda: _related_tags(tag)),
        "card": tag_card(tag),
        "keep_fragments": ("articles", "catalog"),
        "tag_keys": [f"tag:{tag.pk}"],  # its name and description (TagDescription says tag:)
    }
    depends_on(f"tag:{tag.pk}", f"list:tag:{tag.pk}", f"tagged:{tag.pk}", "order:models")
    depends_on("names:tags")  # the related tags' names
    return render(request, "articles/tag_detail.html", context)
