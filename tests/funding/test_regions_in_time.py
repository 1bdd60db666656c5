"""Regions in time (issue 15, docs/regions.md): a record names the region of its date, in the forms, the
services, the API and imports; the explorer counts awards under the regions as they were or under today's."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from funding import services
from funding.forms import AwardForm, LotForm
from funding.importers import AwardImporter
from funding.models import Award, Competition, Lot
from imports.engine import run_import
from registry.models import Region
from registry.selectors import region_problem, region_succession
from tests.funding.factories import clerk, make_administrator, make_award
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
EXPLORER = reverse("funding:explorer")
ABAI_IN_2009 = (
    "KZ-10 Abai Region did not exist on 2009-05-01; the unit then was KZ-VOS East Kazakhstan Region (before 2022)."
)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


@pytest.fixture
def veteran():
    """An NGO registered long before the 2018 and 2022 reforms."""
    return make_organisation(fields=("health",), registered_on=datetime.date(2005, 1, 10))


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("code", "day", "problem"),
    [
        ("KZ-10", datetime.date(2009, 5, 1), ABAI_IN_2009),
        ("KZ-VOS", datetime.date(2009, 5, 1), None),
        ("KZ-10", datetime.date(2023, 1, 1), None),
        ("KZ-10", datetime.date(2022, 6, 8), None),  # the day of the reform: the new unit
        ("KZ-VOS", datetime.date(2022, 6, 7), None),  # the day before it: the old one
        (
            "KZ-VOS",
            datetime.date(2022, 6, 8),
            "KZ-VOS East Kazakhstan Region (before 2022) no longer existed on 2022-06-08; the units then were "
            "KZ-10 Abai Region, KZ-63 East Kazakhstan Region.",
        ),
        (
            "KZ-79",
            datetime.date(2015, 3, 1),
            "KZ-79 Shymkent (city) did not exist on 2015-03-01; the unit then was KZ-YUZ South Kazakhstan Region "
            "(before 2018).",
        ),
        ("KZ-55", datetime.date(1995, 1, 1), None),
    ],
)
def test_a_region_is_valid_only_in_its_own_time(code, day, problem):
    assert region_problem(region(code), day) == problem
    assert (region(code) in Region.objects.valid_on(day)) is (problem is None)


def test_today_is_the_successor_with_the_kato_prefix_else_of_the_same_kind():
    today = region_succession().today
    assert {code: today[code] for code in ("KZ-VOS", "KZ-ALM", "KZ-KAR", "KZ-YUZ", "KZ-10", "KZ-55")} == {
        "KZ-VOS": "KZ-63",
        "KZ-ALM": "KZ-19",
        "KZ-KAR": "KZ-35",
        "KZ-YUZ": "KZ-61",  # prefix 51 is no one's: the region (not the city of Shymkent) continues it
        "KZ-10": "KZ-10",
        "KZ-55": "KZ-55",
    }


# ---------------------------------------------------------------- services, forms, API, imports


def test_the_service_refuses_a_region_that_did_not_exist_on_the_award_date(veteran):
    with pytest.raises(ValidationError) as refused:
        make_award(recipient=veteran, awarded_on=datetime.date(2009, 5, 1), region="KZ-10")
    assert refused.value.message_dict["region"] == [ABAI_IN_2009]
    assert not Award.objects.exists()
    assert make_award(recipient=veteran, awarded_on=datetime.date(2009, 5, 1), region="KZ-VOS").region_id == "KZ-VOS"
    assert make_award(recipient=veteran, awarded_on=datetime.date(2023, 5, 1), region="KZ-10").region_id == "KZ-10"


def test_the_service_reports_the_region_beside_the_models_own_rules(veteran):
    with pytest.raises(ValidationError) as refused:
        make_award(
            recipient=veteran,
            awarded_on=datetime.date(2009, 5, 1),
            region="KZ-10",
            starts_on=datetime.date(2009, 6, 1),
            ends_on=datetime.date(2009, 5, 20),
        )
    assert set(refused.value.message_dict) == {"region", "ends_on"}


def test_a_lot_names_the_region_of_its_competitions_announcement():
    administrator = make_administrator()
    competition = services.competition_create(
        acting_user=clerk(),
        administrator=administrator,
        mechanism="social_order",
        reference="C-2009",
        title="Competition",
        announced_on=datetime.date(2009, 2, 1),
    )

    def lot(number: int, code: str) -> Lot:
        return services.lot_create(
            acting_user=clerk(),
            competition=competition,
            number=number,
            title="Lot",
            planned_amount=Decimal("1000000"),
            region=region(code),
        )

    with pytest.raises(ValidationError) as refused:
        lot(1, "KZ-10")
    assert "the unit then was KZ-VOS" in refused.value.message_dict["region"][0]
    assert lot(1, "KZ-VOS").region_id == "KZ-VOS"
    data = {"number": 2, "title": "Lot", "planned_amount": "500000", "region": "KZ-10"}
    form = LotForm(data, competition=competition)
    assert not form.is_valid() and "the unit then was KZ-VOS" in form.errors["region"][0]


def test_the_award_form_offers_the_units_of_the_award_date(department):
    def offered(form) -> set[str]:
        return {code for _group, options in form.fields["region"].choices[1:] for code, _label in options}

    in_2009 = AwardForm({"awarded_on": "2009-05-01"}, administrator=department)
    assert "KZ-VOS" in offered(in_2009) and "KZ-10" not in offered(in_2009) and "KZ-63" not in offered(in_2009)
    in_2023 = AwardForm({"awarded_on": "2023-05-01"}, administrator=department)
    assert "KZ-10" in offered(in_2023) and "KZ-VOS" not in offered(in_2023)
    undated = AwardForm(administrator=department).fields["region"].choices
    assert [group for group, _options in undated[1:]] == ["Current units", "Former units"]
    assert ("KZ-VOS", "East Kazakhstan Region (before 2022), until 2022-06-07") in undated[2][1]


AWARD_POST = {
    "mechanism": "state_grant",
    "title": "Village libraries",
    "amount": "900000",
    "currency": "KZT",
    "awarded_on": "2009-05-01",
    "field": "health",
}


def test_the_award_page_refuses_abai_in_2009_on_the_region_field(client, officer, veteran):
    client.force_login(officer)
    url = reverse("funding:award_new", args=["department"])
    data = {**AWARD_POST, "recipient": veteran.org_id}
    response = client.post(url, {**data, "region": "KZ-10"})
    assert response.status_code == 200 and response.context["form"].errors["region"] == [ABAI_IN_2009]
    assert ABAI_IN_2009 in response.content.decode()
    assert not Award.objects.exists()
    assert client.post(url, {**data, "region": "KZ-VOS"}).status_code == 302
    assert client.post(url, {**data, "region": "KZ-10", "awarded_on": "2023-05-01"}).status_code == 302
    assert sorted(Award.objects.values_list("region_id", flat=True)) == ["KZ-10", "KZ-VOS"]


def test_the_api_refuses_abai_in_2009_and_accepts_it_in_2023(client, officer, veteran):
    client.force_login(officer)
    url = reverse("api:award_create", args=["department"])
    body = {**AWARD_POST, "recipient": veteran.org_id}

    def post(**changes):
        return client.post(url, {**body, **changes}, content_type="application/json")

    refused = post(region="KZ-10")
    assert refused.status_code == 400 and refused.json()["errors"]["region"] == [ABAI_IN_2009]
    assert post(region="KZ-VOS").status_code == 201
    accepted = post(region="KZ-10", awarded_on="2023-05-01")
    assert accepted.status_code == 201 and accepted.json()["region"]["code"] == "KZ-10"


IMPORT_HEADER = (
    "award_id,mechanism,administrator,recipient_bin,title,description,field,region,amount,currency,"
    "awarded_on,starts_on,ends_on,competition_id,lot,applicants,status"
)


def test_an_import_row_names_the_unit_of_its_date(veteran):
    make_administrator(code="akimat")

    def run(region_code: str, awarded_on: str):
        line = (
            f"A-{region_code}-{awarded_on},state_grant,akimat,{veteran.bin},Libraries,,health,{region_code},"
            f"900000,KZT,{awarded_on},,,C-1,,,contracted"
        )
        text = f"{IMPORT_HEADER}\n{line}\n"
        return run_import(AwardImporter("akimat"), text.encode(), "awards.csv", dry_run=False, acting_user=clerk())

    refused = run("KZ-10", "2009-05-01")
    assert [(p.row, p.column, p.message) for p in refused.problems] == [(2, "region", ABAI_IN_2009)]
    assert not Award.objects.exists() and not Competition.objects.exists()
    assert run("KZ-VOS", "2009-05-01").created == 1
    assert run("KZ-10", "2023-05-01").created == 1
    assert Lot.objects.get(competition__reference="C-1").region_id == "KZ-VOS"


# ---------------------------------------------------------------- the explorer: as they were, or today's

# The mapping as docs/regions.md states it, written out here independently of the code.
TODAY_SQL = """
    SELECT COALESCE(
        (SELECT s.code FROM registry_region_succeeded_by l
           JOIN registry_region o ON o.code = l.from_region_id JOIN registry_region s ON s.code = l.to_region_id
          WHERE l.from_region_id = w.region_id AND s.kato_prefix = o.kato_prefix),
        (SELECT s.code FROM registry_region_succeeded_by l
           JOIN registry_region o ON o.code = l.from_region_id JOIN registry_region s ON s.code = l.to_region_id
          WHERE l.from_region_id = w.region_id AND s.kind = o.kind AND s.kato_prefix <> o.kato_prefix),
        w.region_id, '') AS today,
        SUM(w.amount), COUNT(*)
    FROM funding_award w GROUP BY today
"""
AS_AWARDED_SQL = "SELECT COALESCE(region_id, ''), SUM(amount), COUNT(*) FROM funding_award GROUP BY region_id"


def by_key(rows) -> dict[str, tuple[Decimal, int]]:
    return {key: (Decimal(str(total)), count) for key, total, count in rows}


def shown(rows) -> dict[str, tuple[Decimal, int]]:
    return {row.key: (row.total, row.count) for row in rows}


@pytest.fixture
def across_reforms(veteran):
    department = make_administrator(code="dept")
    made = [
        ("KZ-VOS", datetime.date(2009, 5, 1), "1000000.10"),
        ("KZ-63", datetime.date(2023, 3, 1), "2000000"),
        ("KZ-10", datetime.date(2023, 4, 1), "3000000"),
        ("KZ-YUZ", datetime.date(2012, 2, 1), "400000"),
        ("KZ-61", datetime.date(2019, 2, 1), "500000"),
        ("KZ-79", datetime.date(2019, 3, 1), "600000"),
        ("KZ-55", datetime.date(2015, 6, 1), "700000"),
        (None, datetime.date(2016, 6, 1), "800000"),
    ]
    for code, day, amount in made:
        make_award(recipient=veteran, administrator=department, region=code, awarded_on=day, amount=amount)
    return department


def test_both_views_reconcile_with_raw_sql(anonymous, across_reforms):
    (total,) = raw("SELECT SUM(amount) FROM funding_award")[0]
    as_awarded = anonymous.get(EXPLORER).context["result"]
    today = anonymous.get(EXPLORER, {"region_view": "today"}).context["result"]
    assert shown(as_awarded.by_region) == by_key(raw(AS_AWARDED_SQL))
    assert shown(today.by_region) == by_key(raw(TODAY_SQL))
    assert shown(today.by_region)["KZ-63"] == (Decimal("3000000.10"), 2)  # KZ-VOS's 2009 award with KZ-63's
    assert "KZ-VOS" in shown(as_awarded.by_region) and "KZ-VOS" not in shown(today.by_region)
    for result in (as_awarded, today):
        assert result.total == Decimal(str(total)) == sum(row.total for row in result.by_region)
        assert result.count == sum(row.count for row in result.by_region) == 8
        assert sum(row.total for row in result.by_year) == result.total  # the other tables are unchanged


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "KZ-63"}, "2000000"),
        ({"region": "KZ-63", "region_view": "today"}, "3000000.10"),
        ({"region": "KZ-VOS", "region_view": "today"}, "3000000.10"),  # a former unit stands for today's
        ({"region": "KZ-61", "region_view": "today"}, "900000"),
        ({"region": "KZ-79", "region_view": "today"}, "600000"),
        ({"region": "KZ-10", "region_view": "today"}, "3000000"),
        ({"region": ["KZ-10", "KZ-63"], "region_view": "today"}, "6000000.10"),
    ],
)
def test_filtering_today_takes_in_the_predecessors(anonymous, across_reforms, params, expected):
    assert anonymous.get(EXPLORER, params).context["result"].total == Decimal(expected)
    api = anonymous.get("/api/v1/awards/", params).json()["results"]
    assert sum(Decimal(row["amount"]) for row in api) == Decimal(expected)


def test_the_page_shows_the_mapping_where_today_is_chosen(anonymous, across_reforms):
    plain = anonymous.get(EXPLORER).content.decode()
    assert "Counted under" not in plain
    page = anonymous.get(EXPLORER, {"region_view": "today"}).content.decode()
    assert "East Kazakhstan Region (before 2022)" in page and "(part now Abai Region)" in page
    assert "(part now Shymkent (city))" in page and "the same KATO prefix" in page
    assert "today: East Kazakhstan Region" in page  # beside the 2009 award in the list
    assert 'value="today" checked' in page


def test_the_csv_groups_as_the_page_does(anonymous, across_reforms):
    url = reverse("opendata:explorer_csv")
    today = csv_rows(anonymous.get(url, {"view": "by_region", "region_view": "today"}))
    assert {r["region"]: Decimal(r["total_kzt"]) for r in today} == {k: v[0] for k, v in by_key(raw(TODAY_SQL)).items()}
    awards = csv_rows(anonymous.get(url, {"view": "awards", "region_view": "today", "region": "KZ-63"}))
    assert sorted((r["region"], r["region_today"], r["region_today_label"]) for r in awards) == [
        ("KZ-63", "KZ-63", "East Kazakhstan Region"),
        ("KZ-VOS", "KZ-63", "East Kazakhstan Region"),
    ]
    assert "region_today" not in csv_rows(anonymous.get(url, {"view": "awards"}))[0]


@pytest.mark.parametrize("params", [{"region_view": "today"}, {"region_view": "today", "region": "KZ-63"}, {}])
def test_query_count_does_not_grow_with_rows(
    anonymous, across_reforms, veteran, warm_caches, django_assert_max_num_queries, params
):
    def count() -> int:
        with django_assert_max_num_queries(16) as captured:
            assert anonymous.get(EXPLORER, params).status_code == 200
        return len(captured)

    warm_caches()
    region_succession()
    few = count()
    for n in range(30):
        code, day = [("KZ-VOS", datetime.date(2010, 3, 1)), ("KZ-63", datetime.date(2024, 3, 1))][n % 2]
        make_award(recipient=veteran, administrator=across_reforms, region=code, awarded_on=day, amount=str(1000 + n))
    assert count() == few


# ---------------------------------------------------------------- the demo data (seeded once, last)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data at a tenth of its size, once for this module (its tests come last in the file)."""
    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=2230, seed=15, verbosity=0)
        yield
        _empty_everything()


def _empty_everything() -> None:
    from django.apps import apps

    tables = [m._meta.db_table for m in apps.get_models() if m._meta.app_label in ("funding", "registry")]
    tables = [t for t in tables if t not in ("registry_legalform", "registry_region", "registry_fieldofactivity")]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("PRAGMA foreign_keys = ON")


@pytest.mark.parametrize("view", ["as_awarded", "today"])
def test_the_demo_reconciles_in_both_views(anonymous, demo, view):
    result = anonymous.get(EXPLORER, {"region_view": view}).context["result"]
    expected = by_key(raw(TODAY_SQL if view == "today" else AS_AWARDED_SQL))
    assert shown(result.by_region) == expected
    assert result.total == sum(total for total, _count in expected.values()) == sum(r.total for r in result.by_region)
    (total,) = raw("SELECT SUM(amount) FROM funding_award")[0]
    assert result.total == Decimal(str(total))
