"""Where Django's admin autodiscovery looks: the back office lives in articles/backoffice/admin/."""

import articles.backoffice.admin  # noqa: F401  (registers every ModelAdmin of the app)
