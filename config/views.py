"""Site-wide views that belong to neither app."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from config.lib.seo import absolute_url


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    # The admin may live at a secret DJANGO_ADMIN_PATH; naming it here would publish it, so
    # only the well-known /admin/ is listed (the real one needs a login either way).
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def ping(request):
    """A fixed string: the framework's floor for benchmarks (bench/), and a health check."""
    return HttpResponse("ok\n", content_type="text/plain")


def permission_denied(request, exception=None):
    """403: inside the admin in the admin's look (with what was refused), elsewhere the site's."""
    if not request.path.startswith("/" + settings.ADMIN_PATH):
        return defaults.permission_denied(request, exception)
    message = str(exception) if isinstance(exception, PermissionDenied) else ""
    context = {
        **admin.site.each_context(request),
        "title": "You are not allowed to do that",
        "exception": message,
    }
    response = TemplateResponse(request, "admin/403.html", context, status=403)
    return response.render()
