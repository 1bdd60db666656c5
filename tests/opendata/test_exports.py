"""Full downloads: 360Giving and OCDS validate against the standards' schemas offline, files swap in whole,
and the page, the commands and the regeneration task do what they say."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from funding.models import Award, Competition, Payment
from funding.reference import MCI, SPLIT_THRESHOLD_MCI
from opendata.exports import EXPORT_KINDS, export_file_regenerate, write_atomically
from opendata.jsonpack import json_text
from opendata.models import ExportFile
from registry.models import Organisation
from scoring.flags import catalogue

STANDARDS = Path(__file__).resolve().parents[3] / "shared" / "standards"
pytestmark = pytest.mark.django_db


def _validator(cls, specification, package: str, *others: tuple[str, ...]):
    """The package schema, with every remote $ref it makes answered from the local copies.

    The dialect is given, not read from `$schema`: the 360Giving files name 2020-12 with an http:// URL
    that referencing does not know."""
    schema = json.loads((STANDARDS / package).read_text())
    resources = []
    for path, *aliases in others:
        contents = json.loads((STANDARDS / path).read_text())
        resource = specification.create_resource(contents)
        for url in {contents.get("$id") or contents.get("id"), *aliases}:
            resources.append((url, resource))
    registry = Registry().with_resources(resources)
    return cls(schema, registry=registry, format_checker=FormatChecker())


def validate_360giving(document: dict) -> list[str]:
    validator = _validator(
        Draft202012Validator,
        DRAFT202012,
        "360giving/360-giving-package-schema.json",
        (
            "360giving/360-giving-schema.json",
            "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
        ),
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def validate_ocds(document: dict) -> list[str]:
    validator = _validator(
        Draft4Validator, DRAFT4, "ocds-1.1/release-package-schema.json", ("ocds-1.1/release-schema.json",)
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data at a tenth of its size (its funding included), once for this module."""
    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=2230, verbosity=0)
        yield
        _empty_everything()


def _empty_everything() -> None:
    from django.apps import apps
    from django.db import connection

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


def generate(code: str) -> str:
    stream = io.StringIO()
    EXPORT_KINDS[code].write(stream)
    return stream.getvalue()


def test_the_360giving_package_of_the_demo_data_is_valid(demo):
    document = json.loads(generate("360giving"))
    assert (
        len(document["grants"])
        == Award.objects.filter(mechanism__in=("social_order", "state_grant", "ngo_award")).count()
    )
    assert validate_360giving(document) == []
    grant = next(g for g in document["grants"] if g.get("disbursementTransaction"))
    award = Award.objects.get(public_id=grant["id"].rsplit("-", 1)[1])
    assert grant["id"] == f"360G-qogam-{award.public_id}"
    assert grant["recipientOrganization"][0]["id"].startswith(("KZ-BIN-", "360G-qogam-org-"))
    assert Decimal(str(grant["amountAwarded"])) == award.amount
    paid = sum(Payment.objects.filter(award=award).values_list("amount", flat=True))
    assert Decimal(str(grant["amountDisbursed"])) == paid


def test_the_ocds_package_of_the_demo_data_is_valid(demo):
    document = json.loads(generate("ocds"))
    processes = (
        Competition.objects.filter(mechanism="social_order").count()
        + Award.objects.filter(mechanism="social_order", competition__isnull=True).count()
    )
    assert len({r["ocid"] for r in document["releases"]}) == processes > 0
    assert validate_ocds(document) == []
    release = next(r for r in document["releases"] if r.get("awards") and "-award-" not in r["ocid"])
    assert release["ocid"].startswith("ocds-qogam1-")
    roles = {role for party in release["parties"] for role in party["roles"]}
    assert {"buyer", "procuringEntity", "tenderer", "supplier"} <= roles
    tender = next(r for r in document["releases"] if r["ocid"] == release["ocid"] and "tender" in r["tag"])["tender"]
    assert tender["numberOfTenderers"] >= 1 and tender["lots"]


def test_the_validators_do_find_errors():
    """Guards against a validator that passes everything (a $ref that resolves to nothing, say)."""
    assert validate_360giving({"grants": [{"id": "x"}]})
    assert validate_ocds(
        {"uri": "x", "version": "1.1", "publishedDate": "yesterday", "publisher": {}, "releases": [{}]}
    )


def test_amounts_are_exact_json_numbers():
    text = json_text({"a": Decimal("12345678901234567.89"), "b": [Decimal("0.10")]})
    assert text == '{"a": 12345678901234567.89, "b": [0.10]}'


def test_csv_downloads_have_every_row(demo):
    rows = list(csv.reader(io.StringIO(generate("organisations").lstrip("\ufeff"))))
    assert rows[0][0] == "org_id" and len(rows) - 1 == Organisation.objects.filter(merged_into__isnull=True).count()
    reports = list(csv.reader(io.StringIO(generate("reports").lstrip("\ufeff"))))
    assert reports[0][:3] == ["org_id", "bin", "year"] and len(reports) > 1


# ---------------------------------------------------------------- files, page, commands


def test_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "file.csv"
    write_atomically(target, lambda s: s.write("old") or 1)

    def broken(stream):
        stream.write("half a fi")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(target, broken)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["file.csv"]


def test_the_page_lists_files_with_time_size_and_rows(client, settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path
    assert "not generated yet" in client.get(reverse("opendata:exports")).content.decode()
    record = export_file_regenerate(kind="organisations")
    page = client.get(reverse("opendata:exports")).content.decode()
    assert record.filename in page and "not generated yet" in page  # the others still are not
    response = client.get(reverse("opendata:export_download", args=[record.filename]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert client.get(reverse("opendata:export_download", args=["qogam-ocds.json"])).status_code == 404
    assert client.get("/exports/..%2Fconfig%2Fsettings%2Fbase.py").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("anonymous", 403), ("signed_in_user", 403), ("moderator", 302)])
def test_only_moderators_queue_a_regeneration(client, request, settings, tmp_path, role, status):
    settings.EXPORTS_ROOT = tmp_path
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("opendata:exports")).status_code == status
    assert ExportFile.objects.count() == (len(EXPORT_KINDS) if status == 302 else 0)


def test_the_commands_write_their_files(tmp_path):
    for name, args in (
        ("export_360giving", []),
        ("export_ocds", []),
        ("export_csv", ["awards"]),
        ("export_csv", ["organisations"]),
    ):
        target = tmp_path / f"{name}-{'-'.join(args)}.out"
        call_command(name, *args, str(target), stderr=io.StringIO())
        assert target.stat().st_size > 0


def test_a_change_schedules_one_regeneration_later(settings):
    from unittest import mock

    from opendata import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EXPORTS_DEBOUNCE_SECONDS = 60
    with mock.patch.object(tasks.exports_regenerate, "apply_async") as queued:
        assert tasks.exports_schedule() is True
        assert tasks.exports_schedule() is False  # debounced: one is waiting
    queued.assert_called_once_with((), countdown=60)


def test_with_redis_unreachable_a_change_still_saves(settings):
    from unittest import mock

    from opendata import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("django.core.cache.cache.add", return_value=None):  # what django-redis answers while down
        assert tasks.exports_schedule() is False
    with mock.patch.object(tasks.exports_regenerate, "apply_async", side_effect=ConnectionError("Redis down")):
        assert tasks.exports_schedule() is False


def test_the_demo_datas_planted_irregular_cases_are_all_found(demo):
    """The demo plants its irregular cases on purpose (funding/demo.py); the flags must find every kind."""
    import datetime

    from scoring.flags import FLAG_FINDERS

    today = datetime.date(2026, 11, 22)
    found = {code: list(function(today=today)) for code, function in FLAG_FINDERS.items()}
    split_years = {hit.year for hit in found["threshold_splitting"]}
    assert {2019, 2022, 2024} <= split_years  # the three planted triples
    assert all(len([h for h in found["threshold_splitting"] if h.year == y]) >= 3 for y in (2019, 2022, 2024))
    for code in ("single_applicant", "new_born", "year_end_rush", "price_outlier", "overdue_reporting"):
        assert found[code], code
    reasons = {tuple(sorted(h.values)) for h in found["ineligible_recipient"]}
    assert reasons == {("legal_form",), ("status_on_award_date",)}  # both planted kinds
    for code in ("not_reporting", "self_report_mismatch", "shared_contacts", "double_funding", "captive_recipient"):
        assert found[code], code


def test_flags_reconcile_with_raw_sql_on_the_demo_data(demo):
    """Independent raw-SQL computations of three flags and of concentration give the same sets."""
    import datetime
    from decimal import Decimal

    from django.db import connection

    from registry.models import REPORT_INCOME_FIELDS
    from scoring.flags import FLAG_FINDERS, concentration_rows

    today = datetime.date(2026, 11, 22)
    state = "('social_order', 'state_grant', 'ngo_award')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.public_id, l.number FROM funding_lot l JOIN funding_competition c ON c.id = l.competition_id "
            f"LEFT JOIN funding_application a ON a.lot_id = l.id WHERE c.mechanism IN {state} "
            f"GROUP BY l.id, c.public_id, l.number, l.reported_applicants "
            f"HAVING (COUNT(a.id) > 0 "
            f"AND SUM(CASE WHEN a.outcome NOT IN ('rejected', 'withdrawn') THEN 1 ELSE 0 END) = 1) "
            f"OR (COUNT(a.id) = 0 AND l.reported_applicants = 1)"
        )
        single = {(key, number) for key, number in cursor.fetchall()}
        cursor.execute(
            "SELECT organisation_id, year FROM registry_yearlyreport r JOIN registry_organisation o ON o.id = "
            "r.organisation_id WHERE o.merged_into_id IS NULL AND (COALESCE(income_social_order, 0) + "
            "COALESCE(income_state_grants, 0) + COALESCE(income_state_awards, 0)) * 10 >= 9 * ("
            + " + ".join(f"COALESCE({n}, 0)" for n in REPORT_INCOME_FIELDS)
            + ") AND ("
            + " + ".join(f"COALESCE({n}, 0)" for n in REPORT_INCOME_FIELDS)
            + ") > 0"
        )
        dependent = set(cursor.fetchall())
        busiest = max(concentration_rows(by="administrator"), key=lambda r: r["awards"])
        cursor.execute(
            f"SELECT ad.code, a.recipient_id, SUM(a.amount) FROM funding_award a JOIN funding_administrator ad "
            f"ON ad.id = a.administrator_id WHERE a.mechanism IN {state} AND ad.code = %s AND a.awarded_on >= %s "
            f"AND a.awarded_on < %s GROUP BY ad.code, a.recipient_id",
            [busiest["key"], datetime.date(busiest["year"], 1, 1), datetime.date(busiest["year"] + 1, 1, 1)],
        )
        by_recipient = cursor.fetchall()
    assert {(h.subject_key, h.values["lot"]) for h in FLAG_FINDERS["single_applicant"](today=today)} == single
    found = {(h.organisation_id, h.year) for h in FLAG_FINDERS["state_dependency"](today=today)}
    assert found == dependent
    assert busiest["recipients"] == len(by_recipient)
    assert busiest["total"] == sum(Decimal(str(row[2])) for row in by_recipient)


def _sql_year(column: str) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"
    return f"CAST(strftime('%%Y', {column}) AS integer)"


def _sql_month_day(column: str) -> str:
    from django.db import connection

    return f"to_char({column}, 'MM-DD')" if connection.vendor == "postgresql" else f"strftime('%%m-%%d', {column})"


def test_reporting_flags_reconcile_with_raw_sql_on_the_demo_data(demo):
    """Not reporting, self-report mismatch and overdue reporting, computed in raw SQL, give the same sets."""
    import datetime

    from django.db import connection

    from scoring.flags import FLAG_FINDERS

    today = datetime.date(2026, 11, 22)
    state = "('social_order', 'state_grant', 'ngo_award')"
    # The report that had to be filed before an award: last year's once it fell due (31 March), else the one before.
    required = (
        f"({_sql_year('a.awarded_on')} - 1 - CASE WHEN {_sql_month_day('a.awarded_on')} < '03-31' THEN 1 ELSE 0 END)"
    )
    declared = (
        "COALESCE(r.income_social_order, 0) + COALESCE(r.income_state_grants, 0) + COALESCE(r.income_state_awards, 0)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.public_id FROM funding_award a JOIN registry_organisation o ON o.id = a.recipient_id "
            f"WHERE a.mechanism IN {state} AND a.awarded_on >= %s "
            f"AND (o.registered_on IS NULL OR {_sql_year('o.registered_on')} <= {required}) "
            f"AND NOT EXISTS (SELECT 1 FROM registry_yearlyreport r WHERE r.organisation_id = a.recipient_id "
            f"AND r.year = {required} AND r.submitted_on <= a.awarded_on)",
            [datetime.date(2018, 1, 1)],
        )
        not_reporting = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT r.organisation_id, r.year FROM registry_yearlyreport r "
            f"JOIN registry_organisation o ON o.id = r.organisation_id "
            f"LEFT JOIN (SELECT a.recipient_id AS org, {_sql_year('p.paid_on')} AS year, SUM(p.amount) AS paid "
            f"FROM funding_payment p JOIN funding_award a ON a.id = p.award_id WHERE a.mechanism IN {state} "
            f"GROUP BY 1, 2) t ON t.org = r.organisation_id AND t.year = r.year "
            f"WHERE o.merged_into_id IS NULL AND (r.income_social_order IS NOT NULL "
            f"OR r.income_state_grants IS NOT NULL OR r.income_state_awards IS NOT NULL) "
            f"AND ABS(({declared}) - COALESCE(t.paid, 0)) > 1000000 "
            f"AND ABS(({declared}) - COALESCE(t.paid, 0)) * 10 > CASE WHEN ({declared}) > COALESCE(t.paid, 0) "
            f"THEN ({declared}) ELSE COALESCE(t.paid, 0) END",
            [],  # with parameters, so the %% in the year expression reads as one %
        )
        mismatched = set(cursor.fetchall())
        cursor.execute(
            f"SELECT a.public_id FROM funding_award a WHERE a.mechanism IN {state} AND a.ends_on < %s "
            f"AND a.status <> 'terminated' AND ("
            f"(EXISTS (SELECT 1 FROM funding_evaluation e WHERE e.award_id = a.id AND e.report_received_on IS NULL "
            f"AND e.report_due_on < %s) AND NOT EXISTS (SELECT 1 FROM funding_evaluation e WHERE e.award_id = a.id "
            f"AND e.report_received_on IS NOT NULL)) "
            f"OR (NOT EXISTS (SELECT 1 FROM funding_evaluation e WHERE e.award_id = a.id) AND a.ends_on < %s))",
            [today, today, today - datetime.timedelta(days=90)],
        )
        overdue = {row[0] for row in cursor.fetchall()}
    assert not_reporting  # the demo plants some
    assert {h.subject_key for h in FLAG_FINDERS["not_reporting"](today=today)} == not_reporting
    assert mismatched
    assert {(h.organisation_id, h.year) for h in FLAG_FINDERS["self_report_mismatch"](today=today)} == mismatched
    assert overdue
    assert {h.subject_key for h in FLAG_FINDERS["overdue_reporting"](today=today)} == overdue


def test_award_pattern_flags_reconcile_with_raw_sql_on_the_demo_data(demo):
    """Captive recipient and threshold splitting, computed in raw SQL, give the same sets."""
    import datetime

    from django.db import connection

    from scoring import flags

    today = datetime.date(2026, 11, 22)
    state = "('social_order', 'state_grant', 'ngo_award')"
    days_apart = (
        "(n1.awarded_on - n2.awarded_on)"
        if connection.vendor == "postgresql"
        else "(julianday(n1.awarded_on) - julianday(n2.awarded_on))"
    )
    mci = ", ".join(f"({year}, {value})" for year, value in MCI.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.recipient_id FROM funding_award a WHERE a.mechanism IN {state} GROUP BY a.recipient_id "
            f"HAVING COUNT(DISTINCT a.administrator_id) = 1 "
            f"AND COUNT(DISTINCT {_sql_year('a.awarded_on')}) >= %s "
            f"UNION SELECT MIN(a.recipient_id) FROM funding_award a JOIN funding_lot l ON l.id = a.lot_id "
            f"WHERE a.mechanism IN {state} GROUP BY a.competition_id "
            f"HAVING COUNT(DISTINCT a.recipient_id) = 1 AND COUNT(DISTINCT a.lot_id) >= 2 "
            f"AND COUNT(DISTINCT a.lot_id) = (SELECT COUNT(*) FROM funding_lot l2 "
            f"WHERE l2.competition_id = a.competition_id)",
            [catalogue.CAPTIVE_YEARS],
        )
        captive = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            f"WITH mci(year, value) AS (VALUES {mci}), near AS (SELECT a.id, a.public_id, a.administrator_id, "
            f"a.recipient_id, a.awarded_on FROM funding_award a JOIN mci ON mci.year = {_sql_year('a.awarded_on')} "
            f"WHERE a.mechanism IN {state} AND a.competition_id IS NULL "
            f"AND a.amount * 100 >= %s * %s * mci.value AND a.amount < %s * mci.value) "
            f"SELECT DISTINCT n1.public_id FROM near n1 JOIN near n2 ON n1.administrator_id = n2.administrator_id "
            f"AND n1.recipient_id = n2.recipient_id AND n1.id <> n2.id AND ABS({days_apart}) <= %s",
            [
                int(catalogue.SPLIT_SHARE * 100),
                SPLIT_THRESHOLD_MCI,
                SPLIT_THRESHOLD_MCI,
                catalogue.SPLIT_WINDOW_DAYS,
            ],
        )
        split = {row[0] for row in cursor.fetchall()}
    assert captive and split
    assert {h.organisation_id for h in flags.FLAG_FINDERS["captive_recipient"](today=today)} == captive
    assert {h.subject_key for h in flags.FLAG_FINDERS["threshold_splitting"](today=today)} == split


def test_peer_and_overlap_flags_reconcile_with_raw_sql_on_the_demo_data(demo):
    """Double funding (overlaps in raw SQL), and year-end rush and price outlier (their inputs in raw SQL, their
    fences by the standard library's inclusive quartiles) give the same sets."""
    import datetime
    import statistics

    from django.db import connection

    from scoring import flags

    today = datetime.date(2026, 11, 22)
    state = "('social_order', 'state_grant', 'ngo_award')"
    import math

    from scoring.flags import catalogue

    def outside(values: dict) -> set:
        """The keys whose value lies beyond Q1 - 1.5 IQR or Q3 + 1.5 IQR of all the values."""
        q1, _median, q3 = statistics.quantiles(sorted(values.values()), n=4, method="inclusive")
        low, high = q1 - Decimal("1.5") * (q3 - q1), q3 + Decimal("1.5") * (q3 - q1)
        return {key for key, value in values.items() if value < low or value > high}

    with connection.cursor() as cursor:
        cursor.execute(
            # A similar project (docs/methodology.md): same field and region, the smaller amount at least half the
            # larger, two administrators, overlapping periods.
            f"SELECT DISTINCT a1.public_id FROM funding_award a1 JOIN funding_award a2 "
            f"ON a1.recipient_id = a2.recipient_id AND a1.field_id = a2.field_id "
            f"AND a1.region_id = a2.region_id AND a1.administrator_id <> a2.administrator_id "
            f"AND a1.amount * 2 >= a2.amount AND a2.amount * 2 >= a1.amount "
            f"AND COALESCE(a2.starts_on, a2.awarded_on) <= COALESCE(a1.ends_on, a1.starts_on, a1.awarded_on) "
            f"AND COALESCE(a1.starts_on, a1.awarded_on) <= COALESCE(a2.ends_on, a2.starts_on, a2.awarded_on) "
            f"WHERE a1.mechanism IN {state} AND a2.mechanism IN {state}",
            [],
        )
        double = {row[0] for row in cursor.fetchall()}
        # Year-end rush (docs/methodology.md): December events of an administrator against the pooled share of
        # every other administrator that year, for awards made and projects completed, with the thresholds of the
        # catalogue and an exact binomial tail written here with math.comb.
        events = {
            "awards": ("a.awarded_on", "1 = 1"),
            "completions": (
                "a.ends_on",
                f"a.ends_on IS NOT NULL AND a.ends_on <= '{today}' AND a.status <> 'terminated'",
            ),
        }
        rush = set()
        for day, condition in events.values():
            cursor.execute(
                f"SELECT ad.code, {_sql_year(day)}, COUNT(*), "
                f"SUM(CASE WHEN {_sql_month_day(day)} >= '12-01' THEN 1 ELSE 0 END) "
                f"FROM funding_award a JOIN funding_administrator ad ON ad.id = a.administrator_id "
                f"WHERE a.mechanism IN {state} AND {condition} GROUP BY 1, 2",
                [],
            )
            counted = cursor.fetchall()
            years: dict[int, list[int]] = {}
            for _code, year, n, december in counted:
                years.setdefault(year, [0, 0])
                years[year][0] += n
                years[year][1] += december
            for code, year, n, december in counted:
                others, others_december = years[year][0] - n, years[year][1] - december
                if others <= 0 or n < catalogue.RUSH_MIN_EVENTS:
                    continue
                pooled = (Decimal(others_december) / others).quantize(Decimal("0.0001"))
                share = Decimal(december) / n
                p = float(pooled)
                tail = sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(december, n + 1))
                if (
                    share >= catalogue.RUSH_MIN_SHARE
                    and share >= pooled + catalogue.RUSH_MARGIN
                    and tail < catalogue.RUSH_SIGNIFICANCE
                ):
                    rush.add((code, year))
        cursor.execute(
            f"SELECT a.public_id, a.mechanism, {_sql_year('a.awarded_on')}, a.amount, l.planned_amount "
            f"FROM funding_award a JOIN funding_lot l ON l.id = a.lot_id "
            f"WHERE a.mechanism IN {state} AND l.planned_amount > 0 "
            f"AND NOT EXISTS (SELECT 1 FROM funding_award o WHERE o.lot_id = a.lot_id AND o.id <> a.id)",
            [],
        )
        ratios: dict[tuple, dict] = {}
        for public_id, mechanism, year, amount, planned in cursor.fetchall():
            ratio = (Decimal(str(amount)) / Decimal(str(planned))).quantize(Decimal("0.0001"))
            ratios.setdefault((mechanism, year), {})[public_id] = ratio
        outliers = set().union(*(outside(group) for group in ratios.values() if len(group) >= 4))
    assert double and rush and outliers
    assert {h.subject_key for h in flags.FLAG_FINDERS["double_funding"](today=today)} == double
    assert {(h.subject_key, h.year) for h in flags.FLAG_FINDERS["year_end_rush"](today=today)} == rush
    assert {h.subject_key for h in flags.FLAG_FINDERS["price_outlier"](today=today)} == outliers


def test_new_born_reconciles_with_raw_sql_on_the_demo_data(demo):
    """New-born recipients: awards within a year of the registration date, or of the month the BIN encodes."""
    import datetime

    from django.db import connection

    from scoring import flags

    today = datetime.date(2026, 11, 22)

    def a_year_after(day: datetime.date) -> datetime.date:
        return day.replace(year=day.year + 1) if (day.month, day.day) != (2, 29) else datetime.date(day.year + 1, 3, 1)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.public_id, a.awarded_on, o.registered_on, o.bin FROM funding_award a "
            "JOIN registry_organisation o ON o.id = a.recipient_id "
            "WHERE a.mechanism IN ('social_order', 'state_grant', 'ngo_award') "
            "AND (o.registered_on IS NOT NULL OR o.bin IS NOT NULL)",
            [],
        )
        newborn = set()
        for public_id, awarded, registered, bin_ in cursor.fetchall():
            awarded = datetime.date.fromisoformat(str(awarded))
            if registered is not None:
                start = datetime.date.fromisoformat(str(registered))
            else:  # digits 1-4 of the BIN: year and month of registration, in the latest century not ahead of today
                year = 2000 + int(bin_[:2])
                start = datetime.date(year if year <= today.year else year - 100, int(bin_[2:4]), 1)
            if awarded < a_year_after(start):
                newborn.add(public_id)
    assert newborn
    assert {h.subject_key for h in flags.FLAG_FINDERS["new_born"](today=today)} == newborn


def test_ineligible_recipients_reconcile_with_raw_sql_on_the_demo_data(demo):
    """Awards to a legal form that is not an NGO, or to an organisation whose last status event by the award
    date liquidated or reorganised it."""
    import datetime

    from django.db import connection

    from scoring import flags

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.public_id FROM funding_award a JOIN registry_organisation o ON o.id = a.recipient_id "
            "JOIN registry_legalform f ON f.code = o.legal_form_id "
            "WHERE a.mechanism IN ('social_order', 'state_grant', 'ngo_award') AND (NOT f.ngo_eligible OR ("
            "SELECT e.kind FROM registry_statusevent e WHERE e.organisation_id = o.id AND e.occurred_on <= "
            "a.awarded_on ORDER BY e.occurred_on DESC, e.id DESC LIMIT 1) IN ('liquidated', 'reorganised'))",
            [],
        )
        ineligible = {row[0] for row in cursor.fetchall()}
    assert len(ineligible) >= 2
    found = flags.FLAG_FINDERS["ineligible_recipient"](today=datetime.date(2026, 11, 22))
    assert {h.subject_key for h in found} == ineligible


def test_concentration_reconciles_with_raw_sql_for_every_group(demo):
    """HHI, top-1 and top-5 shares, recipients and awards of every administrator-year and region-year, and the
    concentration flag, from raw SQL sums and exact fractions."""
    import datetime
    import math
    from fractions import Fraction

    from django.db import connection

    from scoring import flags

    def tenth(value: Fraction) -> Decimal:  # half up, to one decimal
        return Decimal(math.floor(value * 10 + Fraction(1, 2))) / 10

    expected = {}
    with connection.cursor() as cursor:
        for by, column in (("administrator", "ad.code"), ("region", "a.region_id")):
            cursor.execute(
                f"SELECT {column}, {_sql_year('a.awarded_on')}, a.recipient_id, SUM(a.amount), COUNT(*) "
                f"FROM funding_award a JOIN funding_administrator ad ON ad.id = a.administrator_id "
                f"WHERE a.mechanism IN ('social_order', 'state_grant', 'ngo_award') AND {column} IS NOT NULL "
                f"GROUP BY 1, 2, 3",
                [],
            )
            groups: dict[tuple, list] = {}
            for key, year, _recipient, amount, n in cursor.fetchall():
                groups.setdefault((by, key, year), []).append((Fraction(str(amount)), n))
            for group, rows in groups.items():
                amounts = sorted((a for a, _n in rows), reverse=True)
                total = sum(amounts)
                expected[group] = {
                    "awards": sum(n for _a, n in rows),
                    "recipients": len(amounts),
                    "hhi": tenth(sum((a * 100 / total) ** 2 for a in amounts if a > 0)),
                    "top1_share": tenth(amounts[0] * 100 / total),
                    "top5_share": tenth(sum(amounts[:5]) * 100 / total),
                }
    computed = {
        (by, row["key"], row["year"]): {
            name: row[name] for name in ("awards", "recipients", "hhi", "top1_share", "top5_share")
        }
        for by in ("administrator", "region")
        for row in flags.concentration_rows(by=by)
    }
    assert computed == expected
    concentrated = {
        (key, year)
        for (by, key, year), row in expected.items()
        if by == "administrator"
        and row["awards"] >= catalogue.MIN_AWARDS_FOR_CONCENTRATION
        and row["recipients"] >= 5  # fewer recipients make HHI >= 2,500 certain by arithmetic: not judged
        and row["hhi"] >= 2500
    }
    assert concentrated
    found = flags.FLAG_FINDERS["concentration"](today=datetime.date(2026, 11, 22))
    assert {(h.subject_key, h.year) for h in found} == concentrated


def test_shared_contacts_reconcile_with_raw_sql_on_the_demo_data(demo):
    """Shared phones, e-mails and addresses among applicants and recipients, normalised in SQL the way the demo
    writes them (phone digits, the last ten; e-mail trimmed and lower-cased; address without commas and
    full stops), across different families (a branch and its parent are one)."""
    import datetime

    from django.db import connection

    from scoring import flags

    def normalised(kind: str, t: str) -> str:
        if kind == "email":
            return f"LOWER(TRIM({t}.email))"
        if kind == "address":
            return f"REPLACE(REPLACE({t}.address, ',', ''), '.', '')"
        digits = f"{t}.phone"
        for mark in (" ", "+", "-", "(", ")"):
            digits = f"REPLACE({digits}, '{mark}', '')"
        last_ten = f"RIGHT({digits}, 10)" if connection.vendor == "postgresql" else f"SUBSTR({digits}, -10)"
        return f"CASE WHEN LENGTH({digits}) >= 10 THEN {last_ten} ELSE '' END"

    def involved(t: str) -> str:
        return (
            f"{t}.merged_into_id IS NULL AND ({t}.id IN (SELECT recipient_id FROM funding_award) "
            f"OR {t}.id IN (SELECT applicant_id FROM funding_application))"
        )

    shared = set()
    with connection.cursor() as cursor:
        for kind in ("phone", "email", "address"):
            cursor.execute(
                f"SELECT o.id FROM registry_organisation o JOIN (SELECT {normalised(kind, 'i')} AS v "
                f"FROM registry_organisation i WHERE {involved('i')} GROUP BY {normalised(kind, 'i')} "
                f"HAVING COUNT(DISTINCT COALESCE(i.parent_id, i.id)) >= 2) s ON s.v = {normalised(kind, 'o')} "
                f"WHERE s.v <> '' AND {involved('o')}",
                [],
            )
            shared |= {(row[0], kind) for row in cursor.fetchall()}
    assert shared
    found = flags.FLAG_FINDERS["shared_contacts"](today=datetime.date(2026, 11, 22))
    assert {(h.organisation_id, h.values["contact"]) for h in found} == shared
