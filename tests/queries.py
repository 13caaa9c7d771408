"""How many SQL queries a page costs, for the tests that hold pages to a budget."""

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_queries(client, url, cold=True):
    """The queries of one render of `url` (which must answer 200). `cold`: every kept part
    is built again (config/lib/fragments.py), so counts compare what renders cost, not what
    an earlier render kept."""
    if cold:
        caches["default"].clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)
