"""What the catalog's import commands (import_models, import_osai) write on stderr: the
errors of a refused import, and a progress bar."""

from django.core.management import CommandError

BAR_WIDTH = 30


def refused(stderr, failure, message):
    """List every error of an ImportFailed on `stderr`; the CommandError to raise."""
    for error in failure.errors:
        stderr.write(f"  {error}")
    return CommandError(message)


def draw_bar(stderr, phase, done, total):
    """The bar of `phase` at done/total, redrawn in place; the line ends when it is full."""
    filled = BAR_WIDTH * done // total
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    stderr.write(f"\r{phase:<10} [{bar}] {done}/{total}", ending="")
    if done == total:
        stderr.write("")
    stderr.flush()
