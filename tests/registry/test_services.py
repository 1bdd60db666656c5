from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.models import LegalForm, Organisation, OrganisationName, StatusEvent
from tests.registry.factories import clerk, make_bin, make_organisation

pytestmark = pytest.mark.django_db


def test_created_organisation_is_registered_active_with_its_event():
    org = make_organisation(registered_on=datetime.date(2012, 3, 5))
    assert org.status == Organisation.Status.ACTIVE
    event = org.status_events.get()
    assert event.kind == StatusEvent.Kind.REGISTERED and event.occurred_on == datetime.date(2012, 3, 5)
    assert org.org_id == f"KZ-BIN-{org.bin}"


def test_invalid_bin_is_refused_with_the_field_named():
    with pytest.raises(ValidationError) as exc:
        make_organisation(bin="950440001674")
    assert "check digit should be 3, not 4" in " ".join(exc.value.message_dict["bin"])
    assert not Organisation.objects.exists()


def test_duplicate_bin_is_refused():
    first = make_organisation()
    with pytest.raises(ValidationError) as exc:
        make_organisation(bin=first.bin)
    assert "bin" in exc.value.message_dict
    assert Organisation.objects.count() == 1


def test_without_bin_gets_a_stable_fallback_identifier():
    org = make_organisation(bin=None)
    assert org.bin is None
    assert org.org_id == f"360G-qogam-org-{org.local_id}"
    assert len(org.local_id) == 8


def test_registration_date_before_the_bin_month_is_refused():
    with pytest.raises(ValidationError) as exc:
        make_organisation(bin=make_bin(datetime.date(2015, 6, 1)), registered_on=datetime.date(2014, 1, 1))
    assert "2015-06" in " ".join(exc.value.message_dict["registered_on"])


def test_territorial_level_only_for_public_and_religious_associations():
    make_organisation(legal_form="public_association", territorial_level="regional")
    with pytest.raises(ValidationError) as exc:
        make_organisation(legal_form="foundation", territorial_level="regional")
    assert "territorial_level" in exc.value.message_dict


def test_an_organisation_needs_a_name_in_some_language():
    with pytest.raises(ValidationError):
        services.organisation_create(legal_form=LegalForm.objects.get(code="foundation"))


def test_suspension_needs_its_end_and_moves_the_status():
    org = make_organisation()
    with pytest.raises(ValidationError) as exc:
        services.organisation_status_record(
            moderator=clerk(), organisation=org, kind="suspended", occurred_on=datetime.date(2020, 1, 1)
        )
    assert "ends_on" in exc.value.message_dict
    services.organisation_status_record(
        moderator=clerk(),
        organisation=org,
        kind="suspended",
        occurred_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 4, 1),
        legal_basis="Court decision",
    )
    org.refresh_from_db()
    assert org.status == Organisation.Status.SUSPENDED
    services.organisation_status_record(
        moderator=clerk(), organisation=org, kind="resumed", occurred_on=datetime.date(2020, 4, 2)
    )
    org.refresh_from_db()
    assert org.status == Organisation.Status.ACTIVE


def test_only_a_suspended_organisation_can_resume():
    org = make_organisation()
    with pytest.raises(ValidationError) as exc:
        services.organisation_status_record(
            moderator=clerk(), organisation=org, kind="resumed", occurred_on=datetime.date(2020, 1, 1)
        )
    assert "kind" in exc.value.message_dict


def test_nothing_is_recorded_after_liquidation():
    org = make_organisation()
    services.organisation_status_record(
        moderator=clerk(), organisation=org, kind="liquidated", occurred_on=datetime.date(2019, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.organisation_status_record(
            moderator=clerk(), organisation=org, kind="found_active", occurred_on=datetime.date(2020, 1, 1)
        )
    assert "kind" in exc.value.message_dict
    assert org.status_events.count() == 2


def test_events_must_be_recorded_in_order_and_after_registration():
    org = make_organisation(registered_on=datetime.date(2010, 5, 10))
    services.organisation_status_record(
        moderator=clerk(), organisation=org, kind="found_inactive", occurred_on=datetime.date(2015, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.organisation_status_record(
            moderator=clerk(), organisation=org, kind="found_active", occurred_on=datetime.date(2014, 1, 1)
        )
    assert "occurred_on" in exc.value.message_dict
    other = make_organisation(registered_on=datetime.date(2010, 5, 10))
    with pytest.raises(ValidationError):
        services.organisation_status_record(
            moderator=clerk(), organisation=other, kind="found_inactive", occurred_on=datetime.date(2009, 1, 1)
        )


def test_status_refresh_follows_the_latest_event():
    org = make_organisation()
    StatusEvent.objects.create(organisation=org, kind="found_inactive", occurred_on=datetime.date(2016, 1, 1))
    assert services.organisation_status_refresh(organisation=org) == Organisation.Status.INACTIVE
    org.refresh_from_db()
    assert org.status == Organisation.Status.INACTIVE


def test_adding_a_former_name_makes_it_searchable():
    org = make_organisation()
    services.organisation_name_add(
        organisation=org,
        name="«Шолпан» бірлестігі",
        language="kk",
        kind=OrganisationName.Kind.FORMER,
        valid_from=datetime.date(2010, 5, 1),
        valid_to=datetime.date(2014, 1, 1),
    )
    org.refresh_from_db()
    assert "шолпан" in org.search_text
