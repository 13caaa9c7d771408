"""The side-by-side table: one column per model, one row per fact and openness dimension."""

from dataclasses import dataclass, field

from models_catalog.models import DIMENSION_GROUPS, OPTIONAL_DIMENSIONS, AIModel
from models_catalog.models.osai import GRADE_LABELS

MIN_MODELS, MAX_MODELS = 2, 6
MAX_ASKED = 20


@dataclass
class Cell:
    text: str
    css: str = ""
    link: str = ""
    is_best: bool = False


@dataclass
class Row:
    label: str
    cells: list
    differs: bool = False
    best_rule: str = ""  # e.g. "largest", shown next to the best cell
    group: str = ""
    notes: list = field(default_factory=list)


def _fact(label, models, text, key=None, best=None, rule="", css=None):
    """A row of `text(model)`; with `key` and `best` (max or min), the best known value wins."""
    cells = [Cell(text(m), css(m) if css else "") for m in models]
    row = Row(label, cells, differs=len({c.text for c in cells}) > 1, best_rule=rule)
    if key and best and row.differs:
        values = [key(m) for m in models]
        known = [v for v in values if v is not None]
        if known:
            winner = best(known)
            for cell, value in zip(cells, values, strict=True):
                cell.is_best = value == winner
    return row


def comparison_rows(models):
    """[Row] for `models` (loaded with `AIModel.objects.for_detail()`): facts, then grades."""
    return _fact_rows(models) + _grade_rows(models)


def _fact_rows(models):
    return [
        _fact("Organisation", models, lambda m: str(m.organization or "unknown")),
        _fact("Family", models, lambda m: m.family or "none"),
        _fact("Kind", models, lambda m: m.get_kind_display()),
        _fact("Released", models, lambda m: m.release_date_display or "unknown"),
        _fact("Weights", models, lambda m: m.get_weights_display() or "unknown",
              css=lambda m: f"badge badge--{m.weights}" if m.weights else ""),
        _fact("Openness class", models, lambda m: m.get_openness_class_display()),
        _fact("Openness score", models, _score, key=lambda m: m.openness_score, best=max,
              rule="most open"),
        _fact("Licence", models, lambda m: str(m.license or "unknown")),
        _fact("Licence kind", models,
              lambda m: m.license.get_kind_display() if m.license and m.license.kind else "unknown"),
        _fact("OSI-approved licence", models,
              lambda m: _yes_no(m.license.osi_approved if m.license else None)),
        _fact("Commercial use", models,
              lambda m: _yes_no(m.license.commercial_use if m.license else None)),
        _fact("Parameters", models, lambda m: m.parameters_display),
        _fact("Active parameters", models, lambda m: m.active_parameters_display),
        _fact("Context window", models, lambda m: m.context_window_display,
              key=lambda m: m.context_window, best=max, rule="largest"),
        _fact("Input", models, lambda m: ", ".join(m.input_modality_list) or "unknown"),
        _fact("Output", models, lambda m: ", ".join(m.output_modality_list) or "unknown"),
        _fact("API", models, lambda m: m.api_display),
        _fact("Input price per million tokens", models, lambda m: m.price_input_display,
              key=lambda m: m.price_input_per_mtok, best=min, rule="lowest"),
        _fact("Output price per million tokens", models, lambda m: m.price_output_display,
              key=lambda m: m.price_output_per_mtok, best=min, rule="lowest"),
    ]  # fmt: skip


def _grade_rows(models):
    """One row per dimension: each model's own grade, else the index's grade of that exact
    model (what its score counts); package and api only where a model has them."""
    grades = [_grade_cells(m) for m in models]
    rows = []
    for group, dimensions in DIMENSION_GROUPS.items():
        for dimension in dimensions:
            if dimension in OPTIONAL_DIMENSIONS and not any(dimension in g for g in grades):
                continue
            cells = [g.get(dimension.value, Cell("not assessed", "muted")) for g in grades]
            differs = len({c.text for c in cells}) > 1
            rows.append(Row(dimension.label, cells, differs=differs, group=group))
    return rows


def _grade_cells(model):
    """{dimension: Cell} of the grades `model`'s score counts."""
    cells = {}
    system = model.index_system_or_none
    for key, found in (system.grades if system else {}).items():
        url = next((link["url"] for link in found["links"] if link["url"]), "")
        grade = found["grade"]
        css = f"grade grade--{grade}" if grade else "muted"
        cells[key] = Cell(GRADE_LABELS[grade], css, url)
    for grade in model.openness_grades.all():
        cells[grade.dimension] = Cell(
            grade.get_grade_display(), f"grade grade--{grade.grade}", grade.link
        )
    return cells


def _score(model):
    return "not assessed" if model.openness_score is None else f"{model.openness_score}/100"


def _yes_no(value):
    return {True: "Yes", False: "No"}.get(value, "unknown")


def compare_selection(slugs):
    """(models in the asked order, notices) for the `m` parameters.

    Unknown slugs are named and skipped; past MAX_MODELS known models the rest are named
    and left out. At most MAX_ASKED slugs are looked up, so a long query string costs nothing.
    """
    wanted = list(dict.fromkeys(s.strip() for s in slugs if s.strip()))[:MAX_ASKED]
    found = {m.slug: m for m in AIModel.objects.for_detail().filter(slug__in=wanted)}
    notices = []
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        notices.append(f"Not in the catalog, so not compared: {', '.join(unknown)}.")
    models = [found[slug] for slug in wanted if slug in found]
    if len(models) > MAX_MODELS:
        left_out = ", ".join(m.name for m in models[MAX_MODELS:])
        notices.append(f"At most {MAX_MODELS} models fit side by side; left out: {left_out}.")
        models = models[:MAX_MODELS]
    if len(models) < MIN_MODELS:
        notices.append(f"Choose at least {MIN_MODELS} models to compare.")
    return models, notices
