from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from registry import services
from registry.models import Organisation, OrganisationName
from tests.registry.factories import clerk, make_organisation

pytestmark = pytest.mark.django_db


def profile_url(org_id: str) -> str:
    return reverse("registry:organisation_detail", kwargs={"org_id": org_id})


def test_profile_shows_identity_names_and_what_the_bin_says(anonymous):
    org = make_organisation(
        name_kk="«Сенім» қоры",
        name_ru="Фонд «Доверие»",
        name_en="Trust Foundation",
        legal_form="foundation",
        registered_on=datetime.date(2011, 2, 14),
        region="KZ-55",
        fields=("human_rights",),
        charter_activities="legal consultations",
        phone="+7 7182 11 22 33",
        email="trust@example.kz",
    )
    response = anonymous.get(profile_url(org.org_id))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "«Сенім» қоры",
        "Фонд «Доверие»",
        "Trust Foundation",
        org.bin,
        "February 2011",
        "head office",
        "resident legal entity",
        "Pavlodar Region",
        "Human rights",
        "legal consultations",
        "+7 7182 11 22 33",
        "NGO: may receive state social order",
        "Non-profit for tax purposes",
        "State registration",
    ]:
        assert text in html, text


def test_profile_shows_status_history_parent_branches_and_former_names(anonymous):
    parent = make_organisation(name_en="Parent Association", territorial_level="republican")
    branch = make_organisation(
        name_en="Parent Association, Oral branch",
        parent=parent,
        region="KZ-27",
        registered_on=datetime.date(2012, 1, 1),
    )
    services.organisation_status_record(
        moderator=clerk(),
        organisation=parent,
        kind="suspended",
        occurred_on=datetime.date(2020, 2, 1),
        ends_on=datetime.date(2020, 5, 1),
        legal_basis="Court decision No. 1",
    )
    services.organisation_name_add(
        organisation=parent,
        name="Old Name Society",
        language="en",
        kind=OrganisationName.Kind.FORMER,
        valid_to=datetime.date(2011, 1, 1),
    )
    html = anonymous.get(profile_url(parent.org_id)).content.decode()
    assert "Court decision No. 1" in html and "1 May 2020" in html
    assert branch.get_absolute_url() in html and "Old Name Society" in html
    branch_html = anonymous.get(profile_url(branch.org_id)).content.decode()
    assert parent.get_absolute_url() in branch_html and "branch" in branch_html


def test_organisation_without_bin_is_found_by_its_fallback_identifier(anonymous):
    org = make_organisation(bin=None)
    response = anonymous.get(profile_url(org.org_id))
    assert response.status_code == 200
    assert org.org_id.startswith("360G-qogam-org-")


def test_fallback_identifier_of_an_organisation_with_a_bin_redirects_permanently(anonymous):
    org = make_organisation()
    response = anonymous.get(profile_url(org.fallback_org_id))
    assert response.status_code == 301
    assert response["Location"] == org.get_absolute_url()


def test_merged_record_redirects_to_the_survivor(anonymous):
    survivor = make_organisation()
    loser = make_organisation()
    Organisation.objects.filter(pk=loser.pk).update(merged_into=survivor)
    response = anonymous.get(profile_url(loser.org_id))
    assert response.status_code == 301
    assert response["Location"] == survivor.get_absolute_url()


def test_identifier_case_is_canonicalised(anonymous):
    org = make_organisation(bin=None)
    response = anonymous.get(profile_url(org.org_id.lower()))
    assert response.status_code == 301 and response["Location"] == org.get_absolute_url()


@pytest.mark.parametrize("org_id", ["KZ-BIN-950440001673", "nonsense", "KZ-BIN-12", "360G-qogam-org-NOPE"])
def test_unknown_identifiers_are_404(anonymous, org_id):
    assert anonymous.get(profile_url(org_id)).status_code == 404


def test_profile_query_count_does_not_grow_with_branches_and_events(
    anonymous, django_assert_max_num_queries, warm_caches
):
    parent = make_organisation(territorial_level="republican")
    make_organisation(parent=parent, registered_on=datetime.date(2012, 1, 1))
    warm_caches()
    with django_assert_max_num_queries(12) as few:
        anonymous.get(profile_url(parent.org_id))
    for n in range(15):
        make_organisation(parent=parent, registered_on=datetime.date(2012, 1, 1), region="KZ-63")
        services.organisation_name_add(organisation=parent, name=f"Alias {n}", language="en", kind="alias")
    for year in range(2013, 2020):
        services.organisation_status_record(
            moderator=clerk(), organisation=parent, kind="found_active", occurred_on=datetime.date(year, 1, 1)
        )
    with django_assert_max_num_queries(12) as many:
        anonymous.get(profile_url(parent.org_id))
    assert len(few) == len(many)
