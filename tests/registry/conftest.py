"""Personas shared by the registry tests: an organisation, its owner and editor, and the owner of another."""

from __future__ import annotations

import pytest

from registry.models import Membership
from tests.registry.factories import make_organisation, person


@pytest.fixture
def org():
    return make_organisation(name_en="Trust Foundation", legal_form="foundation", phone="+7 7172 00 00 01")


@pytest.fixture
def other_org():
    return make_organisation(name_en="Other Association")


@pytest.fixture
def owner(org, django_user_model):
    user = person("owner")
    Membership.objects.create(user=user, organisation=org, role="owner")
    return user


@pytest.fixture
def editor(org, django_user_model):
    user = person("editor")
    Membership.objects.create(user=user, organisation=org, role="editor")
    return user


@pytest.fixture
def stranger_owner(other_org, django_user_model):
    user = person("stranger")
    Membership.objects.create(user=user, organisation=other_org, role="owner")
    return user
