from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return make_organisation()


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_model_has_a_working_list_with_search(admin_client_logged_in, org, model):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = admin_client_logged_in.get(url, {"q": "a"})
    assert response.status_code == 200


def test_organisation_change_page_opens(admin_client_logged_in, org):
    response = admin_client_logged_in.get(reverse("admin:registry_organisation_change", args=[org.pk]))
    assert response.status_code == 200


def test_organisations_can_not_be_deleted_from_the_admin(admin_client_logged_in, org):
    response = admin_client_logged_in.get(reverse("admin:registry_organisation_delete", args=[org.pk]))
    assert response.status_code == 403


def test_registry_admin_is_closed_to_anonymous(anonymous, org):
    response = anonymous.get(reverse("admin:registry_organisation_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
