"""OCDS and 360Giving carry every award, amendment and payment; release ids are stable; statuses follow the
codelists; buyers carry their BIN; each competition names the law of its day; the record package validates;
libcoveocds (the Open Contracting Partnership's checker) finds no error, offline."""

from __future__ import annotations

import datetime
import io
import itertools
import json
import zipfile
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4

from funding import services
from funding.models import Award
from funding.reference import LAWS
from opendata.exports import EXPORT_KINDS
from opendata.ocds import direct_ocid, ocid, process_releases, processes
from opendata.threesixtygiving import grant_360, grants_queryset
from registry.bin import bin_build
from tests.funding.factories import make_administrator, make_award, make_competition
from tests.opendata.test_exports import STANDARDS, _empty_everything, validate_360giving, validate_ocds
from tests.registry.factories import clerk

pytestmark = pytest.mark.django_db
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
_serials = itertools.count(501)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data at a tenth of its size, once for this module."""
    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=2230, seed=15, verbosity=0)
        yield
        _empty_everything()


def generate(code: str) -> dict:
    stream = io.StringIO()
    EXPORT_KINDS[code].write(stream)
    return json.loads(stream.getvalue())


def _rows(sql: str) -> set:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] if len(row) == 1 else tuple(row) for row in cursor.fetchall()}


def a_bin() -> str:
    """A valid BIN (registry's check digit) for a state body registered in March 1999."""
    while (value := bin_build(year=1999, month=3, serial=next(_serials))) is None:
        pass
    return value


# ---------------------------------------------------------------- the record package's structure


def record_package_validator() -> Draft4Validator:
    """OCDS 1.1's record package, as its reference documentation lays it out (the standard's
    record-package-schema.json is not among the local copies in ../shared/standards): the package metadata as
    in the release package schema, and each record's `ocid`, `releases` (linked: url and date required, tags
    from the closed releaseTag codelist; or embedded releases) and `compiledRelease`, both checked against the
    local release schema."""
    package = json.loads((STANDARDS / "ocds-1.1/release-package-schema.json").read_text())
    release = json.loads((STANDARDS / "ocds-1.1/release-schema.json").read_text())
    tags = release["properties"]["tag"]["items"]["enum"]
    properties = {key: value for key, value in package["properties"].items() if key != "releases"}
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "required": ["uri", "publisher", "publishedDate", "records", "version"],
        "properties": {
            **properties,
            "packages": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "uri"}},
            "records": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/Record"}},
        },
        "definitions": {
            "Record": {
                "type": "object",
                "required": ["ocid", "releases"],
                "properties": {
                    "ocid": {"type": "string"},
                    "releases": {
                        "oneOf": [
                            {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["url", "date"],
                                    "properties": {
                                        "url": {"type": ["string", "null"], "format": "uri"},
                                        "date": {"type": "string", "format": "date-time"},
                                        "tag": {"type": "array", "minItems": 1, "items": {"enum": tags}},
                                    },
                                },
                            },
                            {"type": "array", "minItems": 1, "items": {"$ref": RELEASE_SCHEMA_URL}},
                        ]
                    },
                    "compiledRelease": {"$ref": RELEASE_SCHEMA_URL},
                },
            }
        },
    }
    registry = Registry().with_resource(RELEASE_SCHEMA_URL, DRAFT4.create_resource(release))
    return Draft4Validator(schema, registry=registry, format_checker=FormatChecker())


def validate_records(document: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in record_package_validator().iter_errors(document)]


def test_the_record_validator_does_find_errors():
    bad = {"uri": "x", "version": "1.1", "publishedDate": "now", "publisher": {"name": "Q"}, "records": [{}]}
    errors = validate_records(bad)
    assert any("ocid" in e for e in errors) and any("date-time" in e for e in errors)
    compiled = {"ocid": "o", "releases": [{"url": "http://x/#1", "date": "2020-01-01T00:00:00Z"}]}
    compiled["compiledRelease"] = {"ocid": "o", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["compiled"]}
    compiled["compiledRelease"]["awards"] = [{"id": "a", "status": "terminated"}]  # not an award status
    assert validate_records({**bad, "publishedDate": "2020-01-01T00:00:00Z", "records": [compiled]})


# ---------------------------------------------------------------- the demo data, whole


def test_ocds_has_every_social_order_award_amendment_and_payment(demo):
    document = generate("ocds")
    assert validate_ocds(document) == []
    releases = document["releases"]
    awards = {a["id"] for r in releases for a in r.get("awards", [])}
    contracts = [c for r in releases for c in r.get("contracts", [])]
    amendments = {a["id"] for c in contracts for a in c.get("amendments", [])}
    transactions = {t["id"] for c in contracts for t in c.get("implementation", {}).get("transactions", [])}
    social = "FROM funding_award a WHERE a.mechanism = 'social_order'"
    assert awards == _rows(f"SELECT a.public_id {social}")
    assert len(awards) > 1000
    expected_amendments = _rows(
        "SELECT a.public_id, m.id FROM funding_amendment m JOIN funding_award a ON a.id = m.award_id "
        "WHERE a.mechanism = 'social_order'"
    )
    assert amendments == {f"{public_id}-amendment-{pk}" for public_id, pk in expected_amendments}
    assert amendments  # the demo amends some contracts
    expected_payments = _rows(
        "SELECT a.public_id, p.id FROM funding_payment p JOIN funding_award a ON a.id = p.award_id "
        "WHERE a.mechanism = 'social_order'"
    )
    assert transactions == {f"{public_id}-payment-{pk}" for public_id, pk in expected_payments}
    ocids = {r["ocid"] for r in releases}
    competitions = _rows("SELECT public_id FROM funding_competition WHERE mechanism = 'social_order'")
    direct = _rows(f"SELECT a.public_id {social} AND a.competition_id IS NULL")
    assert len(direct) >= 9  # the planted threshold splits, at least
    assert ocids == {f"ocds-qogam1-{c}" for c in competitions} | {f"ocds-qogam1-award-{a}" for a in direct}
    assert len({r["id"] for r in releases}) == len(releases)  # release ids are unique


def test_awards_outside_competitions_are_direct_contracting_processes(demo):
    releases = [r for r in generate("ocds")["releases"] if "-award-" in r["ocid"].removeprefix("ocds-qogam1")]
    direct = [r for r in releases if "tender" in r["tag"]]
    assert direct and len(direct) == len({r["ocid"] for r in releases})
    for release in direct:
        tender = release["tender"]
        assert tender["procurementMethod"] == "direct"
        assert tender["procurementMethodDetails"].startswith("State social order awarded without a competition")
        assert {"award", "contract"} <= set(release["tag"]) and len(release["awards"]) == 1


def test_the_record_package_validates_and_compiles_every_release(demo):
    releases = {r["id"]: r for r in generate("ocds")["releases"]}
    document = generate("ocds-records")
    assert validate_records(document) == []
    records = document["records"]
    assert len(records) == len({r["ocid"] for r in releases.values()})
    linked = [link["url"].rsplit("#", 1)[1] for record in records for link in record["releases"]]
    assert sorted(linked) == sorted(releases)  # every release, in exactly one record
    compiled_awards = {a["id"] for record in records for a in record["compiledRelease"].get("awards", [])}
    assert compiled_awards == _rows("SELECT public_id FROM funding_award WHERE mechanism = 'social_order'")
    # A paid contract compiles its award release's terms and its implementation release's payments into one.
    paid = next(
        c
        for record in records
        for c in record["compiledRelease"].get("contracts", [])
        if "implementation" in c and "period" in c
    )
    assert paid["status"] in ("active", "terminated") and paid["implementation"]["transactions"]


def test_360giving_has_every_state_award_and_amendment(demo):
    document = generate("360giving")
    assert validate_360giving(document) == []
    grants = document["grants"]
    state = "a.mechanism IN ('social_order', 'state_grant', 'ngo_award')"
    assert {g["id"] for g in grants} == {
        f"360G-qogam-{p}" for p in _rows(f"SELECT a.public_id FROM funding_award a WHERE {state}")
    }
    amendments = {a["id"] for g in grants for a in g.get("amendments", [])}
    expected = _rows(
        f"SELECT a.public_id, m.id FROM funding_amendment m JOIN funding_award a ON a.id = m.award_id WHERE {state}"
    )
    assert amendments == {f"360G-qogam-{public_id}-amendment-{pk}" for public_id, pk in expected}
    amended = next(g for g in grants if g.get("amendments"))
    change = amended["amendments"][-1]
    assert change["rationale"] and change["oldValue"] != change["newValue"]
    if change["field"] == "ends_on":
        assert amended["plannedDates"][0]["endDate"] == change["newValue"]
        assert change["oldValue"] in amended["plannedDates"][0]["description"]


def test_two_exports_a_day_apart_with_no_change_have_the_same_release_ids_and_dates(demo):
    first = generate("ocds")
    later = timezone.now() + datetime.timedelta(days=1, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        second = generate("ocds")
    assert first["publishedDate"] != second["publishedDate"]
    assert [(r["id"], r["date"]) for r in first["releases"]] == [(r["id"], r["date"]) for r in second["releases"]]
    assert first["releases"] == second["releases"]


def test_a_change_to_one_award_changes_only_its_own_release(demo):
    before = {r["id"]: r for r in generate("ocds")["releases"]}
    candidates = Award.objects.filter(mechanism="social_order", competition__isnull=False).order_by("id")
    award = candidates[len(candidates) // 2]
    services.award_amend(
        award=award,
        field_name="title",
        new_value=f"{award.title} (renamed)",
        reason="Title corrected by agreement",
        amended_on=award.awarded_on + datetime.timedelta(days=1),
        acting_user=clerk(),
    )
    after = {r["id"]: r for r in generate("ocds")["releases"]}
    gone, new = set(before) - set(after), set(after) - set(before)
    own = ocid(award.competition)
    assert [before[i]["ocid"] for i in gone] == [own] and [after[i]["ocid"] for i in new] == [own]
    (old_id,), (new_id,) = gone, new
    assert old_id.startswith(f"{own}-award-") and new_id.startswith(f"{own}-award-")
    assert after[new_id]["date"] >= before[old_id]["date"]
    contract = next(c for c in after[new_id]["contracts"] if c["awardID"] == award.public_id)
    assert (
        contract["title"].endswith("(renamed)")
        and contract["amendments"][-1]["rationale"] == "Title corrected by agreement"
    )


def _closed_codelists(schema: dict, found: dict[str, set[str]]) -> dict[str, set[str]]:
    """The codes of every closed codelist, read from the `enum` the release schema gives its fields."""
    if isinstance(schema, dict):
        items = schema.get("items")
        enum = schema.get("enum") or (items.get("enum") if isinstance(items, dict) else None)
        if schema.get("codelist") and enum:
            found.setdefault(schema["codelist"], set()).update(code for code in enum if code is not None)
        for value in schema.values():
            _closed_codelists(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _closed_codelists(value, found)
    return found


def _standard_zip() -> bytes:
    """The OCDS 1.1.5 standard as libcoveocds reads it (a ZIP of the standard's schema/ directory), made from the
    local copies: the release and release package schemas as they are; the versioned-release validation schema
    that libcoveocds also loads, derived from the local release schema by ocdsextensionregistry (as the
    standard's own build derives it); and the closed codelists, from the release schema's enums (the open
    codelists' CSV files have no local copy, so libcoveocds does not check open codelist values here)."""
    from ocdsextensionregistry.versioned_release_schema import get_versioned_release_schema

    release = json.loads((STANDARDS / "ocds-1.1/release-schema.json").read_text())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for name in ("release-schema.json", "release-package-schema.json"):
            archive.writestr(f"standard-1__1__5/schema/{name}", (STANDARDS / "ocds-1.1" / name).read_text())
        versioned = get_versioned_release_schema(release, "1__1__5")
        archive.writestr("standard-1__1__5/schema/versioned-release-validation-schema.json", json.dumps(versioned))
        for codelist, codes in _closed_codelists(release, {}).items():
            rows = "".join(f"{code}\n" for code in sorted(codes))
            archive.writestr(f"standard-1__1__5/schema/codelists/{codelist}", f"Code\n{rows}")
    return buffer.getvalue()


def test_libcoveocds_finds_no_error_in_the_release_package_offline(demo):
    """libcoveocds fetches the standard and every extension from the web unless told otherwise; here the standard
    comes from the local copies (its `standard_zip` setting) and, the lots extension having no local copy, the
    package is checked against the core schema: the lots' fields show as additional fields, never as errors."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    document = generate("ocds")
    del document["extensions"]
    config = LibCoveOCDSConfig({"context": "api", "standard_zip": _standard_zip()})
    with mock.patch("requests.Session.send", side_effect=AssertionError("libcoveocds tried the network")):
        result = ocds_json_output(json_data=document, lib_cove_ocds_config=config, record_pkg=False)
    assert result["validation_errors"] == []
    assert result["version_used"] == "1.1"
    assert result.get("json_deref_error") is None
    assert result["count"] == len(document["releases"])
    assert result["unique_ocids_count"] == len({release["ocid"] for release in document["releases"]})
    assert result["additional_closed_codelist_values"] == {} and result["additional_checks"] == {}
    assert result["deprecated_fields"] == []
    additional = {(field["path"], field["field"]) for field in result["additional_fields"]}
    assert additional <= {("/releases/tender", "lots"), ("/releases/awards", "relatedLots")}, additional


def test_libcoveocds_offline_does_report_errors():
    """Guards against a check that passes everything (a schema that loaded as nothing, say)."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    release = {"ocid": "ocds-qogam1-x", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["award"]}
    release |= {"initiationType": "tender", "awards": [{"id": "a", "status": "terminated"}]}
    document = {"uri": "http://x/", "version": "1.1", "publishedDate": "yesterday", "publisher": {"name": "Q"}}
    config = LibCoveOCDSConfig({"context": "api", "standard_zip": _standard_zip()})
    with mock.patch("requests.Session.send", side_effect=AssertionError("libcoveocds tried the network")):
        result = ocds_json_output(json_data={**document, "releases": [release]}, lib_cove_ocds_config=config)
    messages = json.dumps(result["validation_errors"])
    assert "publishedDate" in messages and "date-time" in messages
    # a value outside a closed codelist is reported apart from the structural errors
    assert result["additional_closed_codelist_values"]["releases/awards/status"]["values"] == ["terminated"]


# ---------------------------------------------------------------- one process at a time


def _process(key: str) -> list[dict]:
    return next(process_releases(p) for p in processes() if p.ocid == key)


def test_a_terminated_contract_keeps_its_award_active():
    award = make_award(awarded_on=datetime.date(2020, 3, 1))
    services.award_status_record(
        award=award, kind="in_progress", occurred_on=datetime.date(2020, 3, 6), acting_user=clerk()
    )
    services.award_status_record(
        award=award,
        kind="terminated",
        occurred_on=datetime.date(2020, 5, 1),
        reason="The recipient could not deliver",
        acting_user=clerk(),
    )
    (release,) = _process(direct_ocid(award))
    assert release["awards"][0]["status"] == "active"
    assert release["contracts"][0]["status"] == "terminated"
    assert "The recipient could not deliver" in release["contracts"][0]["description"]
    assert "contractTermination" in release["tag"]


def test_an_award_outside_a_competition_is_a_direct_award_under_the_law_of_its_day():
    award = make_award(awarded_on=datetime.date(2020, 3, 1))
    (release,) = _process(direct_ocid(award))
    assert release["tender"]["procurementMethod"] == "direct"
    assert release["tender"]["procurementMethodDetails"].endswith(LAWS[2][1])
    assert release["tag"][:3] == ["tender", "award", "contract"]
    assert release["id"].startswith(f"{direct_ocid(award)}-award-")


def test_buyers_carry_their_bin_and_a_stable_id():
    with_bin = make_administrator(bin=a_bin())
    without = make_administrator()
    found = {}
    for administrator in (with_bin, without):
        award = make_award(administrator=administrator)
        (release,) = _process(direct_ocid(award))
        found[administrator.code] = next(p for p in release["parties"] if "buyer" in p["roles"])
        assert release["buyer"]["id"] == found[administrator.code]["id"]
    assert found[with_bin.code]["identifier"] == {"scheme": "KZ-BIN", "id": with_bin.bin, "legalName": with_bin.name}
    assert found[with_bin.code]["id"] == f"KZ-BIN-{with_bin.bin}"
    assert "identifier" not in found[without.code]
    assert found[without.code]["id"] == f"360G-qogam-funder-{without.code}"


def test_each_competition_names_the_law_in_force_when_it_was_announced():
    administrator = make_administrator(bin=a_bin())
    pilot, _lots = make_competition(administrator, year=2004)
    reformed, _lots = make_competition(administrator, year=2016)
    details = {
        year: next(r for r in _process(ocid(competition)) if "tender" in r["tag"])["tender"]["procurementMethodDetails"]
        for year, competition in ((2004, pilot), (2016, reformed))
    }
    assert details[2004].endswith(LAWS[0][1]) and "Pilot" in details[2004]
    assert details[2016].endswith(LAWS[2][1]) and "429-V" in details[2016]


def test_an_amendment_goes_out_with_its_rationale_and_both_values():
    award = make_award(amount="1000000", awarded_on=datetime.date(2020, 3, 1))
    services.award_amend(
        award=award,
        field_name="amount",
        new_value="1200000",
        reason="Scope extended to a second district",
        amended_on=datetime.date(2020, 4, 1),
        acting_user=clerk(),
    )
    services.payment_create(
        award=award, paid_on=datetime.date(2020, 4, 10), amount=Decimal("300000"), kind="advance", acting_user=clerk()
    )
    releases = _process(direct_ocid(award))
    assert [r["tag"][-1] for r in releases] == ["contractAmendment", "implementation"]
    contract = releases[0]["contracts"][0]
    (amendment,) = contract["amendments"]
    assert amendment["rationale"] == "Scope extended to a second district" and amendment["date"].startswith(
        "2020-04-01"
    )
    assert amendment["description"] == "value: 1000000.00 -> 1200000"
    assert contract["value"]["amount"] == Decimal("1200000") and releases[0]["awards"][0]["value"]["amount"] == Decimal(
        "1000000"
    )
    (transaction,) = releases[1]["contracts"][0]["implementation"]["transactions"]
    assert transaction["payer"]["id"] == releases[0]["buyer"]["id"]
    assert transaction["payee"]["id"] == award.recipient.org_id
    grant = grant_360(grants_queryset().get(pk=award.pk))
    assert sum(t["value"] for t in grant["commitmentTransaction"]) == grant["amountAwarded"] == Decimal("1200000")
    assert grant["amendments"][0]["rationale"] == "Scope extended to a second district"
