"""Sector summaries reproduce known shares exactly; runs swap in whole, converge, and refresh incrementally."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest

from registry.models import FieldOfActivity, Region
from registry.services import organisation_profile_update, organisation_status_record, report_submit
from scoring import services
from scoring.models import OrganisationScore, SectorSummary, StaleSummary, SummaryRun
from tests.funding.factories import make_award
from tests.registry.factories import clerk, make_organisation
from tests.scoring.conftest import YEAR, file_report

pytestmark = pytest.mark.django_db


def summary(segment: str, year: int = YEAR) -> SectorSummary:
    return SectorSummary.objects.get(run__current=True, year=year, segment=segment)


def rows() -> list[tuple]:
    """The current run's summaries without run ids or timestamps: what must be identical between runs."""
    current = SectorSummary.objects.filter(run__current=True).order_by("year", "segment")
    return [(s.year, s.segment, s.n_organisations, s.suppressed, s.data) for s in current]


def test_indicator_shares_and_csi_means_are_reproduced_exactly(population):
    services.summaries_regenerate()
    everyone = summary("all")
    assert everyone.n_organisations == 32 and not everyone.suppressed
    data = everyone.data
    assert data["indicators"]["2.1.1"] == {"value": 56.3, "n": 32}  # 18 of 32 = 56.25, half up
    assert data["indicators"]["2.2.1"] == {"value": 50.0, "n": 16}  # unknown answers are left out, not "no"
    assert data["indicators"]["2.3.1"] == {"value": None, "n": 0}
    assert data["subdimensions"]["2.1"] == 56.3 and data["subdimensions"]["2.2"] == 50.0
    assert data["subdimensions"]["2.3"] is None
    assert data["dimensions"]["2"] == 53.1  # (56.25 + 50) / 2 = 53.125, exact until rounded once
    assert data["dimensions"]["3"] is None
    assert summary("region:KZ-71").data["indicators"]["2.1.1"] == {"value": 75.0, "n": 20}
    assert summary("region:KZ-75").data["indicators"]["2.1.1"] == {"value": 25.0, "n": 12}
    assert summary("legal_form:foundation").n_organisations == 20
    assert summary("field:health").n_organisations == 32


def test_our_indicators_have_exact_quartiles(population):
    services.summaries_regenerate()
    own = summary("all").data["own"]
    assert own["QG.1"] == {"q1": 0.0, "median": 0.0, "q3": 31.0, "n": 32}  # 12 of 32 filed 31 days late
    assert own["QG.2"]["n"] == 20 and own["QG.2"]["median"] == 0.0  # one income source each
    assert summary("size:1m_10m").n_organisations == 9 and summary("size:10m_100m").n_organisations == 11
    assert summary("size:none").n_organisations == 12


def test_counts_and_funding(population):
    make_award(
        recipient=population[0], mechanism="social_order", amount="1000000", awarded_on=datetime.date(YEAR, 5, 1)
    )
    services.summaries_regenerate()
    data = summary("all").data
    assert (data["registered"], data["active"], data["reporting"], data["reporting_on_time"]) == (32, 32, 32, 20)
    assert data["funding"] == {"social_order": {"amount": "1000000.00", "awards": 1}}
    assert summary("region:KZ-75").data["funding"] == {}


def test_small_segments_are_suppressed(population):
    for _ in range(5):
        file_report(make_organisation(region="KZ-55"), has_board=True)
    services.summaries_regenerate()
    small = summary("region:KZ-55")
    assert small.suppressed and small.n_organisations == 5
    assert small.data["indicators"] is None and small.data["own"] is None
    assert small.data["registered"] == 5  # counts are not answers: they stay


def test_running_twice_gives_identical_rows(population):
    services.summaries_regenerate()
    first = rows()
    services.summaries_regenerate()
    assert rows() == first
    assert SummaryRun.objects.filter(current=True).count() == 1
    assert OrganisationScore.objects.values("run").distinct().count() == 1  # superseded rows dropped


def test_a_failed_run_leaves_the_previous_summaries_current(population):
    good = services.summaries_regenerate()
    before = rows()
    file_report(make_organisation(), year=YEAR, has_board=False)
    with (
        mock.patch.object(services, "summaries_compute", side_effect=RuntimeError("worker died")),
        pytest.raises(RuntimeError),
    ):
        services.summaries_regenerate()
    assert SummaryRun.objects.get(current=True) == good and rows() == before
    assert SummaryRun.objects.filter(status="failed").count() == 1
    assert not OrganisationScore.objects.exclude(run=good).exists()  # the failed run's rows rolled back
    services.summaries_regenerate()
    assert summary("all").n_organisations == 33  # the next run converges


def correct_report(org, django_capture_on_commit_callbacks, **values) -> None:
    """A moderator corrects the organisation's report through the service, and the change is announced."""
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(organisation=org, year=YEAR, acting_user=clerk(), values=values, source="moderator")


def test_a_changed_report_refreshes_only_its_segments_and_matches_a_full_run(
    population, django_capture_on_commit_callbacks
):
    services.summaries_regenerate()
    untouched = summary("region:KZ-71").pk
    correct_report(population[25], django_capture_on_commit_callbacks, has_board=True)  # a KZ-75 association
    assert StaleSummary.objects.filter(organisation=population[25], year=YEAR).exists()
    assert services.summaries_refresh() == 1
    assert summary("region:KZ-75").data["indicators"]["2.1.1"] == {"value": 33.3, "n": 12}
    assert summary("region:KZ-71").pk == untouched  # not recomputed
    assert not StaleSummary.objects.exists()
    incremental = rows()
    services.summaries_regenerate()
    assert rows() == incremental


def test_an_award_marks_its_recipients_year_stale(population, django_capture_on_commit_callbacks):
    services.summaries_regenerate()
    with django_capture_on_commit_callbacks(execute=True):
        make_award(
            recipient=population[0], mechanism="state_grant", amount="500000", awarded_on=datetime.date(YEAR, 6, 1)
        )
    assert StaleSummary.objects.filter(organisation=population[0], year=YEAR).exists()
    services.summaries_refresh()
    assert summary("all").data["funding"] == {"state_grant": {"amount": "500000.00", "awards": 1}}
    incremental = rows()
    services.summaries_regenerate()
    assert rows() == incremental


def test_a_change_of_region_moves_the_organisation_between_segments(population, django_capture_on_commit_callbacks):
    services.summaries_regenerate()
    org = population[0]
    with django_capture_on_commit_callbacks(execute=True):
        organisation_profile_update(
            organisation=org,
            acting_user=clerk(),
            expected_version=org.version,
            source="moderator",
            values={"region": Region.objects.get(code="KZ-75")},
        )
    services.summaries_refresh()
    assert summary("region:KZ-71").n_organisations == 19 and summary("region:KZ-75").n_organisations == 13
    assert summary("region:KZ-71").data["registered"] == 19 and summary("region:KZ-75").data["registered"] == 13
    incremental = rows()
    services.summaries_regenerate()
    assert rows() == incremental


def test_nothing_stale_or_no_run_yet_is_a_no_op(population):
    assert services.summaries_refresh() == 0  # no run yet
    services.summaries_regenerate()
    assert services.summaries_refresh() == 0


def test_incremental_equals_full_with_organisations_in_several_fields(django_capture_on_commit_callbacks):
    orgs = [
        make_organisation(fields=("health", "women") if i % 2 else ("women", "culture_education")) for i in range(12)
    ]
    for i, org in enumerate(orgs):
        file_report(org, has_board=i % 3 == 0, paid_staff=i, volunteers=1)
    services.summaries_regenerate()
    correct_report(orgs[1], django_capture_on_commit_callbacks, has_board=not orgs[1].reports.get().has_board)
    services.summaries_refresh()
    incremental = rows()
    services.summaries_regenerate()
    assert rows() == incremental
    assert summary("field:women").n_organisations == 12 and summary("field:health").n_organisations == 6


def test_fields_left_and_a_liquidation_refresh_to_what_a_full_run_gives(population, django_capture_on_commit_callbacks):
    """An organisation leaves a field and joins another, another is liquidated: the refreshed summaries (scores,
    indicators, registered and active counts of every year) equal those of a full run."""
    for org in population[:3]:  # some history, so counts differ between years
        file_report(org, year=YEAR - 1, has_board=True)
    services.summaries_regenerate()
    mover, leaver = population[1], population[2]
    with django_capture_on_commit_callbacks(execute=True):
        organisation_profile_update(
            organisation=mover,
            acting_user=clerk(),
            expected_version=mover.version,
            source="moderator",
            values={},
            fields=FieldOfActivity.objects.filter(code="women"),
        )
        organisation_status_record(
            moderator=clerk(),
            organisation=leaver,
            kind="liquidated",
            occurred_on=datetime.date(2024, 5, 1),
            legal_basis="Court No. 3",
        )
    services.summaries_refresh()
    incremental = rows()
    assert summary("field:health").n_organisations == 31 and summary("field:women").n_organisations == 1
    services.summaries_regenerate()
    assert rows() == incremental
