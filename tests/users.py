"""Accounts in the two editorial roles, shared by the admin and browser tests."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from articles.models import Author

PASSWORD = "correct-horse-battery"


def make_user(username, group=None, superuser=False, author_profile=False):
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, is_staff=True, is_superuser=superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    if author_profile:
        Author.objects.create(user=user, name=username.title(), slug=username)
    return user


def make_editor(username="editor"):
    return make_user(username, "Editors", author_profile=True)


def make_author(username="author"):
    return make_user(username, "Authors", author_profile=True)
