"""Work that must not block or break a save (mail, edge purges), on Django's tasks framework.

`make serve` runs tasks in a real worker (django-tasks-db's `db_worker`, rows in the
database, so a queued task survives a restart); `make run` and the tests run them at once
(`ImmediateBackend`). Either way a task that raises is logged and tried again later, up to
`attempts` times with a growing delay; the last failure is logged as an error and, with the
database backend, stays in the task table with its arguments, so nothing is lost.
"""

import logging
from datetime import timedelta
from functools import wraps

from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

logger = logging.getLogger("modelpress.tasks")


def retrying_task(attempts=5, first_delay=30):
    """Like `@task`, retrying on failure: delays of first_delay, 2×, 4×… seconds.

    The wrapped function must take only JSON-serialisable arguments (the database backend
    stores them). On a backend that cannot defer (the immediate one), retries run at once.
    """

    def decorator(func):
        @wraps(func)
        def run(*args, attempt=1, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt >= attempts:
                    logger.exception("%s failed for good after %s attempts", func.__name__, attempt)
                    raise
                logger.warning(
                    "%s failed (attempt %s of %s); retrying",
                    func.__name__,
                    attempt,
                    attempts,
                    exc_info=True,
                )
                _retry(wrapped, args, kwargs, attempt, first_delay)
                raise

        wrapped = task(run)
        return wrapped

    return decorator


def _retry(wrapped, args, kwargs, attempt, first_delay):
    if default_task_backend.supports_defer:
        delay = timedelta(seconds=first_delay * 2 ** (attempt - 1))
        wrapped = wrapped.using(run_after=timezone.now() + delay)
    wrapped.enqueue(*args, attempt=attempt + 1, **kwargs)


def enqueue_after_commit(wrapped, *args, **kwargs):
    """Queue `wrapped` once the current transaction commits (at once outside one).

    A task must not run before the write it reports is visible, nor for a write that was
    rolled back; and queueing must never fail the write itself.
    """

    def enqueue():
        try:
            wrapped.enqueue(*args, **kwargs)
        except Exception:
            logger.exception("could not queue %s", wrapped.name)

    transaction.on_commit(enqueue)
