"""`?as_of=YYYY-MM-DD`: the model page, compare and /models.json as the facts stood that day.

An entry's own columns are rewound through its history (models/history.py), its prices
through their dated points; tags, modalities and openness grades are shown as they are now
(the pages say so). A day that is no date is a 400; a day before an entry existed (its
release, else the day it was added) a 404 naming the day it starts.
"""

import datetime

from django.shortcuts import render
from django.utils import timezone

from config.lib.cache_keys import iso_date
from models_catalog.models.history import began

PARAMS = {"as_of": iso_date()}


class BadAsOf(ValueError):
    """An `as_of` that is no day; the message says what is expected."""


def as_of_day(request):
    """The asked day, or None for today; BadAsOf for anything else."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise BadAsOf(f"“{raw[:40]}” is not a date: use as_of=YYYY-MM-DD, e.g. 2024-08-06.")
    if day > timezone.localdate():
        raise BadAsOf(f"{day.isoformat()} is in the future: facts are known up to today.")
    return day


def bad_request(request, message):
    return render(request, "models_catalog/as_of_refused.html", {"message": message}, status=400)


def not_yet(request, model, day):
    message = (
        f"{model.name} has no facts as of {_day(day)}: its record starts {_day(began(model))}."
    )
    context = {"message": message, "model": model}
    return render(request, "models_catalog/as_of_refused.html", context, status=404)


def _day(day):
    return f"{day.day} {day:%B %Y}"
