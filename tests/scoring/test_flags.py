"""Every red flag on constructed cases that must and must not trigger it, edges of each threshold included;
a clean data set raises none; concentration reconciles with a raw SQL computation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from math import comb

import pytest
from django.db import connection

from funding import services as funding
from funding.reference import MCI, SPLIT_THRESHOLD_MCI
from registry.models import Organisation, StatusEvent, YearlyReport
from scoring import flags
from scoring.flags import catalogue, statistics
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


def _awards_by_month(admin, year: int, months: list[int], **extra) -> None:
    for k, month in enumerate(months):
        make_award(administrator=admin, awarded_on=datetime.date(year, month, 1 + k % 27), months=1, **extra)


@pytest.fixture
def calm_year():
    """Four administrators with 12 awards each in 2022, one a month: their pooled December share is 1 in 12."""
    for code in ("a", "b", "c", "d"):
        _awards_by_month(make_administrator(code=code), 2022, list(range(1, 13)))


def test_year_end_rush_against_the_pooled_december_share(calm_year):
    rushed = make_administrator(code="rushed")
    _awards_by_month(rushed, 2022, [12] * 7 + [3, 4, 5])  # 7 of 10 in December
    found = hits("year_end_rush")
    assert [(h.subject_key, h.year) for h in found] == [("rushed", 2022)]
    values = found[0].values
    assert (values["awards"], values["awards_december"], values["awards_share"]) == (10, 7, "0.7000")
    assert values["awards_pooled_share"] == "0.0833"  # the four others: 4 of 48
    assert values["awards_p_value"] < 0.001 and values["fired_on"] == "awards"


def test_four_of_ten_in_december_is_not_yet_beyond_chance(calm_year):
    """4 of 10 against the others' 4 of 48: p = 0.006, above the 0.001 level, although the shares pass."""
    _awards_by_month(make_administrator(code="busy"), 2022, [12] * 4 + [3, 4, 5, 6, 7, 8])
    assert hits("year_end_rush") == []


def test_one_december_award_is_not_a_rush_whatever_the_others_do():
    """Issue 15: with most administrators at 0 in December, the quartile fence was 0 and one award fired."""
    for code in ("a", "b", "c", "d", "e"):
        _awards_by_month(make_administrator(code=code), 2012, [3, 4, 5, 6, 7, 8, 9, 10, 11, 10])
    _awards_by_month(make_administrator(code="one"), 2012, [12, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    assert hits("year_end_rush") == []


def test_year_end_rush_needs_the_minimum_number_of_awards(calm_year):
    small = make_administrator(code="small")
    _awards_by_month(small, 2022, [12] * 7 + [3, 4])  # 7 of 9: fewer than RUSH_MIN_EVENTS
    assert hits("year_end_rush") == []
    _awards_by_month(small, 2022, [6])  # the tenth
    assert [h.subject_key for h in hits("year_end_rush")] == ["small"]


def test_year_end_rush_needs_the_minimum_share_and_margin():
    """Each condition on its own, with counts large enough for the binomial test to pass."""
    from scoring.flags.administrators import rush_test

    assert rush_test(december=29, events=100, pooled=Decimal("0.05")) is None  # 29% < the 30% minimum share
    assert rush_test(december=30, events=100, pooled=Decimal("0.05")) is not None
    assert rush_test(december=40, events=100, pooled=Decimal("0.26")) is None  # 14 points above: < 15
    assert rush_test(december=41, events=100, pooled=Decimal("0.26")) is not None
    assert rush_test(december=3, events=9, pooled=Decimal("0.01")) is None  # fewer than 10 events
    assert rush_test(december=3, events=10, pooled=Decimal("0.0833")) is None  # shares pass; p about 0.05


def test_year_end_rush_counts_completions_in_december(calm_year):
    """Projects of the four calm administrators end a month after their start; one administrator's projects all
    end in December, though it awards them through the year."""
    closing = make_administrator(code="closing")
    for month in range(1, 12):
        make_award(
            administrator=closing,
            awarded_on=datetime.date(2022, month, 1),
            starts_on=datetime.date(2022, month, 2),
            ends_on=datetime.date(2022, 12, 20),
        )
    found = hits("year_end_rush")
    assert [h.subject_key for h in found] == ["closing"]
    assert found[0].values["fired_on"] == "completions" and found[0].values["completions_december"] == 11


def test_binomial_upper_tail_on_plain_values():
    assert statistics.binomial_upper_tail(0, 10, 0.3) == 1.0
    assert statistics.binomial_upper_tail(11, 10, 0.3) == 0.0
    assert statistics.binomial_upper_tail(10, 10, 0.5) == pytest.approx(0.5**10)
    assert statistics.binomial_upper_tail(1, 2, 0.5) == pytest.approx(0.75)
    exact = sum(Fraction(comb(40, i)) * Fraction(1, 10) ** i * Fraction(9, 10) ** (40 - i) for i in range(9, 41))
    assert statistics.binomial_upper_tail(9, 40, 0.1) == pytest.approx(float(exact), rel=1e-9)
    assert 0 <= statistics.binomial_upper_tail(900, 5000, 0.05) < 1e-100  # large n: no overflow


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


def test_double_funding_needs_the_same_region_of_the_award():
    """Issue 15: "same field" alone fired ~800 times on the demo; DOMAIN §5 asks for a similar project."""
    org = make_organisation()
    one, two = make_administrator(code="one"), make_administrator(code="two")
    make_award(recipient=org, administrator=one, awarded_on=datetime.date(2023, 1, 10), region="KZ-55")
    make_award(recipient=org, administrator=two, awarded_on=datetime.date(2023, 2, 10), region="KZ-71")
    assert hits("double_funding") == []
    make_award(recipient=org, administrator=two, awarded_on=datetime.date(2023, 3, 10), region=None)
    assert hits("double_funding") == []  # a missing region matches nothing


@pytest.mark.parametrize(
    ("other", "fires"), [("2000000", True), ("2000001", False), ("500000", True), ("499999", False)]
)
def test_double_funding_needs_comparable_amounts(other, fires):
    org = make_organisation()
    one, two = make_administrator(code="one"), make_administrator(code="two")
    make_award(recipient=org, administrator=one, amount="1000000", awarded_on=datetime.date(2023, 1, 10))
    make_award(recipient=org, administrator=two, amount=other, awarded_on=datetime.date(2023, 2, 10))
    found = hits("double_funding")
    assert len(found) == (2 if fires else 0)
    if fires:
        assert {h.values["amount_ratio"] for h in found} == {"0.5000"}
        assert found[0].values["min_amount_ratio"] == str(catalogue.DOUBLE_FUNDING_AMOUNT_RATIO)


def test_price_outlier_leaves_out_lots_shared_by_several_winners():
    """Issue 15: state-grant theme lots carry one plan for several winners, so each winner's amount looked like
    heavy dumping against it."""
    admin = make_administrator()
    for i, ratio in enumerate(["0.95", "0.97", "0.98", "1.00", "0.96", "0.99"]):
        competition, (lot,) = make_competition(admin, year=2023)
        make_award(
            administrator=admin,
            competition=competition,
            lot=lot,
            amount=str(Decimal("1200000") * Decimal(ratio)),
            awarded_on=datetime.date(2023, 3, 1 + i),
        )
    competition, (shared,) = make_competition(admin, year=2023)
    for day in (10, 11):
        make_award(
            administrator=admin,
            competition=competition,
            lot=shared,
            amount="480000",
            awarded_on=datetime.date(2023, 3, day),
        )
    assert hits("price_outlier") == []


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


# ---------------------------------------------------------------- issue 15: flags that fire on signal


def test_concentration_needs_five_recipients_since_four_are_concentrated_by_arithmetic():
    admin = make_administrator(code="four")
    recipients = [make_organisation() for _k in range(4)]
    for k in range(5):  # four recipients, one of them twice: HHI 2,800 whatever else
        make_award(recipient=recipients[k % 4], administrator=admin, awarded_on=datetime.date(2024, 4, 1))
    row = next(r for r in flags.concentration_rows(by="administrator") if r["key"] == "four")
    assert (row["awards"], row["recipients"], row["hhi"]) == (5, 4, Decimal("2800.0"))
    assert hits("concentration") == []


def test_concentration_with_five_recipients_shows_the_applicants():
    admin = make_administrator(code="five")
    _competition, (lot,) = make_competition(admin, year=2024)
    applicants = [make_organisation() for _k in range(3)]
    for org in applicants:
        funding.application_create(acting_user=clerk(), lot=lot, applicant=org)
    for amount in ("9000000", "500000", "300000", "100000", "100000"):
        make_award(administrator=admin, amount=amount, awarded_on=datetime.date(2024, 4, 1))
    (hit,) = hits("concentration")
    assert hit.values["recipients"] == 5 and hit.values["applicants"] == 3
    assert hit.values["hhi_threshold"] == 2500 and hit.values["min_recipients"] == 5


def test_single_applicant_does_not_count_withdrawn_applications(clean):
    admin = make_administrator(code="third")
    competition, (lot,) = make_competition(admin, year=2024)
    funding.application_create(acting_user=clerk(), lot=lot, applicant=clean[0])
    funding.application_create(acting_user=clerk(), lot=lot, applicant=clean[1], outcome="withdrawn")
    found = hits("single_applicant")
    assert [h.subject_key for h in found] == [competition.public_id]
    assert (found[0].values["applications"], found[0].values["withdrawn"], found[0].values["admissible"]) == (2, 1, 1)


def test_the_mci_covers_every_year_from_2003_with_its_law():
    from funding.reference import MCI_LAWS, split_threshold

    assert set(MCI) == set(range(2003, 2027)) == set(MCI_LAWS)
    assert (MCI[2003], MCI[2009], MCI[2016]) == (872, 1273, 2121)
    assert all(MCI[year] < MCI[year + 1] for year in range(2003, 2026))
    assert split_threshold(2009) == Decimal(SPLIT_THRESHOLD_MCI * 1273)


def test_threshold_splitting_before_2017_is_checked():
    """Issue 15: the MCI table began in 2017, so earlier awards were skipped without a word."""
    admin = make_administrator()
    org = make_organisation(registered_on=datetime.date(2005, 1, 1))
    just_under = (Decimal(SPLIT_THRESHOLD_MCI * MCI[2009]) * Decimal("0.95")).quantize(Decimal(1))
    for day in (1, 20):
        make_award(recipient=org, administrator=admin, amount=str(just_under), awarded_on=datetime.date(2009, 6, day))
    found = hits("threshold_splitting")
    assert len(found) == 2 and found[0].values["mci"] == 1273 and found[0].values["threshold_mci"] == 4000


def _dumped(admin, *, ratio: str, year: int = 2020, mechanism: str = "social_order", announced=None):
    competition, (lot,) = make_competition(admin, year=year, mechanism=mechanism)
    if announced:
        type(competition).objects.filter(pk=competition.pk).update(
            announced_on=announced, deadline_on=None, decided_on=None
        )
    return make_award(
        administrator=admin,
        competition=competition,
        lot=lot,
        mechanism=mechanism,
        amount=str(Decimal("1200000") * Decimal(ratio)),
        awarded_on=datetime.date(year, 3, 1),
    )


def test_price_dumping_below_eighty_percent_of_the_plan():
    admin = make_administrator()
    below = _dumped(admin, ratio="0.79")
    _dumped(admin, ratio="0.80")  # at the limit: not
    found = hits("price_dumping")
    assert [h.subject_key for h in found] == [below.public_id]
    assert (found[0].values["ratio"], found[0].values["planned"], found[0].values["cap"]) == (
        "0.7900",
        "1200000.00",
        "0.20",
    )


def test_price_dumping_uses_the_amount_as_awarded_not_as_amended():
    admin = make_administrator()
    award = _dumped(admin, ratio="0.50")
    funding.award_amend(
        acting_user=clerk(),
        award=award,
        field_name="amount",
        new_value="1200000",
        reason="re-scoped",
        amended_on=datetime.date(2020, 6, 1),
    )
    assert [h.subject_key for h in hits("price_dumping")] == [award.public_id]


def test_price_dumping_only_for_social_order_since_the_2015_reform():
    admin = make_administrator()
    _dumped(admin, ratio="0.50", year=2015, announced=datetime.date(2015, 12, 1))  # the day before the reform
    _dumped(admin, ratio="0.50", mechanism="state_grant")
    assert hits("price_dumping") == []
    reformed = _dumped(admin, ratio="0.50", year=2016, announced=datetime.date(2015, 12, 2))
    assert [h.subject_key for h in hits("price_dumping")] == [reformed.public_id]


def test_charter_mismatch_when_the_award_field_is_not_among_the_recipients():
    admin = make_administrator()
    outside = make_award(
        administrator=admin, recipient=make_organisation(fields=("health", "women")), field="children_youth"
    )
    make_award(administrator=admin, recipient=make_organisation(fields=("children_youth",)), field="children_youth")
    make_award(
        administrator=admin, recipient=make_organisation(fields=()), field="children_youth"
    )  # no fields: not judged
    make_award(administrator=admin, recipient=make_organisation(fields=("health",)), field=None)
    found = hits("charter_mismatch")
    assert [h.subject_key for h in found] == [outside.public_id]
    assert found[0].values == {"field": "children_youth", "recipient_fields": ["health", "women"]}


# ---------------------------------------------------------------- figures as people read them


def test_every_figure_a_finder_stores_has_a_label():
    """Each rule lists every value key its hits carry (pages show labels, never keys)."""
    rush_admin = make_administrator(code="r")
    _awards_by_month(rush_admin, 2022, [12] * 9 + [3])
    for code in ("a", "b", "c"):
        _awards_by_month(make_administrator(code=code), 2022, list(range(1, 13)))
    _dumped(make_administrator(), ratio="0.5")
    make_award(recipient=make_organisation(fields=("women",)), field="children_youth")
    found = [h for code in flags.FLAG_FINDERS for h in hits(code)]
    assert {h.code for h in found} >= {"year_end_rush", "price_dumping", "charter_mismatch"}
    for hit in found:
        assert set(hit.values) <= set(flags.RULES[hit.code].figures), hit.code


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("percent", "0E-7", "0.0%"),  # issue 15: a fence shown as "0E-7"
        ("percent", "0.5500", "55.0%"),
        ("percent100", "90.0", "90.0%"),
        ("kzt", "3884000.00", "3,884,000"),
        ("count", 1234, "1,234"),
        ("p_value", 1.2e-9, "< 0.0001"),
        ("p_value", 0.0026, "0.0026"),
        ("measure", "awards+completions", "awards made, projects completed"),
        ("field", "children_youth", None),
        ("count_or_unknown", None, "not recorded"),
    ],
)
def test_figures_are_formatted_by_kind(kind, value, shown):
    from scoring.flags.figures import figure_text

    text = figure_text(kind, value)
    if shown is None:
        assert text != value and text  # a name, not the code
    else:
        assert text == shown
