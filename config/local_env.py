"""The local `.env` file, so a newcomer's shell needs no exports (as bakerydemo does).

`make run` writes it once (`python -m config.local_env`): DJANGO_DEBUG=1 and a secret key of
its own. The entry points (manage.py, wsgi, asgi) read it before the settings; the settings
never do, so the test settings see no `.env`. A variable set in the real environment always
wins over the file, and production has no file: without DJANGO_DEBUG and a key it still
refuses to start. MODELPRESS_ENV_FILE names another file, or none when empty (the test suite
sets it empty for the commands and servers it starts). It is not a DJANGO_ variable on
purpose: helpers that strip the caller's DJANGO_* settings must keep it.
"""

import os
import secrets
import sys
from pathlib import Path

from dotenv import load_dotenv

DEFAULT = Path(__file__).resolve().parent.parent / ".env"


def env_file():
    """The file to read: MODELPRESS_ENV_FILE, `.env` beside manage.py by default; or None."""
    path = os.environ.get("MODELPRESS_ENV_FILE", str(DEFAULT))
    return Path(path) if path else None


def load():
    """Fill os.environ from the file; a variable already set is left as it is."""
    path = env_file()
    if path is not None:
        load_dotenv(path, override=False)


def write_default(path=DEFAULT):
    """Write a development `.env` unless one exists; True when written."""
    if path.exists():
        return False
    key = secrets.token_urlsafe(50)  # letters, digits, - and _: nothing dotenv interprets
    path.write_text(
        "# Local development settings, written by `make run`; never commit this file.\n"
        "# A variable set in the environment wins over this file.\n"
        f"DJANGO_DEBUG=1\nDJANGO_SECRET_KEY={key}\n"
    )
    path.chmod(0o600)
    return True


if __name__ == "__main__":
    if write_default():
        print(f"Wrote {DEFAULT.name}: DJANGO_DEBUG=1 and a new DJANGO_SECRET_KEY.", file=sys.stderr)
