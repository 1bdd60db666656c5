from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from registry.models import Organisation
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
URL = reverse("registry:organisation_list")


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def facet(response, key):
    return {o.value: o.count for f in response.context["facets"] if f.key == key for o in f.options}


@pytest.fixture
def sample():
    return [
        make_organisation(
            name_en="Alpha",
            region="KZ-71",
            legal_form="foundation",
            fields=("women", "health"),
            registered_on=datetime.date(2001, 1, 10),
        ),
        make_organisation(
            name_en="Bravo",
            region="KZ-71",
            legal_form="public_association",
            fields=("women",),
            territorial_level="local",
            registered_on=datetime.date(2015, 3, 3),
        ),
        make_organisation(
            name_en="Charlie",
            region="KZ-75",
            legal_form="public_association",
            fields=("environment",),
            territorial_level="republican",
            registered_on=datetime.date(2008, 8, 8),
        ),
    ]


def test_lists_every_organisation_by_name(anonymous, sample):
    response = anonymous.get(URL)
    assert response.status_code == 200
    assert [o.name_en for o in response.context["page"].object_list] == ["Alpha", "Bravo", "Charlie"]
    assert response.context["page"].paginator.count == 3


def test_facets_count_under_the_other_filters(anonymous, sample):
    response = anonymous.get(URL, {"region": "KZ-71"})
    assert response.context["page"].paginator.count == 2
    assert facet(response, "region") == {"KZ-71": 2, "KZ-75": 1}  # own facet ignores its own filter
    assert facet(response, "legal_form") == {"foundation": 1, "public_association": 1}
    assert facet(response, "field") == {"women": 2, "health": 1}
    assert facet(response, "territorial_level") == {"local": 1}
    assert facet(response, "status") == {"active": 2}


def test_filters_combine_and_values_within_a_facet_add_up(anonymous, sample):
    response = anonymous.get(URL, {"field": ["women", "environment"], "legal_form": "public_association"})
    assert {o.name_en for o in response.context["page"].object_list} == {"Bravo", "Charlie"}


def test_an_organisation_in_two_chosen_fields_is_listed_once(anonymous, sample):
    response = anonymous.get(URL, {"field": ["women", "health"]})
    assert response.context["page"].paginator.count == 2


def test_sort_picker_shows_the_order_that_applies(anonymous, sample):
    html = anonymous.get(URL).content.decode()
    assert '<option value="name" selected>Name A-Z</option>' in html
    assert '<option value="-registered">Newest registration</option>' in html
    html = anonymous.get(URL, {"q": "alpha"}).content.decode()
    assert '<option value="relevance" selected>Best match</option>' in html


def test_sorts_by_registration_date(anonymous, sample):
    response = anonymous.get(URL, {"sort": "-registered"})
    assert [o.name_en for o in response.context["page"].object_list] == ["Bravo", "Charlie", "Alpha"]
    response = anonymous.get(URL, {"sort": "-name"})
    assert [o.name_en for o in response.context["page"].object_list] == ["Charlie", "Bravo", "Alpha"]


def test_sorts_by_the_name_in_the_readers_language(anonymous, sample):
    sample[0].name_ru = "Яблоко"
    sample[0].save()
    response = anonymous.get(URL, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.context["page"].object_list[-1].pk == sample[0].pk


def test_an_unknown_filter_value_is_reported_not_a_500(anonymous, sample):
    response = anonymous.get(URL, {"region": "KZ-99", "sort": "sideways"})
    assert response.status_code == 400  # the page, with each problem named (issue 14: strict parameters)
    errors = response.context["filterset"].form.errors
    assert "region" in errors and "sort" in errors
    assert b"KZ-99" in response.content


def test_the_url_keeps_filters_in_page_links(anonymous, settings):
    settings.DIRECTORY_PAGE_SIZE = 2
    for _ in range(5):
        make_organisation(region="KZ-79")
    response = anonymous.get(URL, {"region": "KZ-79"})
    assert b"region=KZ-79&amp;page=2" in response.content
    second = anonymous.get(URL, {"region": "KZ-79", "page": 3})
    assert len(second.context["page"].object_list) == 1


def test_merged_duplicates_are_not_listed(anonymous, sample):
    duplicate = make_organisation(name_en="Alpha duplicate")
    Organisation.objects.filter(pk=duplicate.pk).update(merged_into=sample[0])
    response = anonymous.get(URL)
    assert response.context["page"].paginator.count == 3


def test_csv_has_the_filtered_rows_with_labels_beside_codes(anonymous, sample):
    rows = csv_rows(anonymous.get(reverse("opendata:organisation_list_csv"), {"region": "KZ-71"}))
    assert {r["name_en"] for r in rows} == {"Alpha", "Bravo"}
    alpha = next(r for r in rows if r["name_en"] == "Alpha")
    assert alpha["org_id"] == sample[0].org_id
    assert alpha["legal_form"] == "foundation" and alpha["legal_form_label"] == "Foundation"
    assert alpha["region"] == "KZ-71" and alpha["region_label"] == "Astana (city)"
    assert alpha["fields"] == "women;health" or alpha["fields"] == "health;women"
    assert alpha["ngo_eligible"] == "yes"
    assert alpha["url"].endswith(sample[0].get_absolute_url())


def test_csv_labels_follow_the_readers_language(anonymous, sample):
    rows = csv_rows(anonymous.get(reverse("opendata:organisation_list_csv"), HTTP_ACCEPT_LANGUAGE="ru"))
    assert {r["region_label"] for r in rows} == {"город Астана", "город Алматы"}


def _query_count(django_assert_max_num_queries, client, params, budget, warm):
    warm()
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"region": "KZ-71", "field": "health"}, {"q": "test"}, {"page": "2"}])
def test_query_count_does_not_grow_with_rows(anonymous, django_assert_max_num_queries, warm_caches, params):
    for _ in range(10):
        make_organisation(fields=("health", "women"))
    few = _query_count(django_assert_max_num_queries, anonymous, params, 12, warm_caches)
    for _ in range(60):
        make_organisation(fields=("health", "women"))
    many = _query_count(django_assert_max_num_queries, anonymous, params, 12, warm_caches)
    assert few == many


def test_csv_query_count_does_not_grow_with_rows(anonymous, django_assert_max_num_queries, warm_caches):
    for _ in range(5):
        make_organisation()
    warm_caches()
    with django_assert_max_num_queries(6) as few:
        csv_rows(anonymous.get(reverse("opendata:organisation_list_csv")))
    for _ in range(40):
        make_organisation()
    with django_assert_max_num_queries(6) as many:
        csv_rows(anonymous.get(reverse("opendata:organisation_list_csv")))
    assert len(few) == len(many)
