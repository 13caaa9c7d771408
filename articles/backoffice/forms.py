"""Admin forms: the article form with edit-conflict detection, workflow inputs, image upload."""

from pathlib import Path

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from articles.backoffice.images import image_clean_upload
from articles.backoffice.revisions import diff_contents
from articles.models import Article, Author, Image, Revision
from articles.writes import snapshot


class ArticleAdminForm(forms.ModelForm):
    """The article form. `base_version` remembers which version the editor started from.

    When someone else saved in the meantime, the save is refused with a diff of their
    changes; the editor's own text stays in the form, and saving again keeps it (the other
    version stays in the history either way).
    """

    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    check_conflicts = True

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
        self.conflict = None
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == Article.Status.PUBLISHED
            and "published_at" in self.fields
            and not cleaned.get("published_at")
        ):
            cleaned["published_at"] = timezone.now()
        if self.instance.pk and self.check_conflicts:
            self._check_conflict(cleaned)
        return cleaned

    def _check_conflict(self, cleaned):
        base = cleaned.get("base_version")
        rows = Article.all_objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()  # held until the admin's save commits
        current = rows.values_list("version", flat=True).first()
        if base is None or current is None or base == current:
            return
        self.conflict = self._describe_conflict(base, current, cleaned)
        who = self.conflict["user"] or "Someone"
        self.add_error(
            None,
            f"{who} saved this article while you were editing it. Your text is still in the "
            "form below; check their changes, then save again to keep your version.",
        )
        # A second save, made knowing about the conflict, goes through.
        self.data = self.data.copy()
        self.data[self.add_prefix("base_version")] = current

    def _describe_conflict(self, base, current, cleaned):
        latest = Revision.objects.filter(article=self.instance).select_related("user").first()
        before = Revision.objects.filter(article=self.instance, version=base).first()
        theirs = latest.content if latest else snapshot(self.instance)
        if before:
            changes = diff_contents(before.content, theirs)
            title = "What they changed"
        else:
            mine = {**theirs, **self._submitted(cleaned)}
            changes = diff_contents(theirs, mine)
            title = "Their saved version compared with yours"
        return {
            "user": latest.user.get_username() if latest and latest.user else "",
            "at": latest.created_at if latest else None,
            "version": current,
            "title": title,
            "changes": changes,
        }

    def _submitted(self, cleaned):
        keys = ("title", "slug", "dek", "body", "seo_title", "seo_description")
        data = {key: cleaned[key] for key in keys if key in cleaned}
        if "tags" in cleaned:
            data["tags"] = sorted(cleaned["tags"], key=str.lower)
        return data


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
