"""The article editor's helpers (issue 16): live preview, image drop, reference search.

Three small admin endpoints the change form's scripts call (articles/static/articles/editor/):

- live preview: POST the body (and the article's id, if it has one), get back the HTML a save
  would store, rendered by `article_derive` (the same Markdown, sanitising, references and
  images as a save); nothing is written;
- image: POST a file and its alt text; validated and stored exactly as the image library's
  form does (`ImageAdminForm`, `image_ingest`), answered with the Markdown to insert;
- references: GET `kind` (model or article) and `q`, get at most REFERENCE_LIMIT matches.

All three answer JSON, and bad input gets a 400 with a message, never a 500. Who may call
them is the article admin's own rule: preview and search need the right to edit the article
(or to add one), the image the library's `add_image`.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST

from articles.backoffice import workflow
from articles.backoffice.forms import ImageAdminForm
from articles.backoffice.images import image_ingest
from articles.models import Article
from articles.rendering.article import article_derive
from models_catalog.models import AIModel

MAX_BODY_CHARS = 200_000  # about ten times the longest article we have; rendering stays fast
REFERENCE_LIMIT = 10
MAX_QUERY_CHARS = 100


def _bad(message, status=400):
    return JsonResponse({"error": message}, status=status)


def references_for(user, kind, query):
    """[{slug, label}] of catalog entries or articles matching `query`, for `user`.

    Articles: only those the user may reference and see, i.e. live ones, plus (for an author)
    their own; editors see every article not in the trash.
    """
    if kind == "model":
        rows = AIModel.objects.filter(Q(name__icontains=query) | Q(slug__icontains=query))
        rows = rows.order_by("name", "pk").values_list("slug", "name")
    else:
        rows = Article.objects.filter(Q(title__icontains=query) | Q(slug__icontains=query))
        if not workflow.can_publish(user):
            rows = rows.filter(Q(pk__in=Article.objects.published()) | Q(author__user=user))
        rows = rows.order_by("title", "pk").values_list("slug", "title")
    return [{"slug": slug, "label": label} for slug, label in rows[:REFERENCE_LIMIT]]


class EditorEndpointsMixin:
    def _may_edit(self, request, object_id):
        """The article being edited (None for a new one); PermissionDenied if not allowed."""
        if not object_id:
            if self.has_add_permission(request):
                return None
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def live_preview_view(self, request):
        return require_POST(self._live_preview)(request)

    def _live_preview(self, request):
        obj = self._may_edit(request, request.POST.get("article", ""))
        body = request.POST.get("body", "")
        if len(body) > MAX_BODY_CHARS:
            return _bad(f"The body is longer than {MAX_BODY_CHARS:,} characters.", 413)
        article = Article(pk=obj.pk if obj else None, body=body)
        derived = article_derive(article)  # rendered for the panel, never stored
        notes = [*derived.removed]
        if derived.unresolved:
            notes.append("Shown as plain text: " + ", ".join(derived.unresolved))
        return JsonResponse({"html": derived.body_html, "notes": notes})

    def image_upload_view(self, request):
        return require_POST(self._image_upload)(request)

    def _image_upload(self, request):
        if not request.user.has_perm("articles.add_image"):
            raise PermissionDenied
        data = {"alt": request.POST.get("alt", ""), "caption": "", "credit": ""}
        form = ImageAdminForm(data, request.FILES)
        if not form.is_valid():
            errors = [f"{form[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()]
            return _bad(" ".join(errors))
        image = image_ingest(
            form.save(commit=False), form.cleaned_data["file"], request.user, form.stripped
        )
        alt = image.alt.replace("[", "").replace("]", "")  # brackets would end the Markdown
        markdown = f"![{alt}](image:{image.pk})"
        return JsonResponse({"id": image.pk, "alt": image.alt, "markdown": markdown}, status=201)

    def reference_search_view(self, request):
        return require_GET(self._reference_search)(request)

    def _reference_search(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        kind, query = request.GET.get("kind", ""), request.GET.get("q", "")
        if kind not in ("model", "article"):
            return _bad("kind must be model or article.")
        if len(query) > MAX_QUERY_CHARS:
            return _bad(f"The search is longer than {MAX_QUERY_CHARS} characters.")
        return JsonResponse({"results": references_for(request.user, kind, query.strip())})
