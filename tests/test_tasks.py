"""Background tasks (retried, logged, queued after commit) and the mailer they send with."""

import logging

import pytest
from django.db import transaction
from django.tasks import TaskResultStatus

from config.lib.tasks import enqueue_after_commit, retrying_task

CALLS = []


@retrying_task(attempts=3)
def flaky(failures):
    CALLS.append(failures)
    if len(CALLS) <= failures:
        raise RuntimeError("mail server down")
    return len(CALLS)


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()


@pytest.mark.parametrize("failures", [0, 1, 2])
def test_a_failing_task_is_retried_until_it_succeeds(failures, caplog):
    with caplog.at_level(logging.WARNING, logger="modelpress.tasks"):
        flaky.enqueue(failures)
    assert len(CALLS) == failures + 1
    assert sum("retrying" in r.getMessage() for r in caplog.records) == failures


def test_a_task_that_keeps_failing_stops_and_is_logged_as_an_error(caplog):
    with caplog.at_level(logging.WARNING, logger="modelpress.tasks"):
        result = flaky.enqueue(10)  # never raises to the caller
    assert len(CALLS) == 3
    assert result.status == TaskResultStatus.FAILED
    errors = [
        r for r in caplog.records if r.name == "modelpress.tasks" and r.levelno == logging.ERROR
    ]
    assert len(errors) == 1 and "after 3 attempts" in errors[0].getMessage()


@pytest.mark.django_db(transaction=True)
def test_queued_after_commit_and_never_for_a_rolled_back_write():
    with transaction.atomic():
        enqueue_after_commit(flaky, 0)
        assert CALLS == []  # not before the write is visible
    assert CALLS == [0]
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        enqueue_after_commit(flaky, 0)
        raise ZeroDivisionError
    assert CALLS == [0]


@pytest.mark.parametrize(
    ("url", "backend", "options"),
    [
        ("console://", "console", None),
        ("locmem://", "locmem", None),
        (
            "smtp://mailer:p%40ss@mail.example.com:587?tls=1",
            "smtp",
            {"host": "mail.example.com", "port": 587, "username": "mailer", "password": "p@ss"},
        ),
        ("smtps://mail.example.com", "smtp", {"port": 465, "use_ssl": True, "use_tls": False}),
    ],
)
def test_email_url_chooses_the_mailer(url, backend, options):
    from config.settings import _mailer

    mailer = _mailer(url)
    assert mailer["BACKEND"] == f"django.core.mail.backends.{backend}.EmailBackend"
    for key, value in (options or {}).items():
        assert mailer["OPTIONS"][key] == value


def test_an_unknown_email_url_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import _mailer

    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        _mailer("gopher://mail.example.com")
