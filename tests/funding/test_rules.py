from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding import services
from funding.models import Award, Mechanism
from registry import services as registry_services
from tests.funding.factories import clerk, make_administrator, make_award, make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


def messages(exc: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(exc.value.message_dict[field])


@pytest.mark.parametrize("form", ["religious_association", "political_party", "trade_union", "state_institution"])
@pytest.mark.parametrize("mechanism", [Mechanism.SOCIAL_ORDER, Mechanism.STATE_GRANT, Mechanism.NGO_AWARD])
def test_only_ngos_receive_state_money(form, mechanism):
    recipient = make_organisation(legal_form=form)
    with pytest.raises(ValidationError) as exc:
        make_award(recipient=recipient, mechanism=mechanism)
    assert "only NGOs may" in messages(exc, "recipient")
    assert not Award.objects.exists()


def test_a_non_ngo_may_record_money_from_elsewhere():
    recipient = make_organisation(legal_form="religious_association")
    award = make_award(
        recipient=recipient, mechanism=Mechanism.FOREIGN_GRANT, currency="USD", amount_original=Decimal("10000")
    )
    assert award.pk


@pytest.mark.parametrize("kind", ["liquidated", "reorganised"])
def test_a_ceased_recipient_is_refused(kind):
    recipient = make_organisation()
    registry_services.organisation_status_record(
        moderator=clerk(), organisation=recipient, kind=kind, occurred_on=datetime.date(2019, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        make_award(recipient=recipient, awarded_on=datetime.date(2020, 3, 1))
    assert "2019-01-01" in messages(exc, "recipient")


def test_a_suspended_recipient_is_refused_only_while_suspended():
    recipient = make_organisation()
    registry_services.organisation_status_record(
        moderator=clerk(),
        organisation=recipient,
        kind="suspended",
        occurred_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 4, 1),
    )
    with pytest.raises(ValidationError) as exc:
        make_award(recipient=recipient, awarded_on=datetime.date(2020, 3, 1))
    assert "suspended" in messages(exc, "recipient")
    assert make_award(recipient=recipient, awarded_on=datetime.date(2020, 5, 1)).pk  # the suspension had ended


def test_a_recipient_not_yet_registered_is_refused():
    recipient = make_organisation(registered_on=datetime.date(2021, 1, 1))
    with pytest.raises(ValidationError) as exc:
        make_award(recipient=recipient, awarded_on=datetime.date(2020, 3, 1))
    assert "not yet registered" in messages(exc, "recipient")


def test_social_order_lasts_at_most_36_months():
    assert make_award(starts_on=datetime.date(2020, 3, 1), ends_on=datetime.date(2023, 2, 28)).pk
    with pytest.raises(ValidationError) as exc:
        make_award(starts_on=datetime.date(2020, 3, 1), ends_on=datetime.date(2023, 3, 1))
    assert "at most 36 months; this one spans 37" in messages(exc, "ends_on")


def test_grants_are_not_held_to_the_social_order_limit():
    assert make_award(
        mechanism=Mechanism.STATE_GRANT, starts_on=datetime.date(2020, 3, 1), ends_on=datetime.date(2024, 3, 1)
    ).pk


def test_a_project_can_not_end_before_it_starts():
    with pytest.raises(ValidationError) as exc:
        make_award(starts_on=datetime.date(2020, 6, 1), ends_on=datetime.date(2020, 5, 1))
    assert "ends before it starts" in messages(exc, "ends_on")


def test_award_date_may_follow_the_start_by_30_days_and_no_more():
    assert make_award(awarded_on=datetime.date(2020, 3, 31), starts_on=datetime.date(2020, 3, 1)).pk
    with pytest.raises(ValidationError) as exc:
        make_award(awarded_on=datetime.date(2020, 4, 1), starts_on=datetime.date(2020, 3, 1))
    assert "31 days after the project start" in messages(exc, "awarded_on")
    assert "MAX_RETROACTIVE_START_DAYS" in messages(exc, "awarded_on")


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_amounts_must_be_positive(amount):
    with pytest.raises(ValidationError) as exc:
        make_award(amount=amount)
    assert "amount" in exc.value.message_dict


def test_the_lot_must_belong_to_the_awards_competition():
    administrator = make_administrator()
    competition, _ = make_competition(administrator)
    _, (other_lot,) = make_competition(administrator)
    with pytest.raises(ValidationError) as exc:
        make_award(administrator=administrator, competition=competition, lot=other_lot)
    assert "does not belong to the competition" in messages(exc, "lot")


def test_the_competition_must_be_the_administrators():
    competition, (lot,) = make_competition(make_administrator())
    with pytest.raises(ValidationError) as exc:
        make_award(administrator=make_administrator(), competition=competition, lot=lot)
    assert "another administrator" in messages(exc, "competition")


def test_foreign_currency_needs_the_original_amount():
    with pytest.raises(ValidationError) as exc:
        make_award(mechanism=Mechanism.FOREIGN_GRANT, currency="USD")
    assert "in USD as well" in messages(exc, "amount_original")


def test_a_field_outside_the_charter_is_a_warning_not_a_refusal():
    award = make_award(recipient=make_organisation(fields=("women",)), field="environment")
    assert award.pk
    assert award.warnings == ["the project's field (Environment) is not among the recipient's fields of activity."]


def test_payments_never_exceed_the_amount_as_amended():
    award = make_award(amount="1000")
    services.payment_create(
        acting_user=clerk(), award=award, paid_on=datetime.date(2020, 4, 1), amount=Decimal("600"), kind="advance"
    )
    with pytest.raises(ValidationError) as exc:
        services.payment_create(
            acting_user=clerk(), award=award, paid_on=datetime.date(2020, 9, 1), amount=Decimal("400.01"), kind="final"
        )
    assert "1000.01" in messages(exc, "amount") or "1,000.01" in messages(exc, "amount")
    services.award_amend(
        acting_user=clerk(),
        award=award,
        field_name="amount",
        new_value="1200",
        reason="Scope extended",
        amended_on=datetime.date(2020, 6, 1),
    )
    services.payment_create(
        acting_user=clerk(), award=award, paid_on=datetime.date(2020, 9, 1), amount=Decimal("600"), kind="final"
    )
    assert sum(p.amount for p in award.payments.all()) == Decimal("1200")


def test_the_amount_can_not_be_amended_below_what_was_paid():
    award = make_award(amount="1000")
    services.payment_create(
        acting_user=clerk(), award=award, paid_on=datetime.date(2020, 4, 1), amount=Decimal("800"), kind="advance"
    )
    with pytest.raises(ValidationError) as exc:
        services.award_amend(
            acting_user=clerk(),
            award=award,
            field_name="amount",
            new_value="700",
            reason="Cut",
            amended_on=datetime.date(2020, 6, 1),
        )
    assert "800" in messages(exc, "new_value")
    award.refresh_from_db()
    assert award.amount == Decimal("1000") and not award.amendments.exists()


def test_an_amendment_keeps_the_old_value():
    award = make_award(amount="1000")
    amendment = services.award_amend(
        acting_user=clerk(),
        award=award,
        field_name="ends_on",
        new_value="2020-12-20",
        reason="Extension",
        amended_on=datetime.date(2020, 8, 1),
    )
    award.refresh_from_db()
    assert award.ends_on == datetime.date(2020, 12, 20)
    assert amendment.old_value != amendment.new_value == "2020-12-20"
    assert award.amount_awarded == Decimal("1000")


def test_status_moves_forward_only():
    award = make_award()
    services.award_status_record(
        acting_user=clerk(), award=award, kind="in_progress", occurred_on=datetime.date(2020, 3, 6)
    )
    services.award_status_record(
        acting_user=clerk(), award=award, kind="completed", occurred_on=datetime.date(2020, 9, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.award_status_record(
            acting_user=clerk(), award=award, kind="in_progress", occurred_on=datetime.date(2020, 10, 1)
        )
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.award_status_record(
            acting_user=clerk(), award=make_award(), kind="terminated", occurred_on=datetime.date(2020, 4, 1)
        )


def test_a_rejected_application_needs_its_reason():
    _, (lot,) = make_competition(make_administrator())
    with pytest.raises(ValidationError) as exc:
        services.application_create(acting_user=clerk(), lot=lot, applicant=make_organisation(), outcome="rejected")
    assert "rejection_reason" in exc.value.message_dict


def test_money_is_exact():
    a = make_award(amount="0.10")
    b = make_award(amount="0.20")
    from django.db.models import Sum

    assert Award.objects.filter(pk__in=[a.pk, b.pk]).aggregate(s=Sum("amount"))["s"] == Decimal("0.30")
