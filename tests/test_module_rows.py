"""The module-scoped rows of tests/module_rows.py: made once, each test's changes undone."""

import pytest
from django.db import transaction

from articles.models import Category
from tests.module_rows import rows_for_the_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def category_pk(django_db_setup, django_db_blocker):
    yield from rows_for_the_module(
        django_db_blocker, lambda: Category.objects.create(name="Shared", slug="shared").pk
    )


def test_the_rows_live_from_make_to_the_module_end(django_db_blocker):
    """The whole life of the rows in one test (the fixture's two turns below prove it only
    when both run in one worker): made once, a test's change undone, gone at the end."""
    rows = rows_for_the_module(django_db_blocker, lambda: Category.objects.create(slug="a").pk)
    pk = next(rows)
    with transaction.atomic():  # a test's own transaction, as pytest-django's `db` opens it
        Category.objects.filter(pk=pk).update(slug="changed")
        transaction.set_rollback(True)
    assert Category.objects.get(pk=pk).slug == "a"
    with pytest.raises(StopIteration):
        next(rows)  # the module is done
    assert not Category.objects.filter(pk=pk).exists()


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_finds_the_rows_as_made(category_pk, turn):
    category = Category.objects.get(pk=category_pk)
    assert category.name == "Shared"  # the first turn's rename below was rolled back
    Category.objects.filter(pk=category_pk).update(name=f"Renamed in turn {turn}")
    Category.objects.create(name=f"Own {turn}", slug=f"own-{turn}")
    assert Category.objects.count() == 2


def test_a_failed_make_leaves_no_open_transaction(django_db_blocker):
    def broken():
        Category.objects.create(name="Half", slug="half")
        raise ValueError("made half")

    with pytest.raises(ValueError):
        next(rows_for_the_module(django_db_blocker, broken))
    assert not Category.objects.filter(slug="half").exists()
