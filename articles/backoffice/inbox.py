"""The admin's front page as an inbox, and its counts and notices on every admin page.

Editors see what waits for them (articles in review, oldest first, with who sent them and
since when), what goes live in the next 14 days (in their own time zone) and what went live
lately; authors see what came back to them (with the editor's comment), their drafts and what
is in review. Each section is one query whatever the number of articles; the header costs
one aggregate, and the notices one read (and one UPDATE marking them read once shown).
"""

from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.backoffice import workflow
from articles.backoffice.notifications import user_zone
from articles.models import Article, ArticleQuerySet, Notification, Revision

Status = Article.Status
SECTION_LIMIT = 20
SCHEDULE_DAYS = 14
NOTICE_LIMIT = 10
SUBMITTED = "Submitted for review"  # the note article_submit's revision carries


def _rows(queryset, keep_comment=False):
    deferred = [
        f for f in ArticleQuerySet.LISTING_DEFERRED if not (keep_comment and f == "review_comment")
    ]
    return queryset.select_related("author").defer(*deferred)


def awaiting_review():
    """In review, oldest submission first, with when and by whom it was submitted."""
    submitted = Revision.objects.filter(article=OuterRef("pk"), note=SUBMITTED).order_by(
        "-created_at", "-pk"
    )
    queryset = Article.objects.filter(status=Status.REVIEW).annotate(
        submitted_at=Coalesce(Subquery(submitted.values("created_at")[:1]), "updated_at"),
        submitted_by=Subquery(submitted.values("user__username")[:1]),
    )
    return _rows(queryset).order_by("submitted_at", "pk")[:SECTION_LIMIT]


def scheduled_soon(now=None):
    now = now or timezone.now()
    soon = Article.objects.scheduled().filter(published_at__lte=now + timedelta(SCHEDULE_DAYS))
    return _rows(soon).order_by("published_at", "pk")[:SECTION_LIMIT]


def recently_published():
    return _rows(Article.objects.published()).order_by("-published_at", "-pk")[:SECTION_LIMIT]


def _own(user):
    return Article.objects.filter(author__user=user)


def sent_back_to(user):
    drafts = _own(user).filter(status=Status.DRAFT).exclude(review_comment="")
    return _rows(drafts, keep_comment=True).order_by("-updated_at", "-pk")[:SECTION_LIMIT]


def drafts_of(user):
    drafts = _own(user).filter(status=Status.DRAFT, review_comment="")
    return _rows(drafts).order_by("-updated_at", "-pk")[:SECTION_LIMIT]


def in_review_of(user):
    return _rows(_own(user).filter(status=Status.REVIEW)).order_by("-updated_at", "-pk")[
        :SECTION_LIMIT
    ]


def inbox_sections(user):
    """[(key, title, rows)] for `user`'s front page."""
    if workflow.can_publish(user):
        return [
            ("review", "Awaiting review", list(awaiting_review())),
            ("scheduled", f"Scheduled (next {SCHEDULE_DAYS} days)", list(scheduled_soon())),
            ("published", "Recently published", list(recently_published())),
        ]
    return [
        ("sent-back", "Sent back to me", list(sent_back_to(user))),
        ("drafts", "My drafts", list(drafts_of(user))),
        ("in-review", "In review", list(in_review_of(user))),
    ]


def header_counts(user):
    """The counts in the admin header: one aggregate query."""
    if workflow.can_publish(user):
        return Article.objects.aggregate(
            awaiting_review=Count("pk", filter=Q(status=Status.REVIEW)),
        )
    drafts = Q(author__user=user, status=Status.DRAFT)
    return Article.objects.aggregate(
        sent_back=Count("pk", filter=drafts & ~Q(review_comment="")),
        in_review=Count("pk", filter=Q(author__user=user, status=Status.REVIEW)),
    )


class Notices:
    """A user's unread notices, read (and marked read) only when a page shows them."""

    def __init__(self, user):
        self.user = user
        self._rows = None

    def _load(self):
        if self._rows is None:
            unread = Notification.objects.unread().filter(recipient=self.user)
            self._rows = list(unread.order_by("created_at", "pk")[:NOTICE_LIMIT])
            if self._rows:
                shown = [row.pk for row in self._rows]
                Notification.objects.filter(pk__in=shown).update(read_at=timezone.now())
        return self._rows

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._load())

    def __bool__(self):
        return bool(self._load())


def _is_desk_user(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_active and user.is_staff


def header_context(request):
    """For every admin page: the inbox counts and the notices (read when shown)."""
    if not _is_desk_user(request):
        return {}
    if not hasattr(request, "_desk_header"):  # several contexts may be built for one page
        request._desk_header = {
            "desk_counts": header_counts(request.user),
            "desk_notices": Notices(request.user),
        }
    return request._desk_header


def index_context(request):
    """For the front page: the inbox sections, and the time zone their times are shown in."""
    if not _is_desk_user(request):
        return {}
    return {
        "inbox": inbox_sections(request.user),
        "inbox_zone": user_zone(request.user),
        "inbox_editor": workflow.can_publish(request.user),
    }
