import os

from django.core.asgi import get_asgi_application

from config import local_env

local_env.load()  # the `.env` that `make run` writes; the real environment wins
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
