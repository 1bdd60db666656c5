"""Every red flag on constructed cases that must and must not trigger it, edges of each threshold included;
a clean data set raises none; concentration reconciles with a raw SQL computation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from funding import services as funding
from funding.reference import MCI, SPLIT_THRESHOLD_MCI
from registry.models import Organisation, StatusEvent, YearlyReport
from scoring import flags
from scoring.flags import statistics
from tests.funding.factories import clerk, make_administrator, make_award, make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def hits(code: str) -> list[flags.Hit]:
    return list(flags.FLAG_FINDERS[code](today=TODAY))


def reported(org, *years):
    for year in years:
        YearlyReport.objects.create(organisation=org, year=year, submitted_on=datetime.date(year + 1, 3, 1))


@pytest.fixture
def clean():
    """A clean data set: two administrators, recipients that report, open competitions with several applicants."""
    first, second = make_administrator(code="first"), make_administrator(code="second")
    orgs = []
    for i in range(6):
        org = make_organisation(
            registered_on=datetime.date(2012, 5, 1),
            fields=("health",),
            phone=f"+7 7172 10 00 {i:02d}",
            address=f"Астана, улица {i}",
        )
        reported(org, *range(2012, 2025))
        orgs.append(org)
    for year in (2021, 2022, 2023):
        for admin in (first, second):
            competition, lots = make_competition(admin, lots=2, year=year)
            for k, lot in enumerate(lots):
                winner = orgs[(year + k + (admin.code == "second") * 3) % 6]
                for org in orgs[:3] if k == 0 else orgs[3:]:
                    funding.application_create(
                        acting_user=clerk(), lot=lot, applicant=org, submitted_on=datetime.date(year, 1, 20)
                    )
                award = make_award(
                    recipient=winner,
                    administrator=admin,
                    competition=competition,
                    lot=lot,
                    amount="1100000",
                    awarded_on=datetime.date(year, 3, 1 + k),
                    field="health",
                )
                funding.evaluation_record(
                    acting_user=clerk(),
                    award=award,
                    report_due_on=award.ends_on + datetime.timedelta(days=30),
                    report_received_on=award.ends_on + datetime.timedelta(days=10),
                )
    return orgs


def test_a_clean_data_set_raises_no_flag(clean):
    raised = {code: len(hits(code)) for code in flags.FLAG_FINDERS}
    assert raised == dict.fromkeys(flags.FLAG_FINDERS, 0)


def test_single_applicant_one_admissible_after_rejections(clean):
    admin = make_administrator(code="third")
    competition, (lot,) = make_competition(admin, year=2024)
    funding.application_create(acting_user=clerk(), lot=lot, applicant=clean[0])
    assert [h.subject_key for h in hits("single_applicant")] == [competition.public_id]
    funding.application_create(acting_user=clerk(), lot=lot, applicant=clean[1])
    assert hits("single_applicant") == []  # two applicants
    funding.application_create(
        acting_user=clerk(), lot=lot, applicant=clean[2], outcome="rejected", rejection_reason="late"
    )
    assert hits("single_applicant") == []
    lot.applications.filter(applicant=clean[1]).update(outcome="rejected", rejection_reason="incomplete")
    assert len(hits("single_applicant")) == 1  # one admissible left


def test_new_born_recipient_edge_of_twelve_months():
    admin = make_administrator()
    young = make_organisation(registered_on=datetime.date(2023, 3, 15))
    make_award(recipient=young, administrator=admin, awarded_on=datetime.date(2024, 3, 14))  # 11 months
    make_award(recipient=young, administrator=admin, awarded_on=datetime.date(2024, 3, 15))  # 12 months: not
    found = hits("new_born")
    assert len(found) == 1 and found[0].values["months"] == 11


def test_not_reporting_needs_the_previous_years_report_by_the_award_date():
    admin = make_administrator()
    org = make_organisation(registered_on=datetime.date(2015, 1, 1))
    reported(org, 2022)
    make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2023, 6, 1))  # 2022 filed: fine
    late = make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2024, 6, 1))  # 2023 missing
    assert [h.subject_key for h in hits("not_reporting")] == [late.public_id]
    newcomer = make_organisation(registered_on=datetime.date(2024, 2, 1))
    make_award(recipient=newcomer, administrator=admin, awarded_on=datetime.date(2024, 9, 1))
    assert len(hits("not_reporting")) == 1  # nothing was due from an organisation registered that year


def test_not_reporting_starts_with_the_2018_precondition():
    admin = make_administrator()
    org = make_organisation(registered_on=datetime.date(2010, 1, 1))
    make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2017, 12, 31))  # before the rule
    first = make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2018, 1, 1))
    assert [h.subject_key for h in hits("not_reporting")] == [first.public_id]
    assert hits("not_reporting")[0].values == {"report_year": 2016, "filed_on": None}  # 2017's was not yet due


def test_threshold_splitting_edges():
    admin = make_administrator()
    org = make_organisation()
    threshold = Decimal(SPLIT_THRESHOLD_MCI * MCI[2024])
    just_under = (threshold * Decimal("0.95")).quantize(Decimal(1))
    for days in (0, 20):
        make_award(
            recipient=org,
            administrator=admin,
            amount=str(just_under),
            awarded_on=datetime.date(2024, 6, 1) + datetime.timedelta(days=days),
        )
    assert len(hits("threshold_splitting")) == 2
    make_award(
        recipient=org, administrator=admin, amount=str(threshold), awarded_on=datetime.date(2024, 6, 5)
    )  # at it: not
    make_award(
        recipient=org, administrator=admin, amount=str(just_under), awarded_on=datetime.date(2024, 9, 1)
    )  # 70+ days on
    assert len(hits("threshold_splitting")) == 2


def test_price_outlier_uses_the_fences_of_its_peer_group():
    admin = make_administrator()
    ratios = ["0.95", "0.97", "0.98", "1.00", "0.96", "0.99", "0.40"]
    for i, ratio in enumerate(ratios):
        competition, (lot,) = make_competition(admin, year=2023)
        make_award(
            administrator=admin,
            competition=competition,
            lot=lot,
            amount=str(Decimal("1200000") * Decimal(ratio)),
            awarded_on=datetime.date(2023, 3, 1 + i),
        )
    found = hits("price_outlier")
    assert len(found) == 1 and found[0].values["ratio"] == "0.4000"
    assert {"q1", "q3", "lower", "upper", "n"} <= set(found[0].values)


def test_fences_and_hhi_on_plain_values():
    f = statistics.fences([Decimal(v) for v in (1, 2, 3, 4, 5)])
    assert (f["q1"], f["q3"], f["lower"], f["upper"]) == (Decimal(2), Decimal(4), Decimal(-1), Decimal(7))
    assert statistics.hhi([Decimal(100)]) == Decimal(10000)
    assert statistics.hhi([Decimal(50), Decimal(50)]) == Decimal(5000)
    assert statistics.months_between(datetime.date(2023, 3, 15), datetime.date(2024, 3, 14)) == 11


def test_year_end_rush_above_the_upper_fence():
    for code in ("a", "b", "c", "d"):
        admin = make_administrator(code=code)
        for month in (2, 4, 6, 8, 10, 12):
            make_award(administrator=admin, awarded_on=datetime.date(2022, month, 1), months=1)
    rushed = make_administrator(code="rushed")
    for day in (1, 5, 10, 15, 20):
        make_award(administrator=rushed, awarded_on=datetime.date(2022, 12, day), months=1)
    make_award(administrator=rushed, awarded_on=datetime.date(2022, 3, 1), months=1)
    found = hits("year_end_rush")
    assert [h.subject_key for h in found] == ["rushed"] and found[0].values["december"] == 5


def test_state_dependency_at_ninety_percent():
    org = make_organisation()
    YearlyReport.objects.create(
        organisation=org,
        year=2023,
        submitted_on=datetime.date(2024, 3, 1),
        income_social_order=Decimal(90),
        income_foreign=Decimal(10),
    )
    YearlyReport.objects.create(
        organisation=org,
        year=2022,
        submitted_on=datetime.date(2023, 3, 1),
        income_social_order=Decimal(89),
        income_foreign=Decimal(11),
    )
    assert [h.year for h in hits("state_dependency")] == [2023]


def test_double_funding_overlapping_periods_same_field():
    org = make_organisation()
    one, two = make_administrator(code="one"), make_administrator(code="two")
    make_award(recipient=org, administrator=one, awarded_on=datetime.date(2023, 1, 10), months=6, field="health")
    make_award(recipient=org, administrator=two, awarded_on=datetime.date(2023, 5, 10), months=6, field="health")
    make_award(recipient=org, administrator=two, awarded_on=datetime.date(2023, 5, 10), months=6, field="women")
    assert len(hits("double_funding")) == 2
    make_award(recipient=org, administrator=one, awarded_on=datetime.date(2025, 1, 10), months=3, field="women")
    assert len(hits("double_funding")) == 2  # not overlapping


def test_overdue_reporting():
    admin = make_administrator()
    ended = make_award(administrator=admin, awarded_on=datetime.date(2024, 1, 10), months=3)
    funding.evaluation_record(acting_user=clerk(), award=ended, report_due_on=datetime.date(2024, 6, 1))
    received = make_award(administrator=admin, awarded_on=datetime.date(2024, 1, 10), months=3)
    funding.evaluation_record(
        acting_user=clerk(),
        award=received,
        report_due_on=datetime.date(2024, 6, 1),
        report_received_on=datetime.date(2024, 5, 20),
    )
    running = make_award(administrator=admin, awarded_on=datetime.date(2026, 10, 1), months=6)
    assert [h.subject_key for h in hits("overdue_reporting")] == [ended.public_id]
    assert running.public_id not in {h.subject_key for h in hits("overdue_reporting")}


def test_ineligible_recipient_liquidated_by_the_award_date():
    from registry import services as registry

    admin = make_administrator()
    org = make_organisation(registered_on=datetime.date(2010, 1, 1))
    award = make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2020, 3, 1))
    assert hits("ineligible_recipient") == []
    registry.organisation_status_record(
        moderator=clerk(),
        organisation=org,
        kind=StatusEvent.Kind.LIQUIDATED,
        occurred_on=datetime.date(2020, 1, 1),
        legal_basis="Court",
    )
    assert [h.subject_key for h in hits("ineligible_recipient")] == [award.public_id]


def test_shared_contacts_between_different_organisations(clean):
    Organisation.objects.filter(pk=clean[1].pk).update(phone=clean[0].phone.replace(" ", "-"))
    found = hits("shared_contacts")
    assert {h.organisation_id for h in found} == {clean[0].pk, clean[1].pk} and found[0].values["contact"] == "phone"


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("+7 (701) 123-45-67", "8 701 123 45 67", True),  # the last ten digits, whatever the prefix and marks
        ("+7 701 123 45 67", "+7 701 123 45 68", False),
        ("123 45 67", "123 45 67", False),  # fewer than ten digits: not a usable number
    ],
)
def test_phones_compare_by_their_last_ten_digits(first, second, same):
    a, b = statistics.normalise_phone(first), statistics.normalise_phone(second)
    assert (bool(a) and a == b) is same


def test_addresses_compare_without_case_punctuation_or_extra_spaces():
    assert statistics.normalise_text("Астана, ул. Абая,  12") == statistics.normalise_text("астана ул абая 12")
    assert statistics.normalise_text("Астана, Абая, 12") != statistics.normalise_text("Астана, Абая, 21")


def test_captive_recipient_funded_by_one_administrator_for_three_years():
    admin = make_administrator()
    org = make_organisation()
    for year in (2021, 2022):
        make_award(recipient=org, administrator=admin, awarded_on=datetime.date(year, 3, 1))
    assert hits("captive_recipient") == []
    make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2023, 3, 1))
    assert [h.organisation_id for h in hits("captive_recipient")] == [org.pk]


def test_self_report_mismatch_beyond_the_tolerance():
    admin = make_administrator()
    org = make_organisation()
    award = make_award(recipient=org, administrator=admin, amount="5000000", awarded_on=datetime.date(2023, 2, 1))
    funding.payment_create(
        acting_user=clerk(), award=award, paid_on=datetime.date(2023, 3, 1), amount=Decimal(5_000_000), kind="advance"
    )
    YearlyReport.objects.create(
        organisation=org, year=2023, submitted_on=datetime.date(2024, 3, 1), income_social_order=Decimal(4_600_000)
    )
    assert hits("self_report_mismatch") == []  # 8% apart
    YearlyReport.objects.filter(organisation=org).update(income_social_order=Decimal(2_000_000))
    found = hits("self_report_mismatch")
    assert len(found) == 1 and found[0].values["difference"] == "3000000.00"


def test_concentration_reconciles_with_raw_sql(clean):
    admin = make_administrator(code="lopsided")
    for amount in ("9000000", "500000", "300000", "100000", "100000"):
        make_award(administrator=admin, amount=amount, awarded_on=datetime.date(2024, 4, 1))
    computed = {(r["key"], r["year"]): r for r in flags.concentration_rows(by="administrator")}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ad.code, a.recipient_id, SUM(a.amount) FROM funding_award a "
            "JOIN funding_administrator ad ON ad.id = a.administrator_id "
            "WHERE a.mechanism IN ('social_order', 'state_grant', 'ngo_award') AND ad.code = 'lopsided' "
            "GROUP BY ad.code, a.recipient_id"
        )
        shares = [Decimal(str(row[2])) for row in cursor.fetchall()]
    total = sum(shares)
    expected = sum((s * 100 / total) ** 2 for s in shares)
    row = computed[("lopsided", 2024)]
    assert row["hhi"] == expected.quantize(Decimal("0.1")) and row["recipients"] == 5
    assert row["top1_share"] == Decimal("90.0") and [h.subject_key for h in hits("concentration")] == ["lopsided"]
