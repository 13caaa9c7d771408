import importlib

import pytest

from articles.models import SearchSynonym

SEEDED = importlib.import_module("articles.migrations.0014_search_spelling").SYNONYMS


@pytest.fixture(autouse=True)
def seeded_synonyms(db):
    """The list migration 0014 seeds: a transactional test's flush empties the table."""
    SearchSynonym.objects.bulk_create(
        [SearchSynonym(spellings=line) for line in SEEDED], ignore_conflicts=True
    )
