"""No English left that translation can not fix (issue 16): flag titles made in the reader's language with names
for codes, the methodology's inputs by their labels, no internal document cited to readers, record types by label,
an uploaded file's cells marked as data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from registry.models import YearlyReport
from scoring import services
from scoring.flags import CATALOGUE
from scoring.flags.figures import flag_title
from scoring.indicators import CSI_INDICATORS
from scoring.models import Flag
from tests.funding.factories import make_administrator, make_award
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


def _h1(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)


def test_a_captive_recipients_title_names_its_administrator_in_the_readers_language(client):
    admin = make_administrator(code="akimat-kz-71-city", name_ru="Акимат города Астаны", name_en="Astana City Akimat")
    org = make_organisation()
    for year in (2021, 2022, 2023):
        make_award(recipient=org, administrator=admin, awarded_on=datetime.date(year, 3, 1))
    services.summaries_regenerate()
    flag = Flag.objects.get(code="captive_recipient")
    url = reverse("scoring:flag_detail", args=["captive_recipient", flag.subject_type, flag.subject_key])

    client.cookies["django_language"] = "ru"
    heading = _h1(client.get(url).content.decode())
    assert "Акимат города Астаны" in heading and "akimat-kz-71-city" not in heading
    client.cookies["django_language"] = "en"
    assert "Astana City Akimat" in _h1(client.get(url).content.decode())
    transparency = client.get(reverse("scoring:transparency")).content.decode()
    assert "funded only by Astana City Akimat" in transparency and "funded only by akimat" not in transparency


@pytest.mark.parametrize(
    ("code", "values", "stored", "shown_ru"),
    [
        (
            "self_report_mismatch",
            {"declared": "12000000.00", "recorded_paid": "7500000.00", "difference": "4500000.00"},
            "2024: declares 12,000,000 KZT of state income; 7,500,000 KZT recorded as paid",
            ["12\u00a0000\u00a0000\u00a0₸", "7\u00a0500\u00a0000\u00a0₸"],
        ),
        (
            "state_dependency",
            {"state_income": "95.00", "total_income": "100.00", "share": "0.9512"},
            "95.1% of its 2024 income from the state",
            ["95,1%", "2024"],
        ),
        (
            "shared_contacts",
            {"contact": "phone", "value": "77010000000", "organisations": 3},
            "shares its phone with 2 other organisation(s)",
            ["2"],
        ),
    ],
)
def test_a_title_made_from_figures_follows_the_readers_number_format(code, values, stored, shown_ru):
    flag = Flag(code=code, subject_type="organisation", subject_key="1", title=stored, year=2024, values=values)
    with translation.override("ru"):
        title = flag_title(flag, {})
    assert title != stored and "KZT" not in title and "organisation(s)" not in title
    assert all(part in title.replace("\u202f", "\u00a0") for part in shown_ru), title


def test_a_title_that_is_the_records_own_is_shown_as_stored():
    flag = Flag(code="price_outlier", subject_type="award", subject_key="AB12CD34", title="Youth centre", values={})
    with translation.override("kk"):
        assert flag_title(flag, {}) == "Youth centre"


def test_no_flag_rule_cites_the_internal_domain_document():
    fields = ("name", "rule", "why", "inputs", "threshold", "false_positives", "threshold_why")
    for language in ("en", "ru", "kk"):
        with translation.override(language):
            cited = [(rule.code, f) for rule in CATALOGUE for f in fields if "DOMAIN" in str(getattr(rule, f))]
        assert cited == []


def test_the_methodology_names_each_input_by_its_label_not_its_field(client):
    page = client.get(reverse("scoring:methodology")).content.decode()
    for indicator in CSI_INDICATORS:
        for name in indicator.inputs:
            label = str(YearlyReport._meta.get_field(name).verbose_name)
            assert escape(label[:1].upper() + label[1:]) in page
            assert f">{name}<" not in page and f"{name}," not in page
    # the CSI report's title exists only in English: marked so, for screen readers and the English check
    assert '<cite lang="en">CIVICUS Civil Society Index, Kazakhstan 2009-10 country report</cite>' in page
