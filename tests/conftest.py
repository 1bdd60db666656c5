from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Reference data and the demo marker are cached; each test starts from what its database holds."""
    from registry.selectors import reference_data_clear

    cache.clear()
    reference_data_clear()
    yield
    cache.clear()
    reference_data_clear()


@pytest.fixture
def anonymous(client):
    return client


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.kz", "correct horse battery")


@pytest.fixture
def admin_client_logged_in(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def warm_caches(db):
    """What every request after the first finds cached, so query counts compare like with like."""
    from registry.selectors import demo_dataset, reference_data

    def warm():
        reference_data()
        demo_dataset()

    return warm
