import pytest

from tests.users import make_author, make_editor, make_user


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def logged_in_editor(client, editor):
    client.force_login(editor)
    return editor


@pytest.fixture
def author(db):
    return make_author()


@pytest.fixture
def other_author(db):
    return make_author("other")


@pytest.fixture
def superuser(db):
    return make_user("root", superuser=True)
