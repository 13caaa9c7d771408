"""The editor's desk in the admin: the inbox hooks, and each user's "My notifications" page.

The inbox (articles/backoffice/inbox.py) plugs into the admin site's hooks: its sections on
the front page, its counts and notices on every page. "My notifications" is the one page of
`DeskProfile`: any staff user edits their own time zone and email choice there, and sees their
latest notices; nobody reaches anyone else's profile (the list and change pages refuse all).
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.backoffice import inbox
from articles.models import DeskProfile, Notification
from config.lib.widgets import LongSelect

RECENT = 30


class DeskProfileForm(forms.ModelForm):
    class Meta:
        model = DeskProfile
        fields = ["email_notifications", "time_zone"]
        widgets = {"time_zone": LongSelect}


@admin.register(DeskProfile)
class DeskProfileAdmin(admin.ModelAdmin):
    form = DeskProfileForm

    def has_module_permission(self, request):
        return False  # not in the app list: reached from "My notifications" in the header

    # Nobody, superusers included, lists or edits other people's profiles: the stock pages
    # exist (the admin links to them by name) but answer 403.
    def has_view_permission(self, request, obj=None):
        return False

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission

    def get_urls(self):
        name = "articles_deskprofile_mine"
        mine = path("mine/", self.admin_site.admin_view(self.mine_view), name=name)
        return [mine, *super().get_urls()]

    def mine_view(self, request):
        """The signed-in user's own profile, and their latest notices."""
        profile = DeskProfile.objects.filter(user=request.user).first()
        profile = profile or DeskProfile(user=request.user)
        form = DeskProfileForm(request.POST or None, instance=profile)
        if request.method == "POST" and form.is_valid():
            form.save()
            self.message_user(request, "Your notification settings were saved.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:articles_deskprofile_mine"))
        recent = Notification.objects.filter(recipient=request.user).select_related("article")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "My notifications",
            "form": form,
            "recent": recent[:RECENT],
        }
        return TemplateResponse(request, "admin/articles/deskprofile/mine.html", context)


def plug_into(site):
    """Give `site` the inbox: its front page and the header of every page."""
    if inbox.header_context not in site.context_hooks:
        site.context_hooks.append(inbox.header_context)
        site.index_hooks.append(inbox.index_context)


plug_into(admin.site)
