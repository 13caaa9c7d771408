import pytest

from models_catalog.formatting import compact_count, parse_count, parse_release_date
from models_catalog.models import Dimension, OpennessClass, derive_openness
from tests.factories import AIModelFactory

ALL_OPEN = dict.fromkeys(Dimension.values, "open")


def test_score_averages_open_one_partial_half_over_the_graded_dimensions():
    assert derive_openness(ALL_OPEN, "open") == (100, OpennessClass.OPEN_SOURCE)
    assert derive_openness(dict.fromkeys(Dimension.values, "closed"), "closed")[0] == 0
    assert derive_openness(dict.fromkeys(Dimension.values, "partial"), "gated")[0] == 50
    # 7 open dimensions, the others not graded: only the graded count.
    assert derive_openness(dict.fromkeys(Dimension.values[:7], "open"), "open")[0] == 100
    # Package and api (gone from the index) never count; not applicable ("") neither.
    assert derive_openness({"package": "open", "api": "open", "paper": ""}, "open")[0] is None
    assert derive_openness({"paper": "closed", "modelcard": "open", "api": "open"}, "open")[0] == 50


def test_no_grades_means_no_score():
    assert derive_openness({}, "open") == (None, OpennessClass.OPEN_WEIGHTS)
    assert derive_openness({}, "closed") == (None, OpennessClass.CLOSED)


@pytest.mark.parametrize(
    ("weights", "changes", "expected"),
    [
        ("open", {}, OpennessClass.OPEN_SOURCE),
        ("gated", {}, OpennessClass.OPEN_WEIGHTS),  # a licence gate is not open source
        ("open", {"datasources_basemodel": "partial"}, OpennessClass.OPEN_WEIGHTS),
        ("open", {"license": "partial"}, OpennessClass.OPEN_WEIGHTS),
        ("open", {"trainingcode": "closed"}, OpennessClass.OPEN_WEIGHTS),
        ("open", {"paper": "closed"}, OpennessClass.OPEN_SOURCE),  # documentation only
        ("closed", {}, OpennessClass.CLOSED),
        ("", {}, OpennessClass.CLOSED),  # unknown weights are not known to be downloadable
    ],
)
def test_class_from_weights_and_grades(weights, changes, expected):
    assert derive_openness({**ALL_OPEN, **changes}, weights)[1] == expected


@pytest.mark.django_db
def test_model_stores_the_derived_values():
    model = AIModelFactory(weights="open", grades={"license": "open", "api": "partial"})
    model.refresh_from_db()
    assert model.openness_score == 100  # licence open; api shown, not scored
    assert model.openness_class == OpennessClass.OPEN_WEIGHTS


def test_compact_numbers_round_trip():
    for text, value in [("7B", 7 * 10**9), ("1.5T", 15 * 10**11), ("350M", 350 * 10**6)]:
        assert parse_count(text) == value and compact_count(value) == text
    assert parse_count("128k") == 128_000 and parse_count(4096) == 4096
    assert parse_count("") is None and compact_count(1234) == "1234"
    for bad in ["-1", "7X", "1.5", "lots", True]:
        with pytest.raises(ValueError):
            parse_count(bad)


def test_release_date_precision():
    assert parse_release_date("2024")[1] == "year"
    assert parse_release_date("2024-07")[1] == "month"
    assert parse_release_date("2024-07-23")[0].isoformat() == "2024-07-23"
    for bad in ["2024-7", "24", "2024-02-30", "yesterday"]:
        with pytest.raises(ValueError):
            parse_release_date(bad)
