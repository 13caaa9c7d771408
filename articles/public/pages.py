"""The pages behind the footer: the archive's list of years, About and methodology, corrections.

A correction is a paragraph of an article's body that starts with "Correction:" (bold or
italic marks allowed): editors add it through the usual edit (the write path), readers see it
in place, and the corrections page lists every published article carrying one, the most
recently modified first, with the note itself.
"""

from django.conf import settings
from django.db.models import Count, Max
from django.db.models.functions import ExtractYear
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from articles.models import Article
from articles.public.views import paginate
from articles.rendering.corrections import corrections_in
from config.lib.cache import generational, public_page
from config.lib.cache_keys import page_number
from models_catalog.models import CITATION, CITATION_URL

CORRECTIONS_PAGE_SIZE = 20


def archive_years():
    """[(year, published articles)], newest year first; kept until the next articles write."""

    def compute():
        return list(
            Article.objects.published()
            .annotate(year=ExtractYear("published_at"))
            .order_by()
            .values("year")
            .annotate(count=Count("pk"), newest=Max("updated_at"), went_live=Max("published_at"))
            .order_by("-year")
            .values_list("year", "count", "newest", "went_live")
        )

    return generational("archive:years", ("articles",), compute)


@public_page("articles")
def archive_index(request):
    years = [(year, count) for year, count, *_ in archive_years()]
    return render(request, "articles/archive_index.html", {"years": years})


def optional_url(name):
    """The path of `name`, or "" while no such page exists (another branch may add it)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@public_page("catalog")
def about(request):
    context = {
        "citation": CITATION,
        "citation_url": CITATION_URL,
        "methodology_url": reverse("catalog:methodology"),
        "changes_url": optional_url("catalog:changes"),
        "corrections_email": settings.CORRECTIONS_EMAIL,
    }
    return render(request, "articles/about.html", context)


def corrected_articles():
    """Published articles whose body may carry a correction, most recently modified first."""
    return (
        Article.objects.published()
        .filter(has_correction=True)  # derived on save: no body is read to find them
        .select_related("category")
        .only("title", "slug", "body", "published_at", "updated_at", "category__name")
        .order_by("-updated_at", "-pk")
    )


@public_page("articles", params={"page": page_number()})
def corrections(request):
    page = paginate(request, corrected_articles(), per_page=CORRECTIONS_PAGE_SIZE)
    entries = [(article, corrections_in(article.body)) for article in page]
    context = {
        "page_obj": page,
        "entries": [(article, notes) for article, notes in entries if notes],
        "corrections_email": settings.CORRECTIONS_EMAIL,
    }
    return render(request, "articles/corrections.html", context)
