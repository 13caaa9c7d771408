"""Site-wide request guards."""

from django.conf import settings
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
        for key, values in request.GET.lists():  # every value: ?m=a&m=%00 hides in items()
            if "\x00" in key or any("\x00" in value for value in values):
                raise SuspiciousOperation("NUL byte in the query string")
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise SuspiciousOperation("NUL byte in a form field")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Add a Permissions-Policy header that turns off browser features the site never uses.

    Django sets the other security headers itself (SecurityMiddleware, the CSP middleware,
    XFrameOptionsMiddleware); this one it has no setting for. `settings.PERMISSIONS_POLICY`
    maps each feature to the origins allowed to use it: an empty list allows none.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in policy.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def client_ip(request):
    """The reader's IP address, for the login lockout (django-axes' AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless DJANGO_PROXY_COUNT says how many proxies of ours stand in front:
    then the address that the outermost of them saw, taken from the right of
    X-Forwarded-For (entries further left are whatever the client chose to send).
    """
    count = getattr(settings, "PROXY_COUNT", 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
