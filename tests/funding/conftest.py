"""Officer personas for the funding tests: a department under an akimat, and officers around it."""

from __future__ import annotations

import pytest

from funding.models import Administrator, OfficerMembership
from registry.models import Membership
from tests.funding.factories import make_administrator, make_award

# Every role an officer's write is checked against, and those allowed to write for "department".
ROLES = [
    "anonymous",
    "signed_in_user",
    "cso_manager",
    "moderator",
    "other_officer",
    "akimat_officer_only",
    "ended_officer",
    "officer",
    "akimat_officer_with_departments",
    "superuser",
]
ALLOWED = {"officer", "akimat_officer_with_departments", "superuser"}


@pytest.fixture
def akimat():
    return make_administrator(kind=Administrator.Kind.REGIONAL_AKIMAT, code="akimat")


@pytest.fixture
def department(akimat):
    return make_administrator(parent=akimat, code="department")


@pytest.fixture
def award(department):
    return make_award(administrator=department, amount="1000000")


def _person(django_user_model, name):
    from tests.registry.factories import person

    return person(name)


@pytest.fixture
def officer(django_user_model, department):
    user = _person(django_user_model, "officer")
    OfficerMembership.objects.create(user=user, administrator=department)
    return user


@pytest.fixture
def other_officer(django_user_model):
    user = _person(django_user_model, "other_officer")
    OfficerMembership.objects.create(user=user, administrator=make_administrator(code="elsewhere"))
    return user


@pytest.fixture
def akimat_officer_with_departments(django_user_model, akimat):
    user = _person(django_user_model, "akimat_all")
    OfficerMembership.objects.create(user=user, administrator=akimat, include_children=True)
    return user


@pytest.fixture
def akimat_officer_only(django_user_model, akimat):
    user = _person(django_user_model, "akimat_only")
    OfficerMembership.objects.create(user=user, administrator=akimat)
    return user


@pytest.fixture
def cso_manager(django_user_model, award):
    user = _person(django_user_model, "manager")
    Membership.objects.create(user=user, organisation=award.recipient, role="owner")
    return user


@pytest.fixture
def ended_officer(django_user_model, department):
    from django.utils import timezone

    user = _person(django_user_model, "former")
    OfficerMembership.objects.create(user=user, administrator=department, ended_at=timezone.now())
    return user
