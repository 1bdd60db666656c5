"""The explorer's rollup (funding/rollups.py): moved by the change events as people change awards, equal to a full
rebuild and to counting the awards, and read with a number of queries that does not grow with the awards.

The demo tests come last: their module-scoped demo stays in the database until the module ends."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.http import QueryDict
from django.urls import reverse

from api import planner
from funding import selectors, services
from funding.models import (
    ActiveYearRecipients,
    AdministratorYearRecipients,
    Award,
    AwardCell,
    AwardPeriodCell,
    GroupRecipients,
    RecipientCell,
    RecipientShare,
    RecipientTotal,
    RollupState,
    YearRecipients,
)
from funding.rollups import MARGINS, PERIOD_MARGINS, funding_rollups_rebuild, funding_rollups_refresh
from funding.selectors import funding_explorer, rollup_current
from registry import services as registry_services
from registry.models import Merge
from tests.funding.factories import clerk, make_administrator, make_award

pytestmark = pytest.mark.django_db
EXPLORER = reverse("funding:explorer")


def _figures(query: str = "") -> tuple:
    """Every figure the explorer shows for a query (not its list of awards)."""
    result = funding_explorer(QueryDict(query), 1)
    rows = [
        [(r.key, r.total, r.count) for r in table]
        for table in (result.by_mechanism, result.by_administrator, result.by_region, result.by_field)
    ]
    years = [(r.year, r.total, r.republican, r.local, r.count, r.recipients) for r in result.by_year]
    top = [(r.org_id, r.total, r.count) for r in result.top_recipients]
    return (result.total, result.count, result.recipients, years, *rows, top)


def _counted_from_awards(query: str = "") -> tuple:
    """The same figures counted from the awards themselves, as the explorer does without a rollup."""
    cells = selectors._rollup_cells
    selectors._rollup_cells = lambda filterset: None
    try:
        return _figures(query)
    finally:
        selectors._rollup_cells = cells


def _funder(code: str) -> tuple:
    page = selectors.funder_page(code)
    years = [(r.year, r.total, r.republican, r.local, r.count, r.recipients) for r in page.by_year]
    mechanisms = [(r.key, r.total, r.count) for r in page.by_mechanism]
    return (page.total, page.count, years, mechanisms, [(r.org_id, r.total, r.count) for r in page.top_recipients])


def _funder_from_awards(code: str, monkeypatch) -> tuple:
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "rollup_current", lambda: False)
        return _funder(code)


def _cells() -> tuple[set, ...]:
    keys = ("year", "mechanism", "administrator_id", "region_id", "field_id", "amount", "awards")
    return (
        set(AwardCell.objects.values_list(*keys)),
        set(AwardPeriodCell.objects.values_list("start_year", "end_year", *keys)),
        set(RecipientCell.objects.values_list("recipient_id", "start_year", "end_year", *keys)),
        set(RecipientTotal.objects.values_list("recipient_id", "amount")),
        RollupState.objects.values_list("longest_activity", flat=True).get(),
        set(YearRecipients.objects.values_list("year", "recipients")),
        *(
            set(margin.objects.values_list("year", "mechanism", column, "amount", "awards"))
            for margin, column in MARGINS
        ),
        set(RecipientShare.objects.values_list("kind", "key", "recipient_id", "amount")),
        set(ActiveYearRecipients.objects.values_list("active_year", "year", "recipients")),
        set(AdministratorYearRecipients.objects.values_list("administrator_id", "year", "recipients")),
        set(GroupRecipients.objects.values_list("mechanism", "region", "year", "recipients")),
        *(
            set(margin.objects.values_list("year", "mechanism", column, "start_year", "end_year", "amount", "awards"))
            for margin, column in PERIOD_MARGINS
        ),
    )


@pytest.fixture
def built():
    """Two awards to two recipients, the rollup built over them."""
    department = make_administrator(code="dept")
    first = make_award(administrator=department, amount="1000000", awarded_on=datetime.date(2020, 3, 1))
    second = make_award(administrator=department, amount="500000", awarded_on=datetime.date(2021, 4, 1))
    funding_rollups_rebuild()
    return {"department": department, "first": first, "second": second}


@pytest.mark.parametrize(
    ("query", "summed"),
    [
        ("", {"totals": "AdministratorMargin", "region": "RegionMargin", "field": "FieldMargin"}),
        ("year_from=2020&mechanism=state_grant", {"totals": "AdministratorMargin", "region": "RegionMargin"}),
        ("budget=local", {"totals": "AdministratorMargin", "region": "AwardCell", "field": "AwardCell"}),
        ("region=KZ-75", {"totals": "AwardCell", "region": "RegionMargin", "field": "AwardCell"}),
        ("field=health", {"totals": "AwardCell", "region": "AwardCell", "field": "FieldMargin"}),
        ("region=KZ-75&field=health", {"totals": "AwardCell", "region": "AwardCell", "field": "AwardCell"}),
        (
            "active_from=2020-01-01",
            {"totals": "AdministratorPeriodMargin", "region": "RegionPeriodMargin", "field": "FieldPeriodMargin"},
        ),
        (
            "active_from=2020-01-01&active_to=2021-12-31&region=KZ-75",
            {"totals": "AwardPeriodCell", "region": "RegionPeriodMargin", "field": "AwardPeriodCell"},
        ),
        ("active_from=2020-01-01&budget=local", {"totals": "AdministratorPeriodMargin", "field": "AwardPeriodCell"}),
    ],
)
def test_each_part_sums_the_fewest_rows_that_answer_it(built, query, summed):
    filterset = selectors.AwardFilter(QueryDict(query), queryset=Award.objects.all())
    cells, _recipients = selectors._rollup_cells(filterset)
    views = selectors._margins(filterset, cells)
    assert {part: views[part].model.__name__ for part in summed} == summed


def test_the_explorer_reads_the_rollup_once_built(built):
    assert rollup_current()
    cells = selectors._rollup_cells(selectors.AwardFilter(QueryDict(""), queryset=Award.objects.all()))
    assert cells is not None and cells[0].model is AwardCell
    assert _figures()[:3] == (Decimal("1500000"), 2, 2)


def test_a_new_award_moves_the_explorer_without_a_rebuild(built, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_award(
            recipient=built["first"].recipient,
            administrator=built["department"],
            amount="250000",
            awarded_on=datetime.date(2021, 6, 1),
        )
    assert rollup_current()
    assert _figures()[:3] == (Decimal("1750000"), 3, 2)
    by_year = {row[0]: row for row in _figures()[3]}
    assert by_year[2021][1:] == (Decimal("750000"), Decimal(0), Decimal("750000"), 2, 2)
    assert _figures("year_from=2021")[:3] == (Decimal("750000"), 2, 2)
    assert _figures() == _counted_from_awards()


def test_an_amended_amount_moves_the_explorer_without_a_rebuild(built, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.award_amend(
            award=built["first"],
            field_name="amount",
            new_value="400000",
            reason="budget cut",
            amended_on=datetime.date(2020, 9, 1),
            acting_user=clerk(),
        )
    assert rollup_current()
    figures = _figures()
    assert figures[:2] == (Decimal("900000"), 2)
    assert figures[-1][0] == (built["second"].recipient.org_id, Decimal("500000"), 1)  # now the larger
    assert figures == _counted_from_awards()


def test_a_terminated_award_keeps_its_money_in_the_explorer(built, django_capture_on_commit_callbacks):
    """A terminated (withdrawn) award stays among the awards the explorer counts, as its amount stays awarded;
    only an amendment of its amount moves the figures."""
    with django_capture_on_commit_callbacks(execute=True):
        services.award_status_record(
            award=built["first"],
            kind=Award.Status.TERMINATED,
            occurred_on=datetime.date(2020, 5, 1),
            reason="the organisation withdrew",
            acting_user=clerk(),
        )
    assert rollup_current()
    assert _figures()[:3] == (Decimal("1500000"), 2, 2)
    assert _figures() == _counted_from_awards()


def test_a_merge_and_its_undo_move_the_recipients(built, moderator, django_capture_on_commit_callbacks):
    survivor, duplicate = built["first"].recipient, built["second"].recipient
    with django_capture_on_commit_callbacks(execute=True):
        merge = registry_services.organisation_merge(
            survivor=survivor, merged=duplicate, moderator=moderator, reason="same papers"
        )
    assert rollup_current()
    figures = _figures()
    assert figures[2] == 1 and figures[-1] == [(survivor.org_id, Decimal("1500000"), 2)]
    assert figures == _counted_from_awards()
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.organisation_unmerge(merge=Merge.objects.get(pk=merge.pk), moderator=moderator)
    figures = _figures()
    assert figures[2] == 2 and len(figures[-1]) == 2
    assert figures == _counted_from_awards()


def test_a_new_award_moves_the_funder_page_without_a_rebuild(built, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_award(administrator=built["department"], amount="99", awarded_on=datetime.date(2022, 2, 2))
    assert rollup_current()
    assert _funder("dept")[:2] == (Decimal("1500099"), 3)
    assert _funder("dept") == _funder_from_awards("dept", monkeypatch)


def test_a_rebuild_finds_what_the_events_made(built, django_capture_on_commit_callbacks):
    other = make_administrator(code="ministry", kind="central_ministry", region=None)
    with django_capture_on_commit_callbacks(execute=True):
        third = make_award(administrator=other, amount="70000", field="culture_education", region="KZ-75")
        make_award(recipient=third.recipient, administrator=other, amount="30000", awarded_on=datetime.date(2019, 1, 9))
        services.award_amend(
            award=built["second"],
            field_name="amount",
            new_value="450000",
            reason="savings",
            amended_on=datetime.date(2021, 9, 1),
            acting_user=clerk(),
        )
    incremental = _cells()
    assert rollup_current() and len(incremental[0]) == len(incremental[1]) == 4 and len(incremental[3]) == 3
    funding_rollups_rebuild()
    assert _cells() == incremental


@pytest.mark.parametrize("per_query", [200, 1])
def test_a_refresh_moves_an_award_out_of_its_old_cells_and_margins(built, monkeypatch, per_query):
    """An award moved to another region, field and administrator leaves its old cells and margin rows (and
    the refresh reads and rewrites the touched keys in statements of at most KEYS_PER_QUERY keys)."""
    monkeypatch.setattr(planner, "KEYS_PER_QUERY", per_query)
    other = make_administrator(code="ministry", kind="central_ministry", region=None)
    award = built["first"]
    Award.objects.filter(pk=award.pk).update(region="KZ-11", field="culture_education", administrator=other)
    funding_rollups_refresh([award.recipient_id])
    refreshed = _cells()
    assert any(row[2] == other.pk for row in refreshed[6])  # AdministratorMargin
    funding_rollups_rebuild()
    assert _cells() == refreshed


def _group(query: str) -> tuple[str, str] | None:
    """The GroupRecipients group the explorer reads for a query (None: it counts the recipient cells)."""
    filterset = selectors.AwardFilter(QueryDict(query), queryset=Award.objects.all())
    assert filterset.is_valid()
    others = {k for k, v in filterset.form.cleaned_data.items() if v and k != "region_view"}
    return selectors._recipient_group(filterset, others)


def test_the_groups_recipients_follow_awards_that_move_between_groups(built, django_capture_on_commit_callbacks):
    """GroupRecipients are kept by adding each recipient's joining and leaving: equal to a rebuild and to counting
    the awards, as awards move between mechanisms and regions, lose their region, or their recipient's last award
    leaves a group (whose row goes)."""
    first, second = built["first"], built["second"]
    with django_capture_on_commit_callbacks(execute=True):
        extra = make_award(recipient=first.recipient, administrator=built["department"], region=None, amount="10")
    Award.objects.filter(pk=second.pk).update(mechanism="state_grant", region="KZ-11")
    funding_rollups_refresh([second.recipient_id])
    Award.objects.filter(pk=first.pk).update(region=None)
    funding_rollups_refresh([first.recipient_id])
    refreshed = _cells()
    groups = set(GroupRecipients.objects.values_list("mechanism", "region", "year", "recipients"))
    assert ("state_grant", "KZ-11", 0, 1) in groups
    assert not any(region == first.region_id for _m, region, _y, _n in groups)  # left by its only recipient
    for query in (
        "mechanism=state_grant",
        "region=KZ-11",
        f"mechanism={extra.mechanism}",
        "mechanism=state_grant&region=KZ-11",
    ):
        assert _group(query)
        assert _figures(query) == _counted_from_awards(query)
    funding_rollups_rebuild()
    assert _cells() == refreshed


@pytest.mark.parametrize(
    ("query", "group"),
    [
        ("mechanism=social_order", ("social_order", "")),
        ("region=KZ-75", ("", "KZ-75")),
        ("mechanism=state_grant&region=KZ-11", ("state_grant", "KZ-11")),
        ("mechanism=state_grant&mechanism=social_order", None),  # a union of groups: counted
        ("region=KZ-75&region=KZ-11", None),
        ("mechanism=state_grant&year_from=2020", None),  # a range of years: counted
        ("", None),  # every award: RecipientTotal and YearRecipients
    ],
)
def test_one_mechanism_or_region_alone_reads_its_group(built, query, group):
    assert _group(query) == group


def test_an_award_written_without_announcement_sends_the_explorer_back_to_the_awards(built):
    """An award the events did not carry (written in bulk, or its announcement lost) is counted all the same:
    until the next rebuild the explorer counts the awards."""
    make_award(administrator=built["department"], amount="1")  # its announcement is never sent: no commit
    assert not rollup_current()
    assert _figures()[:3] == (Decimal("1500001"), 3, 3)
    funding_rollups_rebuild()
    assert rollup_current() and _figures()[:3] == (Decimal("1500001"), 3, 3)


def test_the_nightly_summaries_run_rebuilds_the_rollup(built):
    """The safety net: awards written unannounced (a bulk load, a restore) or cells emptied by a migration are
    counted again by the nightly run, and the explorer reads the cells again."""
    from scoring.services import summaries_regenerate

    make_award(administrator=built["department"], amount="1")  # never announced: no commit
    RollupState.objects.update(awards_through=None)
    assert not rollup_current()
    summaries_regenerate()
    assert rollup_current() and _figures()[:3] == (Decimal("1500001"), 3, 3)


def test_filters_the_rollup_can_not_express_count_the_awards(built):
    filterset = selectors.AwardFilter(QueryDict("amount_min=600000"), queryset=Award.objects.all())
    assert selectors._rollup_cells(filterset) is None
    assert _figures("amount_min=600000")[:3] == (Decimal("1000000"), 1, 1)
    for days in ("active_from=2021-03-01", "active_to=2021-12-30", "active_from=2021-01-01&active_to=2021-06-30"):
        active = selectors.AwardFilter(QueryDict(days), queryset=Award.objects.all())
        assert selectors._rollup_cells(active) is None, days
    social = selectors.AwardFilter(QueryDict("mechanism=social_order"), queryset=Award.objects.all())
    assert selectors._rollup_cells(social) is not None


def test_whole_years_of_activity_are_sums_of_cells(built, django_capture_on_commit_callbacks):
    """An award is active from its start (else the day it was awarded) to its end (else that day): the cells keep
    those years, so active_from on 1 January and active_to on 31 December need no counting, and equal it."""
    with django_capture_on_commit_callbacks(execute=True):
        make_award(
            administrator=built["department"],
            amount="250000",
            awarded_on=datetime.date(2019, 11, 20),
            starts_on=datetime.date(2020, 1, 10),
            ends_on=datetime.date(2022, 6, 30),
        )
    assert rollup_current()
    queries = [
        "active_from=2022-01-01",
        "active_to=2019-12-31",  # awarded in 2019, but it starts in 2020
        "active_from=2020-01-01&active_to=2020-12-31",
        "active_from=2021-01-01&active_to=2021-12-31",
        "active_from=2023-01-01",
    ]
    for query in queries:
        filterset = selectors.AwardFilter(QueryDict(query), queryset=Award.objects.all())
        cells = selectors._rollup_cells(filterset)
        assert cells is not None and cells[0].model is AwardPeriodCell, query
        assert _figures(query) == _counted_from_awards(query), query
    assert _figures("active_to=2019-12-31")[:3] == (Decimal(0), 0, 0)
    assert _figures("active_from=2020-01-01&active_to=2020-12-31")[:3] == (Decimal("1250000"), 2, 2)
    assert _figures("active_from=2022-01-01")[:3] == (Decimal("250000"), 1, 1)
    assert _figures("active_from=2021-01-01&active_to=2021-12-31")[:3] == (Decimal("750000"), 2, 2)


def test_each_recipient_has_a_share_for_every_year_its_awards_are_active(built, django_capture_on_commit_callbacks):
    """RecipientShare of kind "active_year": a recipient's awards active in that year, the bound under a period of
    activity of one whole year; kept by the events as a rebuild writes it."""
    with django_capture_on_commit_callbacks(execute=True):
        long = make_award(
            recipient=built["first"].recipient,
            administrator=built["department"],
            amount="250000",
            awarded_on=datetime.date(2019, 11, 20),
            starts_on=datetime.date(2020, 1, 10),
            ends_on=datetime.date(2022, 6, 30),
        )
    shares = RecipientShare.objects.filter(kind=RecipientShare.Kind.ACTIVE_YEAR)
    assert dict(shares.filter(recipient=long.recipient).values_list("key", "amount")) == {
        "2020": Decimal("1250000"),  # the award of 2020 (awarded, no dates of activity) and the long one
        "2021": Decimal("250000"),
        "2022": Decimal("250000"),
    }
    assert dict(shares.filter(recipient=built["second"].recipient).values_list("key", "amount")) == {
        "2021": Decimal("500000")
    }
    ranking = selectors.share_ranking(active_years=[2021])
    assert list(ranking) == [(built["second"].recipient_id, Decimal("500000")), (long.recipient_id, Decimal("250000"))]
    assert selectors.share_ranking(active_years=[2020, 2021]) is None  # two years: no one share bounds them
    before = _cells()
    funding_rollups_rebuild()
    assert _cells() == before


def test_the_top_recipients_are_looked_for_among_those_with_most_money(built, monkeypatch):
    """Among the recipients with most money overall while the bound closes; grouping every cell otherwise."""
    monkeypatch.setattr(selectors, "GROUP_AT_MOST", 0)
    monkeypatch.setattr(selectors, "LEADER_DEPTHS", (1,))
    first, second = built["first"].recipient, built["second"].recipient
    cells = selectors._rollup_cells(selectors.AwardFilter(QueryDict(""), queryset=Award.objects.all()))
    assert cells is not None
    recipients = cells[1]
    assert selectors._leaders(recipients, 1) == [{"recipient_id": first.pk, "total": Decimal("1000000"), "n": 1}]
    assert selectors._leaders(recipients.filter(year=2021), 1) is None  # the leader got nothing in 2021
    assert _figures("year_from=2021")[-1] == [(second.org_id, Decimal("500000"), 1)]
    assert _figures("year_from=2021") == _counted_from_awards("year_from=2021")


def _queries(client, django_assert_max_num_queries, params: dict) -> int:
    with django_assert_max_num_queries(20) as captured:
        assert client.get(EXPLORER, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "params", [{}, {"mechanism": "social_order", "year_from": "2020"}, {"administrator": "dept", "region": "KZ-55"}]
)
def test_the_explorer_query_count_does_not_grow_with_the_awards(
    anonymous, built, warm_caches, django_capture_on_commit_callbacks, django_assert_max_num_queries, params
):
    warm_caches()
    few = _queries(anonymous, django_assert_max_num_queries, params)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(30):
            make_award(
                recipient=built["first"].recipient if n % 2 else None,
                administrator=built["department"],
                amount=str(1000 + n),
                awarded_on=datetime.date(2015 + n % 8, 3, 1),
            )
    assert rollup_current()
    assert _queries(anonymous, django_assert_max_num_queries, params) == few


# ---------------------------------------------------------------- on the demo (a tenth of national size)


def _empty_demo() -> None:
    from tests.reconciliation.conftest import _empty

    _empty()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=2230, seed=11, verbosity=0)
        funding_rollups_rebuild()
        yield
        _empty_demo()


DEMO_QUERIES = [
    "",
    "mechanism=social_order",
    "mechanism=state_grant&mechanism=ngo_award&year_from=2018&year_to=2021",
    "region=KZ-71&region=KZ-75&field=children_youth&field=health",
    "budget=local&year_from=2017",
    "budget=republican&mechanism=social_order",
    "region_view=today",
    "region_view=today&region=KZ-63",
    "administrator=akimat-kz-75&year_from=2017",
    "active_from=2019-01-01&active_to=2019-12-31",  # one year of activity: its shares rank the recipients
    "active_from=2020-01-01&active_to=2020-12-31&mechanism=social_order&budget=local",
    "active_from=2018-01-01&active_to=2019-12-31",
    "active_from=2016-01-01&mechanism=state_grant",
    "active_to=2012-12-31&region_view=today",
    "active_from=2019-03-15&active_to=2019-12-31",  # counted from the awards (a day inside the year)
    # Each margin alone under its own dimension's filter, the others summing the cells.
    "field=health&year_to=2020",
    "mechanism=social_order&region=KZ-75",  # one group: GroupRecipients
    "mechanism=state_grant",
    "region=KZ-63",
    "region_view=today&region=KZ-75&mechanism=ngo_award",
    "mechanism=state_grant&mechanism=ngo_award&region=KZ-75",
    "administrator=akimat-kz-75&mechanism=social_order",
    "region_view=today&region=KZ-63&year_from=2016",
]


@pytest.mark.parametrize("query", DEMO_QUERIES)
def test_the_rollup_equals_counting_the_awards_on_the_demo(demo, query):
    assert rollup_current()
    assert _figures(query) == _counted_from_awards(query)


@pytest.mark.parametrize("depths", [(1,), (1, 3), (10, 100)])
@pytest.mark.parametrize("query", DEMO_QUERIES)
def test_the_top_recipients_among_the_leaders_equal_grouping_on_the_demo(demo, monkeypatch, depths, query):
    monkeypatch.setattr(selectors, "GROUP_AT_MOST", 0)
    monkeypatch.setattr(selectors, "LEADER_DEPTHS", depths)
    assert _figures(query) == _counted_from_awards(query)


def test_the_funder_pages_from_the_rollup_equal_counting_the_awards_on_the_demo(demo, monkeypatch):
    busiest = (
        Award.objects.values_list("administrator__code").annotate(n=Count("id")).order_by("-n", "administrator__code")
    )
    for code in ["akimat-kz-75", *(code for code, _n in busiest[:3])]:
        assert _funder(code) == _funder_from_awards(code, monkeypatch)


def test_a_recipient_filter_reads_its_own_cells_on_the_demo(demo):
    recipient = Award.objects.order_by("-amount", "pk").first().recipient
    query = f"recipient={recipient.org_id}&year_from=2015"
    assert _figures(query) == _counted_from_awards(query)


def test_the_rebuild_counts_every_demo_award_once(demo):
    awards = Award.objects.aggregate(n=Count("id"), total=Sum("amount"))
    for cells in (AwardCell.objects, AwardPeriodCell.objects, RecipientCell.objects):
        assert cells.aggregate(n=Sum("awards"), total=Sum("amount")) == awards
    assert RollupState.objects.get().awards_through == Award.objects.order_by("-pk").first().pk
