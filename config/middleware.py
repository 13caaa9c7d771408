"""Site-wide request guards."""

from django.core.exceptions import SuspiciousOperation


class RejectNulBytesMiddleware:
    """Refuse requests whose path, query string or form fields contain a NUL byte.

    No legitimate reader sends one, and PostgreSQL cannot store or compare text containing
    NUL, so letting it through would turn a hostile URL into a 500. Raising
    SuspiciousOperation makes Django answer with the 400 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", ""):
            raise SuspiciousOperation("NUL byte in the URL")
        if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            raise SuspiciousOperation("NUL byte in the query string")
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise SuspiciousOperation("NUL byte in a form field")
        return self.get_response(request)
