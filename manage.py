#!/usr/bin/env python
import os
import sys

from config import local_env

# Commands that only read the code and the migration files: they sign nothing and serve
# nothing, so they may run without DJANGO_SECRET_KEY (e.g. `makemigrations --check` in a
# hook). Everything else, the site itself included, still refuses to start without one.
NEEDS_NO_SECRET = {"makemigrations", "showmigrations", "sqlmigrate"}


def main():
    local_env.load()  # the `.env` that `make run` writes; the real environment wins
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in NEEDS_NO_SECRET:
        os.environ.setdefault("DJANGO_SECRET_KEY", "unused-by-offline-commands")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
