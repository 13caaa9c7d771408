"""Admin forms: the article form (three-way merge, workflow buttons), workflow inputs, images."""

from pathlib import Path

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from articles.backoffice import workflow
from articles.backoffice.drafts import draft_conflict
from articles.backoffice.images import image_clean_upload
from articles.backoffice.merge import LABELS, MERGED_FIELDS, MINE, THEIRS, show, three_way
from articles.backoffice.revisions import diff_words
from articles.backoffice.workflow import FORM_STEPS
from articles.models import Article, Author, Image, Revision


class ArticleAdminForm(forms.ModelForm):
    """The article form. `base_version` remembers which version the editor started from.

    When someone else saved in the meantime, the form merges three ways
    (articles/backoffice/merge.py): fields only one side changed are combined, tags merge as
    sets, and a field both changed is a conflict shown with both texts; nothing is saved
    until the editor chooses, per conflicting field, to keep theirs or their own. A workflow
    button (`_workflow`) saves the fields as typed and then takes its step, or refuses with
    the form shown again (`self.step`: the step to take after a valid save).
    """

    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The version of the draft changes the form was opened with (0: none); see drafts.py.
    draft_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    schedule_at = forms.DateTimeField(
        required=False,
        label="Publish at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    send_back_comment = forms.CharField(
        required=False, max_length=2000, label="Comment for the author", widget=forms.Textarea
    )
    check_conflicts = True
    user = None  # set per request by the admin (ArticleAdmin.get_form)

    class Meta:
        model = Article
        fields = [
            "title", "slug", "dek", "body", "hero_image", "tags", "category", "author",
            "status", "published_at", "review_comment", "seo_title", "seo_description",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin prints help_text unescaped; ours is plain text, and a literal "<title>"
        # in one of them swallowed the rest of the page (scripts included) as title text.
        for field in self.fields.values():
            field.help_text = escape(field.help_text)
        # Empty on every round (issue 16): the browser must not bring back the last comment.
        self.fields["send_back_comment"].widget.attrs.update(rows=2, autocomplete="off")
        self.conflict = None
        self.merged = None
        self.step = None
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
        if getattr(self.instance, "draft_tags", None) is not None and "tags" in self.fields:
            self.initial["tags"] = self.instance.draft_tags  # the form shows draft changes
        draft = getattr(self.instance, "draft", None)
        self.fields["draft_version"].initial = draft.version if draft else 0

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.check_conflicts:
            self._merge(cleaned)
            draft_conflict(self, cleaned)
        if (
            cleaned.get("status") == Article.Status.PUBLISHED
            and "published_at" in self.fields
            and not cleaned.get("published_at")
        ):
            cleaned["published_at"] = timezone.now()
        if self.instance.pk and "_workflow" in self.data and not self.errors:
            self._check_step(cleaned)
        return cleaned

    def _merge(self, cleaned):
        """Merge with a save made since the form was opened; a conflict is a form error."""
        base = cleaned.get("base_version")
        rows = Article.all_objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()  # held until the admin's save commits
        current = rows.values_list("version", flat=True).first()
        if current is not None and current != self.instance.version:
            self.instance.refresh_from_db()  # theirs: what is stored now, under the lock
        if current is None or base is None or base == current:
            return
        keys = [key for key, _ in MERGED_FIELDS if key in self.fields and key in cleaned]
        mine = {key: cleaned[key] for key in keys}
        theirs = {key: self._stored(key) for key in keys}
        revision = Revision.objects.filter(article=self.instance, version=base).first()
        choices, tags, conflicts = three_way(revision and revision.content, mine, theirs)
        choices.update(self._resolutions(conflicts, current))
        for key, side in choices.items():
            cleaned[key] = theirs[key] if side == THEIRS else mine[key]
        if tags is not None:
            cleaned["tags"] = tags
        kept = [LABELS[key] for key, side in choices.items() if side == THEIRS]
        self.merged = {"version": current, "kept": kept, "user": _last_writer(self.instance)}
        unresolved = [key for key in conflicts if key not in choices]
        if unresolved:
            self._refuse(unresolved, mine, theirs, current, has_base=revision is not None)

    def _stored(self, key):
        if key == "tags":
            return sorted(self.instance.tags.names(), key=str.lower)
        return getattr(self.instance, key)

    def _resolutions(self, conflicts, current):
        """The choices made in the conflict panel, if it was shown for this very version."""
        if self.data.get("conflict_version") != str(current):
            return {}
        picked = {key: self.data.get(f"resolve_{key}") for key in conflicts}
        return {key: side for key, side in picked.items() if side in (MINE, THEIRS)}

    def _refuse(self, keys, mine, theirs, current, has_base):
        fields = []
        for key in keys:
            old, new = show(key, theirs[key]), show(key, mine[key])
            fields.append(
                {"key": key, "label": LABELS[key], "theirs": old, "mine": new,
                 "diff": diff_words(old, new)}
            )  # fmt: skip
        self.conflict = {**self.merged, "fields": fields, "has_base": has_base}
        who = self.merged["user"] or "Someone"
        both = ", ".join(field["label"] for field in fields)
        self.add_error(
            None,
            f"{who} saved this article while you were editing it, and you both changed: "
            f"{both}. Nothing has been saved yet. For each of these, choose below whether to "
            "keep your text or take theirs, then save again. Fields only one of you changed "
            "are combined by themselves.",
        )

    def _check_step(self, cleaned):
        name = self.data["_workflow"]
        if name not in FORM_STEPS:
            self.add_error(None, "Unknown workflow step.")
            return
        kwargs = {}
        if name == "schedule":
            kwargs["when"] = cleaned.get("schedule_at")
        elif name == "send_back":
            kwargs["comment"] = cleaned.get("send_back_comment", "")
        refusal = workflow.step_refusal(name, self.instance, self.user, **kwargs)
        if refusal:
            self.add_error(None, f"{refusal} Nothing has been saved; your text is below.")
        else:
            self.step = (name, kwargs)

    def edits(self):
        """The form's fields as saved (merged), for a workflow step that writes them."""
        names = [
            Article._meta.get_field(key).attname
            for key, _ in MERGED_FIELDS
            if key in self.fields and key != "tags"
        ]
        tags = self.cleaned_data.get("tags") if "tags" in self.fields else None
        return workflow.Edits({name: getattr(self.instance, name) for name in names}, tags)


def _last_writer(article):
    latest = Revision.objects.filter(article=article).select_related("user").first()
    return latest.user.get_username() if latest and latest.user else ""


class ScheduleForm(forms.Form):
    published_at = forms.DateTimeField(
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Server time (UTC). The article goes live at this moment, by itself.",
    )

    def clean_published_at(self):
        when = self.cleaned_data["published_at"]
        if when <= timezone.now():
            raise forms.ValidationError("Pick a time in the future.")
        return when


class SendBackForm(forms.Form):
    comment = forms.CharField(
        # Empty on every round: the browser must not bring back the last comment.
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        max_length=2000,
        help_text="The author sees this at the top of the article.",
    )


class ImageAdminForm(forms.ModelForm):
    # A plain file field: validate_image_upload checks size first, then the content with
    # Pillow, so a 21 MB upload is refused before anything tries to decode it.
    file = forms.FileField(
        help_text="JPEG, PNG, WebP or GIF; at most 20 MB and 40 megapixels (an animation: "
        "every frame counted, at most 300 frames). Location and camera data are removed."
    )

    class Meta:
        model = Image
        fields = ["file", "alt", "caption", "credit"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        self.stripped = None
        if isinstance(upload, UploadedFile):
            # Decode here, not at save: a file that fails on a later frame is a form error.
            self.stripped = image_clean_upload(upload)
        return upload


class AuthorAdminForm(forms.ModelForm):
    """Avatars go through the same checks as the image library, and lose their metadata."""

    # A plain file field, as for the library: Django's ImageField would open the upload with
    # Pillow before `clean_avatar` has measured what decoding it would cost.
    avatar = forms.FileField(
        required=False, help_text="JPEG, PNG, WebP or GIF; at most 20 MB and 40 megapixels."
    )

    class Meta:
        model = Author
        fields = ["user", "name", "slug", "bio", "avatar", "website"]

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if isinstance(upload, UploadedFile):
            data, fmt, _ = image_clean_upload(upload)
            stem = Path(upload.name).stem or "avatar"
            return ContentFile(data, name=f"{stem}.{fmt.lower()}")
        return upload
