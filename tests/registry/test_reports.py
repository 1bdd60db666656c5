from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry import services
from registry.models import ChangeRecord, Membership, Organisation, YearlyReport
from registry.selectors import (
    REPORTING_CHOICES,
    latest_due_report_year,
    organisation_reports,
    reporting_status_expression,
    reporting_status_q,
)
from tests.registry.factories import make_organisation, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return make_organisation(registered_on=datetime.date(2015, 5, 1))


def file(org, year, submitted_on, **values):
    return services.report_submit(
        organisation=org, year=year, acting_user=None, values=values, submitted_on=submitted_on
    )


def test_a_report_can_only_be_filed_once_its_year_is_over(org):
    this_year = datetime.date.today().year  # noqa: DTZ011
    with pytest.raises(ValidationError) as exc:
        file(org, this_year, None)
    assert "can be filed from 1 January" in " ".join(exc.value.message_dict["year"])


def test_no_report_for_years_before_registration(org):
    with pytest.raises(ValidationError) as exc:
        file(org, 2014, datetime.date(2015, 2, 1))
    assert "registered in 2015" in " ".join(exc.value.message_dict["year"])


def test_negative_amounts_are_refused_by_field(org):
    with pytest.raises(ValidationError) as exc:
        file(org, 2020, datetime.date(2021, 2, 1), income_foreign=Decimal("-1"))
    assert "income_foreign" in exc.value.message_dict
    assert not YearlyReport.objects.exists()


@pytest.mark.parametrize(
    ("submitted", "status"), [(datetime.date(2021, 3, 31), "on_time"), (datetime.date(2021, 4, 1), "late")]
)
def test_due_on_31_march_of_the_next_year(org, submitted, status):
    file(org, 2020, submitted, paid_staff=2)
    row = next(r for r in organisation_reports(org, years=20) if r.year == 2020)
    assert row.status == status


def test_missing_reports_are_overdue_only_for_forms_that_must_report(org):
    religious = make_organisation(legal_form="religious_association", registered_on=datetime.date(2015, 5, 1))
    year = latest_due_report_year()
    assert next(r for r in organisation_reports(org) if r.year == year).status == "overdue"
    assert next(r for r in organisation_reports(religious) if r.year == year).status == "not_required"


def test_blank_answers_stay_unknown(org):
    report = file(org, 2020, datetime.date(2021, 2, 1), has_board=None, income_foreign=None)
    assert report.has_board is None and report.total_income is None


def test_income_totals_and_state_share(org):
    report = file(
        org, 2020, datetime.date(2021, 2, 1), income_social_order=Decimal("900"), income_individuals=Decimal("100.50")
    )
    assert report.total_income == Decimal("1000.50") and report.state_income == Decimal("900")


def test_corrections_keep_the_submission_date_and_are_recorded(org):
    file(org, 2020, datetime.date(2021, 2, 1), paid_staff=2)
    report = file(org, 2020, None, paid_staff=5)
    assert report.submitted_on == datetime.date(2021, 2, 1) and report.paid_staff == 5
    change = ChangeRecord.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("report 2020: paid_staff", "2", "5")


def test_directory_filter_and_facet_for_the_latest_due_year(anonymous, org):
    year = latest_due_report_year()
    filed = make_organisation(registered_on=datetime.date(2015, 5, 1))
    late = make_organisation(registered_on=datetime.date(2015, 5, 1))
    make_organisation(legal_form="religious_association")
    file(filed, year, datetime.date(year + 1, 3, 1))
    file(late, year, min(datetime.date(year + 1, 5, 1), datetime.date.today()))  # noqa: DTZ011
    response = anonymous.get(reverse("registry:organisation_list"), {"reporting": "overdue"})
    assert [o.pk for o in response.context["page"].object_list] == [org.pk]
    facet = next(f for f in response.context["facets"] if f.key == "reporting")
    counts = {o.value: o.count for o in facet.options}
    expected = dict(
        Organisation.objects.annotate(r=reporting_status_expression(year))
        .values_list("r")
        .order_by()
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
    )
    assert counts == expected == {"on_time": 1, "late": 1, "overdue": 1, "not_required": 1}
    assert str(year) in facet.label


def test_the_reporting_filter_selects_what_the_status_expression_says(org):
    """The directory filters on conditions the planner can estimate (reporting_status_q); they must choose
    exactly the organisations whose computed status is among those asked for, for every set of statuses,
    including organisations without a registration date, liquidated ones and forms that owe no report."""
    year = latest_due_report_year()
    file(make_organisation(registered_on=datetime.date(2015, 5, 1)), year, datetime.date(year + 1, 3, 1))
    file(make_organisation(), year, datetime.date(year + 1, 3, 31))  # no registration date: required
    file(make_organisation(registered_on=datetime.date(2015, 5, 1)), year, datetime.date(year + 1, 4, 1))
    file(make_organisation(registered_on=datetime.date(2015, 5, 1)), year - 1, datetime.date(year, 3, 1))
    make_organisation(registered_on=datetime.date(year + 1, 1, 2))  # registered after the year: not owed
    make_organisation(legal_form="religious_association")
    liquidated = make_organisation(registered_on=datetime.date(2015, 5, 1))
    Organisation.objects.filter(pk=liquidated.pk).update(status=Organisation.Status.LIQUIDATED)
    status = dict(Organisation.objects.annotate(r=reporting_status_expression(year)).values_list("pk", "r"))
    assert set(status.values()) == {"on_time", "late", "overdue", "not_required"}
    values = [value for value, _label in REPORTING_CHOICES]
    for size in range(1, len(values) + 1):
        for chosen in itertools.combinations(values, size):
            selected = set(Organisation.objects.filter(reporting_status_q(year, chosen)).values_list("pk", flat=True))
            assert selected == {pk for pk, r in status.items() if r in chosen}, chosen


def test_manager_files_the_report_through_the_page(client, org, django_user_model):
    user = person("m")
    Membership.objects.create(user=user, organisation=org, role="owner")
    client.force_login(user)
    response = client.post(
        reverse("registry:organisation_report", args=[org.org_id, 2023]),
        {"income_state_grants": "5000000", "volunteers": "12", "has_board": "true", "decision_making": "members"},
    )
    assert response.status_code == 302
    report = org.reports.get(year=2023)
    assert report.has_board is True and report.network_member is None and report.submitted_by == user
    html = client.get(org.get_absolute_url()).content.decode()
    assert "5,000,000" in html
    assert client.get(reverse("registry:organisation_report", args=[org.org_id, 2014])).status_code == 404
