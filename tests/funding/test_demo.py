from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Count, Sum

from funding.demo import AS_OF, GRANT_MILLIONS, MILLION, SOCIAL_ORDER_MILLIONS
from funding.models import Administrator, Application, Award, Evaluation, Lot, Payment, PublishedTotal

pytestmark = pytest.mark.django_db
SCALE = Decimal("0.1")


@pytest.fixture
def seeded():
    call_command("seed_demo", orgs=2230, seed=5, verbosity=0)


def test_demo_funding_reproduces_the_published_series(seeded):
    sums = dict(Award.objects.filter(mechanism="social_order").values_list("awarded_on__year").annotate(Sum("amount")))
    for year, millions in SOCIAL_ORDER_MILLIONS.items():
        if millions is None:
            assert year not in sums  # no award-level records for 2010 ...
            assert PublishedTotal.objects.get(year=year, mechanism="social_order").amount is None  # ... and unknown
        else:
            assert sums[year] == Decimal(millions) * MILLION * SCALE, year
    grants = dict(Award.objects.filter(mechanism="state_grant").values_list("awarded_on__year").annotate(Sum("amount")))
    assert grants == {y: Decimal(m) * MILLION * SCALE for y, m in GRANT_MILLIONS.items()}
    assert Award.objects.filter(mechanism="ngo_award", awarded_on__year__lt=2017).count() == 0
    assert set(Award.objects.filter(mechanism="state_grant").values_list("administrator__kind", flat=True)) == {
        "grant_operator"
    }


def test_local_budgets_dominate_from_2017(seeded):
    def share(years):
        qs = Award.objects.filter(mechanism="social_order", awarded_on__year__in=years)
        local = qs.filter(administrator__budget_level="local").aggregate(s=Sum("amount"))["s"]
        return local / qs.aggregate(s=Sum("amount"))["s"]

    assert share(range(2017, 2026)) > Decimal("0.9")
    assert share(range(2003, 2017)) < Decimal("0.9")


def test_seeded_records_obey_the_model_rules(seeded):
    """Every award obeys the rules an officer's entry is held to, except the two planted ineligible ones: the
    records they break were corrected after the award was entered, which is what that flag is there to catch."""
    from scoring.flags.awards import ineligible_recipient_find

    planted = {hit.subject_key for hit in ineligible_recipient_find(today=AS_OF)}
    assert len(planted) == 2
    awards = Award.objects.select_related("recipient__legal_form", "competition", "lot").exclude(public_id__in=planted)
    for award in awards.order_by("?")[:300]:
        award.full_clean()
    for award in Award.objects.filter(public_id__in=planted):
        with pytest.raises(ValidationError) as refused:
            award.full_clean()
        assert "recipient" in refused.value.message_dict
    overpaid = Award.objects.annotate(paid=Sum("payments__amount")).filter(paid__gt=0).values_list("paid", "amount")
    assert all(paid <= amount for paid, amount in overpaid)
    assert not Payment.objects.filter(paid_on__gt=AS_OF).exists()


def test_irregular_cases_are_planted(seeded):
    single = Lot.objects.annotate(n=Count("applications")).filter(n=1, competition__mechanism="social_order")
    assert single.exists()
    assert Application.objects.filter(outcome="rejected", applicant__legal_form__ngo_eligible=False).exists()
    newborn = [
        a
        for a in Award.objects.select_related("recipient")
        if a.recipient.registered_on and (a.awarded_on - a.recipient.registered_on).days < 365
    ]
    assert newborn
    december = Counter()
    total = Counter()
    for code, month in Award.objects.filter(mechanism="social_order").values_list(
        "administrator__code", "awarded_on__month"
    ):
        total[code] += 1
        december[code] += month == 12
    assert any(total[c] >= 10 and december[c] / total[c] > 0.4 for c in total)
    triples = (
        Award.objects.filter(competition__isnull=True, mechanism="social_order")
        .values("administrator", "recipient", "awarded_on__year")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
    )
    assert triples.exists()
    assert Evaluation.objects.filter(
        report_received_on__isnull=True, report_due_on__lt=datetime.date(2026, 1, 1)
    ).exists()
    assert Administrator.objects.filter(name_en__endswith="(demo)").count() == Administrator.objects.count()


def test_demo_reports_are_calibrated(seeded):
    from registry.models import Organisation, YearlyReport
    from registry.selectors import latest_due_report_year, reporting_status_expression

    year = latest_due_report_year()
    statuses = Counter(
        dict(
            Organisation.objects.annotate(r=reporting_status_expression(year))
            .values_list("r")
            .order_by()
            .annotate(n=Count("id"))
        )
    )
    obliged = statuses["on_time"] + statuses["late"] + statuses["overdue"]
    assert 0.22 < statuses["on_time"] / obliged < 0.40  # about 30% file on time (DOMAIN §7)
    known = YearlyReport.objects.exclude(has_board=None)
    assert 0.68 < known.filter(has_board=True).count() / known.count() < 0.78  # CSI 2.1.1: 73.0%
    funded = Award.objects.filter(mechanism="social_order", awarded_on__year=2023).values_list("recipient", flat=True)
    declared = YearlyReport.objects.filter(year=2023, organisation__in=funded).exclude(income_social_order=None)
    assert declared.exists()


def test_the_planted_ineligible_forms_are_ineligible_in_the_legal_form_table():
    from funding.demo import PLANTED_INELIGIBLE_FORMS
    from registry.models import LegalForm
    from registry.selectors import REPORT_REQUIRED_FORMS

    forms = LegalForm.objects.in_bulk()
    assert all(not forms[code].ngo_eligible for code in PLANTED_INELIGIBLE_FORMS)
    assert all(forms[code].ngo_eligible for code in REPORT_REQUIRED_FORMS)  # the demo funds only eligible forms
