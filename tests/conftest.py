from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import caches
from django.utils import translation

# tests/resilience runs in a pass of its own, with REDIS_URL pointing at a closed port (make test).
collect_ignore = [] if os.environ.get("QOGAM_REDIS_DOWN") else ["resilience"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a directory of each test's own, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Reference data and the demo marker are cached; each test starts from what its database holds."""
    from registry.selectors import reference_data_clear

    for alias in settings.CACHES:
        caches[alias].clear()
    reference_data_clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()
    reference_data_clear()


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Pages computed on every request, as the tests' writes announce nothing (tests/test_page_caching.py
    turns the cache back on)."""
    settings.QOGAM_PAGE_CACHE = False


@pytest.fixture
def page_cache(settings):
    settings.QOGAM_PAGE_CACHE = True


@pytest.fixture(autouse=True)
def _source_language():
    """Each test starts in English, whatever language a previous request in this thread activated."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def anonymous(client):
    return client


def _user(django_user_model, name: str, **extra):
    from tests.registry.factories import person

    return person(name, **extra)


@pytest.fixture
def signed_in_user(db, django_user_model):
    return _user(django_user_model, "citizen")


@pytest.fixture
def moderator(db, django_user_model):
    from django.contrib.auth.models import Group

    user = _user(django_user_model, "moderator")
    user.groups.add(Group.objects.get(name="moderators"))
    return user


@pytest.fixture
def superuser(db, django_user_model):
    from tests.registry.factories import email_confirmed

    return email_confirmed(
        django_user_model.objects.create_superuser("admin", "admin@example.kz", "correct horse battery")
    )


@pytest.fixture
def admin_client_logged_in(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def warm_caches(db):
    """What every request after the first finds cached, so query counts compare like with like."""
    from registry.cube import facet_cube_ready
    from registry.selectors import demo_dataset, reference_data

    def warm():
        reference_data()
        demo_dataset()
        facet_cube_ready()  # the directory's count cube, built once and then moved by the change events

    return warm
