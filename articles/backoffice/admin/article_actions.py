"""The article admin's workflow actions: submit, publish, schedule, unpublish, send back,
withdraw, trash.

Each runs the workflow function (articles/backoffice/workflow.py), which checks the user's
rights itself, on a selection in the change list. The change form's own buttons save the
form first (ArticleAdminForm, `_workflow`); only "Withdraw", shown on a form its author can
no longer edit, is an action there (it has no typed text to keep).
"""

from django.contrib import messages
from django.contrib.admin import ActionLocation
from django.contrib.admin import action as admin_action
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse

from articles.announce import announcing
from articles.backoffice import workflow
from articles.backoffice.forms import ScheduleForm, SendBackForm

BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class WorkflowActionsMixin:
    actions = [
        "submit_for_review", "withdraw", "publish_now", "schedule", "unpublish", "send_back",
        "trash", "revoke_share_links", "discard_draft",
    ]  # fmt: skip

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # replaced by "trash", which can be undone
        return actions

    def response_action(self, request, queryset, action_location=ActionLocation.CHANGE_LIST):
        # A known action that this user may not run is a forged request: refuse it outright
        # rather than letting the form quietly report "no action selected".
        prefix = (
            "" if action_location == ActionLocation.CHANGE_LIST else f"{action_location.value}-"
        )
        names = set(request.POST.getlist(f"{prefix}action"))
        allowed = self.get_actions(request, action_location=action_location)
        if names & (set(self.actions) - set(allowed)):
            raise PermissionDenied
        return super().response_action(request, queryset, action_location=action_location)

    # --- workflow actions ---------------------------------------------------------------

    def _apply(self, request, queryset, step, done, **kwargs):
        """Run `step` on each article; those refused are named. One transaction, announced once."""
        changed = 0
        with transaction.atomic(), announcing():
            for article in queryset.select_related("author"):
                try:
                    step(article, request.user, **kwargs)
                    changed += 1
                except (workflow.WorkflowError, PermissionDenied) as error:
                    message = str(error) or "You may not do that."
                    self.message_user(request, f"“{article}”: {message}", messages.WARNING)
        if changed:
            self.message_user(request, f"{changed} article(s) {done}.", messages.SUCCESS)

    @admin_action(description="Submit for review", location=BOTH)
    def submit_for_review(self, request, queryset):
        self._apply(request, queryset, workflow.article_submit, "submitted for review")

    @admin_action(description="Withdraw from review (back to draft)", location=BOTH)
    def withdraw(self, request, queryset):
        self._apply(request, queryset, workflow.article_withdraw, "withdrawn from review")

    @admin_action(description="Publish now", permissions=["publish"], location=BOTH)
    def publish_now(self, request, queryset):
        self._apply(request, queryset, workflow.article_publish, "published")

    @admin_action(description="Unpublish (back to draft)", permissions=["publish"], location=BOTH)
    def unpublish(self, request, queryset):
        self._apply(request, queryset, workflow.article_unpublish, "unpublished")

    @admin_action(description="Schedule…", permissions=["publish"], location=BOTH)
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "published_at" in request.POST else None)
        if form.is_valid():
            when = form.cleaned_data["published_at"]
            self._apply(request, queryset, workflow.article_schedule, "scheduled", when=when)
            return None
        return self._intermediate(request, queryset, "schedule", "Schedule", form)

    @admin_action(
        description="Send back to draft with a comment…", permissions=["publish"], location=BOTH
    )
    def send_back(self, request, queryset):
        form = SendBackForm(request.POST if "comment" in request.POST else None)
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            self._apply(request, queryset, workflow.article_send_back, "sent back", comment=comment)
            return None
        return self._intermediate(request, queryset, "send_back", "Send back to draft", form)

    @admin_action(description="Revoke share preview links", permissions=["publish"], location=BOTH)
    def revoke_share_links(self, request, queryset):
        step = workflow.article_revoke_share_links
        self._apply(request, queryset, step, "had their share links revoked")

    @admin_action(description="Discard draft changes", location=BOTH)
    def discard_draft(self, request, queryset):
        self._apply(request, queryset, workflow.article_discard_draft, "lost their draft changes")

    @admin_action(description="Move to the trash", permissions=["delete"], location=BOTH)
    def trash(self, request, queryset):
        self._apply(request, queryset, workflow.article_trash, "moved to the trash")

    def _intermediate(self, request, queryset, action, title, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "action": action,
            "articles": queryset,
            "form": form,
        }
        return TemplateResponse(request, "admin/articles/article/workflow_action.html", context)
