"""Social cards for catalog entries and comparisons (drawing and serving: config/lib/cards.py)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from config.lib.cards import Card, card_response
from models_catalog.models import AIModel
from models_catalog.public.comparison import MAX_MODELS, MIN_MODELS

SEPARATOR = "+"  # between the sorted slugs of a comparison card's URL; no slug holds it


def aimodel_card(model):
    """(card, url) for a catalog entry loaded with its organisation."""
    facts = (
        ("Organisation", str(model.organization or "unknown")),
        ("Weights", model.get_weights_display() or "unknown"),
        ("Parameters", model.parameters_display),
        ("Context window", model.context_window_display),
    )
    card = Card("AI model", model.name, facts, model.openness_score)
    return card, reverse("catalog:card", args=[model.slug, card.version])


def compare_slugs(models):
    """The models' slugs in the one order a comparison's canonical URL and card use."""
    return sorted(model.slug for model in models)


def compare_card(models):
    """(card, url) for a comparison of `models` (two to MAX_MODELS)."""
    ordered = sorted(models, key=lambda model: model.slug)
    title = " vs ".join(model.name for model in ordered)
    facts = tuple((model.name, _openness(model)) for model in ordered)  # the first four show
    card = Card("Comparison", title, facts)
    slugs = SEPARATOR.join(compare_slugs(ordered))
    return card, reverse("catalog:compare-card", args=[slugs, card.version])


def _openness(model):
    score = "not assessed" if model.openness_score is None else f"{model.openness_score}/100"
    return f"{model.get_openness_class_display()}, {score}"


def aimodel_card_view(request, slug, version):
    model = get_object_or_404(AIModel.objects.select_related("organization"), slug=slug)
    card, url = aimodel_card(model)
    return card_response(card, version, url)


def compare_card_view(request, slugs, version):
    """Only a sorted set of two to MAX_MODELS known slugs has a card; anything else is 404."""
    wanted = slugs.split(SEPARATOR)
    if not MIN_MODELS <= len(wanted) <= MAX_MODELS or wanted != sorted(set(wanted)):
        raise Http404("Not a comparison.")
    models = list(AIModel.objects.select_related("organization").filter(slug__in=wanted))
    if len(models) != len(wanted):
        raise Http404("Not in the catalog.")
    card, url = compare_card(models)
    return card_response(card, version, url)
