"""The catalog's tables, one module per subject; everything is importable from here."""

from models_catalog.models.aimodels import AIModel, AIModelQuerySet, TaggedModel, describe
from models_catalog.models.history import FactChange
from models_catalog.models.modalities import MODALITIES, Modality, ensure_modalities, in_order
from models_catalog.models.openness import (
    DIMENSION_GROUPS,
    GRADE_POINTS,
    NOT_APPLICABLE,
    OPEN_SOURCE_DIMENSIONS,
    OPTIONAL_DIMENSIONS,
    SCORED_DIMENSIONS,
    Dimension,
    Grade,
    OpennessClass,
    OpennessGrade,
    Weights,
    derive_openness,
)
from models_catalog.models.organisations import License, Organization
from models_catalog.models.osai import (
    CITATION,
    CITATION_URL,
    FILE_KEYS,
    INDEX_URL,
    IndexRelease,
    IndexSystem,
)
from models_catalog.models.provenance import (
    NOT_APPLICABLE_FACTS,
    NOT_APPLICABLE_TEXT,
    PRICE_COLUMNS,
    SOURCED_FACTS,
    PricePoint,
    PriceUnit,
    current_prices,
    latest_points,
)

__all__ = [
    "CITATION", "CITATION_URL", "FILE_KEYS", "INDEX_URL", "IndexRelease", "IndexSystem",
    "NOT_APPLICABLE", "OPTIONAL_DIMENSIONS", "SCORED_DIMENSIONS",
    "DIMENSION_GROUPS", "GRADE_POINTS", "MODALITIES", "OPEN_SOURCE_DIMENSIONS", "AIModel",
    "AIModelQuerySet", "Dimension", "Grade", "License", "Modality", "OpennessClass",
    "OpennessGrade", "Organization", "TaggedModel", "Weights", "derive_openness", "describe",
    "ensure_modalities", "in_order", "FactChange", "NOT_APPLICABLE_TEXT", "NOT_APPLICABLE_FACTS",
    "PRICE_COLUMNS", "SOURCED_FACTS", "PricePoint", "PriceUnit", "current_prices",
    "latest_points",
]  # fmt: skip
