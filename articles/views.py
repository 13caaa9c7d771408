import calendar
from datetime import date

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.http import http_date
from taggit.models import Tag

from articles.models import Article, Author, Category, TagDescription
from articles.queries import (
    article_neighbours,
    models_for_article,
    related_articles,
    related_tags,
    tags_in_use,
)
from config.cache import public_page
from models_catalog.models import AIModel

PAGE_SIZE = 10
TAG_MODEL_LIMIT = 24


def paginate(request, queryset, per_page=PAGE_SIZE):
    """A page of `queryset`; junk or out-of-range `?page=` gives the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@public_page("articles")
def home(request):
    published = Article.objects.published().for_listing()
    lead = published.first()
    rest = published.exclude(pk=lead.pk) if lead else published
    page = paginate(request, rest)
    context = {
        "lead": lead if page.number == 1 else None,
        "page_obj": page,
        "categories": Category.objects.with_published_counts(),
    }
    return render(request, "articles/home.html", context)


@public_page("articles", "catalog")
def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published().for_listing(), slug=slug)
    previous, following = article_neighbours(article)
    context = {
        "article": article,
        "recent": Article.objects.published().for_listing().exclude(pk=article.pk)[:5],
        "related": related_articles(article),
        "models_in_article": models_for_article(article),
        "previous": previous,
        "next": following,
    }
    response = render(request, "articles/article_detail.html", context)
    response["Last-Modified"] = http_date(article.updated_at.timestamp())
    return response


@public_page("articles")
def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    articles = Article.objects.published().for_listing().filter(category=category)
    context = {"category": category, "page_obj": paginate(request, articles)}
    return render(request, "articles/category_detail.html", context)


@public_page("articles")
def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    articles = Article.objects.published().for_listing().filter(author=author)
    context = {"author": author, "page_obj": paginate(request, articles)}
    return render(request, "articles/author_detail.html", context)


def _check_year(year):
    if not 1 <= year <= 9999:
        raise Http404("No such year.")


@public_page("articles")
def archive_year(request, year):
    _check_year(year)
    articles = Article.objects.published().for_listing().filter(published_at__year=year)
    page = paginate(request, articles)
    if not page.paginator.count:
        raise Http404("No articles were published that year.")
    context = {"year": year, "period": str(year), "page_obj": page}
    return render(request, "articles/archive.html", context)


@public_page("articles")
def archive_month(request, year, month):
    _check_year(year)
    if not 1 <= month <= 12:
        raise Http404("No such month.")
    articles = (
        Article.objects.published()
        .for_listing()
        .filter(published_at__year=year, published_at__month=month)
    )
    page = paginate(request, articles)
    if not page.paginator.count:
        raise Http404("No articles were published that month.")
    period = f"{calendar.month_name[month]} {year}"
    context = {"year": year, "month": date(2000, month, 1), "period": period, "page_obj": page}
    return render(request, "articles/archive.html", context)


TAG_SORTS = {"use": "Most used", "name": "A–Z"}


@public_page("articles", "catalog")
def tag_list(request):
    order = request.GET.get("sort", "use")
    notice = None
    if order not in TAG_SORTS:
        notice = "That sort order is not available; showing the most used tags first."
        order = "use"
    page = paginate(request, tags_in_use(order), per_page=100)
    context = {"page_obj": page, "sort": order, "sorts": TAG_SORTS, "notice": notice}
    return render(request, "articles/tag_list.html", context)


@public_page("articles", "catalog")
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    description = TagDescription.objects.filter(tag=tag).first()
    models = (
        AIModel.objects.filter(tags=tag)
        .select_related("organization")
        .order_by("-openness_score", "name", "pk")
    )
    articles = Article.objects.published().for_listing().filter(tags=tag)
    context = {
        "tag": tag,
        "description": description,
        "models": models[: TAG_MODEL_LIMIT + 1],
        "model_limit": TAG_MODEL_LIMIT,
        "page_obj": paginate(request, articles),
        "related_tags": related_tags(tag),
    }
    return render(request, "articles/tag_detail.html", context)
