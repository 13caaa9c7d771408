"""Validators and messages shared by the catalog's fields."""

from django.core.validators import URLValidator

# Links readers follow: a web address, never javascript:, data: or a file share.
WEB_URL = URLValidator(schemes=["http", "https"])


def unknown_choice(label, choices):
    """The message for a value outside `choices`, naming the ones there are."""
    return f"Unknown {label} %(value)r; use {', '.join(choices.values)}."
