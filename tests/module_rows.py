"""Rows made once for all the tests of a module, where making them per test costs seconds."""

from django.db import transaction


def rows_for_the_module(django_db_blocker, make):
    """A module-scoped fixture's body: `make()` once, in a transaction rolled back at the end.

        @pytest.fixture(scope="module")
        def content(django_db_setup, django_db_blocker):
            yield from rows_for_the_module(django_db_blocker, make_content)

    Each test's own transaction (pytest-django's `db`, which the tests still ask for) is a
    savepoint inside this one: what a test changes is rolled back after it, as before, and the
    next test finds the rows as they were made. Only for modules whose tests all use `db` (a
    `transaction=True` test would flush the rows). What `make` returns is shared by the
    module's tests: hand out values (ids, URLs), or re-read model instances in a per-test
    fixture, since a test may change the instance it is given."""
    block = transaction.atomic()
    with django_db_blocker.unblock():
        block.__enter__()
        try:
            made = make()
        except BaseException as error:
            block.__exit__(type(error), error, error.__traceback__)
            raise
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            block.__exit__(None, None, None)
