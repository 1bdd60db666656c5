"""One number, money and date format per language (issue 16): kk and ru group thousands with a no-break
space and write a decimal comma, en "21,414"; money carries its unit; dates are the language's own."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from registry.templatetags.registry_tags import kzt, money, number, percent, percent_of
from scoring.flags.catalogue import RULES
from scoring.flags.figures import figure_text

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "count", "decimal", "amount", "with_unit", "share"),
    [
        ("kk", f"21{NBSP}414", "48,4", f"12{NBSP}000{NBSP}000", f"12{NBSP}000{NBSP}000{NBSP}₸", "12,5%"),
        ("ru", f"21{NBSP}414", "48,4", f"12{NBSP}000{NBSP}000", f"12{NBSP}000{NBSP}000{NBSP}₸", "12,5%"),
        ("en", "21,414", "48.4", "12,000,000", f"12,000,000{NBSP}KZT", "12.5%"),
    ],
)
def test_one_format_per_language(language, count, decimal, amount, with_unit, share):
    with translation.override(language):
        assert number(21414) == count
        assert number("21414") == count
        assert number(Decimal("48.44"), 1) == decimal
        assert kzt(Decimal("12000000.00")) == amount
        assert money(12000000) == with_unit
        assert percent(Decimal("12.5")) == share
        assert percent_of(1, 8, 1) + "%" == share
        assert number(None) == kzt(None) == money(None) == "—"


def test_kopecks_only_when_there_are_any():
    with translation.override("ru"):
        assert kzt("1234.50") == f"1{NBSP}234,50"
        assert kzt("1234.00") == f"1{NBSP}234"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("kk", "2024 ж. 5 Наурыз"), ("ru", "5 марта 2024 г."), ("en", "5 March 2024")],
)
def test_dates_per_language(language, expected):
    with translation.override(language):
        assert date_format(datetime.date(2024, 3, 5), "DATE_FORMAT") == expected
        html = Template('{{ day|date:"DATE_FORMAT" }}').render(Context({"day": datetime.date(2024, 3, 5)}))
        assert html == expected


def test_template_filters_and_years_untouched():
    """The filters group; a year printed plainly never reads "2 024"."""
    template = Template("{% load registry_tags %}{{ n|num }} {{ m|money }} {{ year }}")
    with translation.override("kk"):
        assert template.render(Context({"n": 19173, "m": 500, "year": 2024})) == f"19{NBSP}173 500{NBSP}₸ 2024"


def test_flag_figures_and_thresholds_use_the_one_format():
    with translation.override("ru"):
        assert figure_text("kzt", "3884000.00") == f"3{NBSP}884{NBSP}000"
        assert figure_text("count", 1234) == f"1{NBSP}234"
        assert figure_text("percent", "0.125") == "12,5%"
        assert figure_text("hhi", "2500.0") == f"2{NBSP}500,0"
        rule = str(RULES["concentration"].rule)
        assert f"2{NBSP}500" in rule and "2,500 " not in rule
    with translation.override("en"):
        assert figure_text("count", 1234) == "1,234"
        assert "2,500" in str(RULES["concentration"].threshold)
