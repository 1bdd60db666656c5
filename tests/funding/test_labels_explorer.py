"""/funding/ for people (issue 16, Build item 8): every year listed, an unknown published total shown as unknown
with its source; the administrator filter by name while the URL keeps the code; recipients that share a name
told apart by BIN and region; money in the reader's format."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Administrator, Mechanism, PublishedTotal
from registry.models import Region
from tests.funding.factories import make_administrator, make_award
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
EXPLORER = reverse("funding:explorer")
UNKNOWN_SOURCE = "No yearly volume was published for 2010: unknown, not zero"


@pytest.fixture
def years():
    """Awards in 2009 and 2012; the published social order totals of 2009-2011, 2010's unknown."""
    recipient = make_organisation(registered_on=datetime.date(2005, 1, 10))
    make_award(recipient=recipient, awarded_on=datetime.date(2009, 5, 1), amount="1500000")
    make_award(recipient=recipient, awarded_on=datetime.date(2012, 5, 1), amount="2500000")
    for year, amount, source in [
        (2009, Decimal("1231000000"), "published"),
        (2010, None, UNKNOWN_SOURCE),
        (2011, Decimal("2000000000"), "published"),
    ]:
        PublishedTotal.objects.create(
            year=year, mechanism=Mechanism.SOCIAL_ORDER, budget_level="all", amount=amount, source=source
        )


def _year_rows(html: str) -> dict[int, str]:
    table = html.split('id="by-year-title"')[1].split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">(\d{4})</th>(.*?)</tr>', table, re.S)
    return {int(year): cells for year, cells in rows}


def test_every_year_listed_and_2010_unknown_with_its_source(anonymous, years):
    response = anonymous.get(EXPLORER)
    assert [row.year for row in response.context["result"].by_year] == [2009, 2010, 2011, 2012]
    rows = _year_rows(response.content.decode())
    assert sorted(rows) == [2009, 2010, 2011, 2012]
    assert "unknown" in rows[2010] and UNKNOWN_SOURCE in rows[2010]
    assert "no award-level records" in rows[2011] and "unknown" not in rows[2011]


def test_published_column_marks_2010_unknown_with_its_source(anonymous, years):
    response = anonymous.get(EXPLORER, {"mechanism": Mechanism.SOCIAL_ORDER})
    row = next(r for r in response.context["result"].by_year if r.year == 2010)
    assert row.published_known and row.published is None and row.unknown_source == UNKNOWN_SOURCE
    cells = _year_rows(response.content.decode())[2010]
    assert "<strong>unknown</strong>" in cells and UNKNOWN_SOURCE in cells


def test_a_narrowed_view_lists_empty_years_without_the_national_unknown(anonymous, years):
    administrator = Administrator.objects.order_by("pk").first()
    response = anonymous.get(EXPLORER, {"administrator": administrator.code})
    assert all(not row.unknown_source for row in response.context["result"].by_year)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_administrator_filter_offers_names_grouped_by_kind(anonymous, language):
    akimat = make_administrator(
        kind=Administrator.Kind.REGIONAL_AKIMAT,
        code="akimat-kz-62-internal-policy",
        name_en="Internal Policy Department of Zhambyl",
        name_ru="Управление внутренней политики Жамбылской области",
        name_kk="Жамбыл облысының ішкі саясат басқармасы",
    )
    make_award(administrator=akimat)
    html = anonymous.get(EXPLORER, {"administrator": akimat.code}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    select = html.split('<select name="administrator">')[1].split("</select>")[0]
    name = {"kk": akimat.name_kk, "ru": akimat.name_ru, "en": akimat.name_en}[language]
    assert f'<option value="{akimat.code}" selected>{name}</option>' in select
    assert "<optgroup label=" in select and ">akimat-kz-62-internal-policy<" not in select
    assert "Administrator (code)" not in html


def test_recipients_sharing_a_name_are_told_apart(anonymous):
    heritage = "Public Foundation “Heritage”"
    twins = [
        make_organisation(name_en=heritage, legal_form="foundation", region=region) for region in ("KZ-71", "KZ-75")
    ]
    unique = make_organisation(name_en="Public Association “Unique”")
    for n, organisation in enumerate([*twins, unique]):
        make_award(recipient=organisation, amount=str(1000000 * (n + 1)))
    response = anonymous.get(EXPLORER)
    rows = {row.org_id: row for row in response.context["result"].top_recipients}
    for twin in twins:
        region = Region.objects.get(code=twin.region_id).name
        assert rows[twin.org_id].detail == f"BIN {twin.bin}, {region}"
    assert rows[unique.org_id].detail == ""
    html = response.content.decode()
    assert f"(BIN {twins[0].bin}, " in html and f"(BIN {twins[1].bin}, " in html


@pytest.mark.parametrize(
    ("language", "expected"), [("kk", "4\xa0000\xa0000"), ("ru", "4\xa0000\xa0000"), ("en", "4,000,000")]
)
def test_explorer_money_in_the_readers_format(anonymous, years, language, expected):
    html = anonymous.get(EXPLORER, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    stats = html.split('<ul class="stats">')[1].split("</ul>")[0]
    assert expected in stats


def test_every_published_total_names_its_source(anonymous, years):
    """Issue 15: invented figures are never called published; each published figure shows where it comes from."""
    response = anonymous.get(reverse("funding:explorer"), {"mechanism": "social_order"})
    rows = {row.year: row for row in response.context["result"].by_year}
    assert rows[2009].published_source == "published" and rows[2011].published_source == "published"
    html = response.content.decode()
    assert "(published)" in html and "official yearly volumes" not in html
