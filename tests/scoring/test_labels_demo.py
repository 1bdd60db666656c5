"""On the demo data (a tenth of the national size): /, /sector/, /funding/ and /transparency/ show counts in
the reader's format and names, never codes (issue 16)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from funding.models import Administrator
from tests.reconciliation.conftest import _empty

GROUPED = {"kk": r"\d{1,3}(?:\xa0\d{3})+", "ru": r"\d{1,3}(?:\xa0\d{3})+", "en": r"\d{1,3}(?:,\d{3})+"}
LANGUAGES = ["kk", "ru", "en"]
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.core.management import call_command

    from scoring.services import summaries_regenerate

    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=2230, seed=16, verbosity=0)
        summaries_regenerate()
        yield
        _empty()


@pytest.fixture
def get(client, demo):
    def fetch(name: str, language: str, params: dict | None = None) -> str:
        cache.clear()
        response = client.get(reverse(name), params or {}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        return response.content.decode()

    return fetch


def _stats(html: str) -> list[str]:
    block = html.split('<ul class="stats">')[1].split("</ul>")[0]
    return re.findall(r'<span class="stat">([^<]*)</span>', block)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", ["registry:home", "scoring:sector", "funding:explorer"])
def test_counts_in_the_readers_format(get, page, language):
    stats = _stats(get(page, language))
    grouped = [s for s in stats if re.fullmatch(GROUPED[language], s)]
    assert grouped, stats  # each page has a count of a thousand or more, grouped as the language writes it
    assert not [s for s in stats if re.fullmatch(r"\d{4,}", s)], stats  # and none left ungrouped


@pytest.mark.parametrize("language", LANGUAGES)
def test_sector_radars_are_readable_and_labelled_by_name(get, language):
    html = get("scoring:sector", language)
    svgs = re.findall(r"<svg class=\"radar\"[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert 'width="440"' in svg and "style=" not in svg
        assert re.search(r"<tspan[^>]*>\w", svg)
        assert not re.search(r'(?:x|y)="\d+,\d"', svg)  # coordinates never localized
    from django.utils import translation

    from scoring import indicators as ind

    with translation.override(language):
        first_word = str(ind.dimension_benchmarks()[0].subdimensions[0][1]).split()[0]
    assert f">{first_word}" in svgs[0]
    assert ">region:" not in html and ">legal_form:" not in html


def test_transparency_names_administrators(get):
    html = get("scoring:transparency", "en")
    table = html.split('id="by-admin"')[1].split("</table>")[0]
    codes = set(Administrator.objects.values_list("code", flat=True))
    shown = re.findall(r'<th scope="row"><a href="\?administrator=[^"]*">([^<]*)</a>', table)
    assert shown and not codes & set(shown)


def test_explorer_lists_2010_as_unknown_on_the_demo(get):
    html = get("funding:explorer", "ru")
    table = html.split('id="by-year-title"')[1].split("</table>")[0]
    years = [int(y) for y in re.findall(r'<th scope="row">(\d{4})</th>', table)]
    assert 2010 in years and years == list(range(years[0], years[-1] + 1))


def test_transparency_filters_administrators_by_name(get):
    administrator = Administrator.objects.filter(kind=Administrator.Kind.REGIONAL_AKIMAT).order_by("code").first()
    html = get("scoring:transparency", "ru", {"administrator": administrator.code})
    select = html.split('name="administrator"')[1].split("</select>")[0]
    assert "<optgroup" in select
    option = f'<option value="{administrator.code}" selected>{administrator.name_ru}<'
    assert option in select
    form = html.split('<form method="get" class="search-row">')[1].split("</form>")[0]
    assert ">code<" not in form and ">subject_type<" not in form
