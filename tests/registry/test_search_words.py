"""A search for one of the registry's commonest words (registry.cube: FacetWord, FacetWordCell) is counted from
cells kept by the change events and its best-match page is read form by form (registry.selectors.
page_ids_by_relevance): the counts are those of a recount over the matches, the rows and their order those of
the single sorted query, and every change leaves the word cells where a rebuild would put them."""

from __future__ import annotations

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from registry.cube import facet_cube_rebuild, facet_cube_refresh
from registry.filters import OrganisationFilter
from registry.models import FacetMember, FacetWord, FacetWordCell, Organisation, YearlyReport, report_due_on
from registry.selectors import directory_base, latest_due_report_year
from tests.registry.factories import make_organisation
from tests.registry.test_count_cube import facets, recount

pytestmark = pytest.mark.django_db
URL = reverse("registry:organisation_list")

# (legal form, Russian name, Kazakh name, English name) with {n} for the serial: "объединение" starts a word in
# the first two and sits inside one ("переобъединение") in the last, which a search matches but ranks lower.
NAMES = (
    (
        "public_association",
        "Общественное объединение «Тест {n}»",
        "«Тест {n}» қоғамдық бірлестігі",
        "Public Association “Test {n}”",
    ),
    ("foundation", "Общественный фонд «Центр {n}»", "«Орталық {n}» қоғамдық қоры", "Public Foundation “Centre {n}”"),
    (
        "association_of_legal_entities",
        "Объединение юридических лиц «Союз {n}»",
        "«Одақ {n}» заңды тұлғалар бірлестігі",
        "Association “Union {n}”",
    ),
    (
        "consumer_cooperative",
        "Кооператив «Переобъединение {n}»",
        "«Қайта {n}» кооперативі",
        "Cooperative “Reunion {n}”",
    ),
)


@pytest.fixture
def registry(settings):
    settings.FACET_WORD_MIN_MATCHES = 4
    settings.FACET_WORDS_AT_MOST = 1000
    year = latest_due_report_year()
    field_sets = (("health",), ("women", "health"), ("environment",), ("women", "children_youth", "health"), ())
    organisations = []
    for n in range(40):
        form, ru, kk, en = NAMES[n % 4 if n % 9 else 0]
        organisations.append(
            make_organisation(
                legal_form=form,
                name_ru=ru.format(n=n),
                name_kk=kk.format(n=n),
                name_en=en.format(n=n),
                region=("KZ-71", "KZ-75", "KZ-79")[n % 3],
                fields=field_sets[n % 5],
                territorial_level="local" if n % 4 == 0 else "",
                registered_on=datetime.date(2005 + n % 15, 1 + n % 12, 1),
                bin=True if n % 7 else None,
            )
        )
    for org in organisations[::3]:
        YearlyReport.objects.create(organisation=org, year=year, submitted_on=report_due_on(year))
    Organisation.objects.filter(pk__in=[o.pk for o in organisations[2::6]]).update(status="liquidated")
    facet_cube_rebuild()
    return organisations


def word_cells() -> dict[tuple, int]:
    names = ("word__word", "kind", "fields", "region", "legal_form", "status", "territorial_level", "reporting")
    return {tuple(row[:-1]): row[-1] for row in FacetWordCell.objects.filter(n__gt=0).values_list(*names, "n")}


def assert_word_cells_as_rebuilt() -> None:
    moved = word_cells()
    members = dict(FacetMember.objects.values_list("organisation_id", "words"))
    facet_cube_rebuild()
    assert moved == word_cells()
    assert members == dict(FacetMember.objects.values_list("organisation_id", "words"))


def test_the_commonest_words_are_chosen_and_rare_ones_are_not(registry, settings):
    words = set(FacetWord.objects.values_list("word", flat=True))
    assert {"объединение", "тест", "фонд", "obedinenie", "public"} <= words
    texts = list(Organisation.objects.values_list("search_text", flat=True))
    often = {w for text in texts for w in text.split() if len(w) >= 3 and sum(w in t.split() for t in texts) >= 4}
    assert words <= often and len(words) == min(len(often), settings.FACET_WORDS_AT_MOST)
    settings.FACET_WORDS_AT_MOST = 3  # the commonest three ("тест", in 13 of the 40 names, is not one)
    facet_cube_rebuild()
    assert len(FacetWord.objects.all()) == 3 and not FacetWord.objects.filter(word="тест").exists()
    assert_word_cells_as_rebuilt()
    settings.FACET_WORD_MIN_MATCHES = 100
    facet_cube_rebuild()
    assert not FacetWord.objects.exists() and not FacetWordCell.objects.exists()
    assert not FacetMember.objects.exclude(words="").exists()


PARAMS = [
    {},
    {"region": ["KZ-71"]},
    {"field": ["women"]},
    {"field": ["women"], "status": ["active"]},
    {"field": ["women", "health"], "status": ["active"]},  # two fields: counted over the matches
    {"field": ["health", "women", "environment", "children_youth"]},
    {"legal_form": ["public_association", "consumer_cooperative"], "reporting": ["overdue"]},
    {"status": ["liquidated"], "territorial_level": ["local"], "region": ["KZ-75", "KZ-79"]},
]


@pytest.mark.parametrize("word", ["объединение", "Объединение", "тест", "фонд", "obedinenie"])
@pytest.mark.parametrize("params", PARAMS)
def test_a_common_word_is_counted_as_a_recount_of_its_matches(anonymous, registry, word, params):
    params = {**params, "q": [word]}
    response = anonymous.get(URL, params)
    assert response.status_code == 200
    expected, total = recount(params)
    assert response.context["page"].paginator.count == total
    assert facets(response) == expected


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize("word", ["объединение", "тест", "фонд"])
def test_the_best_matches_page_lists_what_the_sorted_query_lists(anonymous, registry, settings, language, word):
    settings.DIRECTORY_PAGE_SIZE = 4
    walked = 0
    for params in ({}, {"region": ["KZ-71", "KZ-79"]}, {"legal_form": ["public_association"]}, {"field": ["health"]}):
        data = QueryDict(mutable=True)
        for key, values in (params | {"q": [word], "sort": ["relevance"]}).items():
            data.setlist(key, values)
        with translation.override(language):
            expected = list(OrganisationFilter(data, queryset=directory_base()).qs.values_list("pk", flat=True))
        # (none for "фонд" among public associations: an empty page, as the sorted query)
        for page in (1, 2, 3, 6):
            query = {**params, "q": word, "page": page}
            response = anonymous.get(URL, query, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200
            shown = [o.pk for o in response.context["page"].object_list]
            number = response.context["page"].number  # a page past the last shows the last
            assert shown == expected[(number - 1) * 4 : number * 4], (params, page)
            paginator = response.context["page"].paginator
            walked += paginator.ids is not None and paginator.ids(0, 4) is not None
    assert walked  # the form-by-form reading answered, not only the sort it falls back to


def test_a_page_past_the_best_matches_is_sorted_whole(registry, settings):
    """The page reaching the names that hold the word only inside another word: the walk can not know which
    come first, and gives the page to the sorted query."""
    from registry.selectors import page_ids_by_relevance

    data = QueryDict(mutable=True)
    data.setlist("q", ["объединение"])
    filterset = OrganisationFilter(data, queryset=directory_base())
    expected = list(filterset.qs.values_list("pk", flat=True))
    best = Organisation.objects.filter(pk__in=expected).exclude(legal_form="consumer_cooperative").count()
    matches = dict.fromkeys(("public_association", "association_of_legal_entities", "consumer_cooperative"), 0)
    for org in Organisation.objects.filter(pk__in=expected):
        matches[org.legal_form_id] += 1
    listed = {form: Organisation.objects.filter(legal_form=form).count() for form in matches}
    others = OrganisationFilter(QueryDict(), queryset=directory_base()).qs
    ids = page_ids_by_relevance(filterset.qs, others, "объединение", matches, listed)
    assert ids(0, best) == expected[:best]
    assert ids(best - 2, best + 2) is None


def test_word_cells_follow_every_change(registry, client, moderator, django_capture_on_commit_callbacks):
    org = registry[1]
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):  # renamed: "объединение" leaves, "фонд" comes
        response = client.patch(
            reverse("api:organisation", args=[org.org_id]),
            {"name_ru": "Общественный фонд «Новый»", "region": "KZ-79", "fields": ["children_youth"]},
            content_type="application/json",
            HTTP_IF_MATCH=f'"{org.version}"',
        )
    assert response.status_code == 200, response.json()
    member = FacetMember.objects.get(pk=org.pk)
    assert str(FacetWord.objects.get(word="фонд").pk) in member.words.split(",")
    assert str(FacetWord.objects.get(word="объединение").pk) not in member.words.split(",")
    assert_word_cells_as_rebuilt()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:organisation_merge", args=[registry[9].org_id]),
            {"duplicate": registry[18].org_id, "reason": "the same organisation"},
        )
    assert response.status_code == 302
    assert not FacetMember.objects.filter(pk=registry[18].pk).exists()
    assert_word_cells_as_rebuilt()

    with django_capture_on_commit_callbacks(execute=True):  # a new organisation, in cells no one was in yet
        make_organisation(name_ru="Объединение «Единственное»", region="KZ-11", fields=("women", "environment"))
    assert_word_cells_as_rebuilt()

    moves = [o.pk for o in registry[3:12]]
    Organisation.objects.filter(pk__in=moves).update(status="suspended", territorial_level="republican")
    facet_cube_refresh(moves)  # several organisations at once, as an import moves them
    assert_word_cells_as_rebuilt()
