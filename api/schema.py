"""OpenAPI post-processing: every operation documents the API's error responses, in their one shape, and its
query parameters as the API reads them (an empty value is the parameter left out; years and page sizes have
their bounds), so that a schema-driven client, or fuzzer, finds the API doing what the schema says."""

from __future__ import annotations

from api.common import AMOUNT_PATTERN, SEGMENT_PATTERN

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "what went wrong, in plain words"},
        "errors": {
            "type": "object",
            "description": "field name -> its messages (`non_field_errors` for the whole input)",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "errors"],
}
READ_ERRORS = {
    "400": "a malformed query parameter, named in `errors`",
    "404": "no such record",
    "429": "too many anonymous requests; wait and retry",
}
WRITE_ERRORS = {
    "400": "invalid input: each field's messages in `errors`",
    "401": "no credentials: sign in or send `Authorization: Token …`",
    "403": "this account may not change this record",
    "404": "no such record",
}
CONDITIONAL_ERRORS = {
    "412": "the record changed since the ETag you sent; nothing was written",
    "428": "send If-Match with the ETag of your last GET",
}
REDIRECTING = ("/api/v1/organisations/{org_id}/",)  # and every path below it


DATABASE_LIMITS = {32767, 2147483647, 9223372036854775807}


def _drop_database_limits(node) -> None:
    """Integer maxima that come from the database's column ranges (SQLite reports 64-bit ones, PostgreSQL
    smallint or integer) are not part of the API's contract, and would make the schema differ by database."""
    if isinstance(node, dict):
        if node.get("type") == "integer" and node.get("maximum") in DATABASE_LIMITS:
            node.pop("maximum")
            if node.get("format") == "int64":
                node.pop("format")
        for value in node.values():
            _drop_database_limits(value)
    elif isinstance(node, list):
        for value in node:
            _drop_database_limits(value)


def add_error_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    _drop_database_limits(result.get("components", {}))
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            errors = dict(READ_ERRORS) if method == "get" else dict(WRITE_ERRORS)
            if method == "patch":
                errors |= CONDITIONAL_ERRORS
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                responses.setdefault(code, {"description": description, "content": reference})
            if any(path.startswith(prefix.rsplit("{", 1)[0]) and "{org_id}" in path for prefix in REDIRECTING):
                responses.setdefault(
                    "301", {"description": "an old identifier or a bare BIN: follow Location to the canonical URL"}
                )
    return result


# Numbers in query strings as api.common reads them: ASCII digits, one way to write each (no leading zeros,
# no exponent, no ".0"), so a client building a URL from the schema builds one the API reads.
YEAR = {"type": "string", "pattern": r"^(199[1-9]|20[0-9][0-9]|2100)$", "example": "2024"}
PARAMETER_SCHEMAS = {
    "year": YEAR,  # in a query, and in a path (/organisations/{org_id}/reports/{year}/)
    "segment": {"type": "string", "pattern": SEGMENT_PATTERN, "example": "region:KZ-71", "default": "all"},
    "year_from": YEAR,
    "year_to": YEAR,
    # more than 200 gives 200 rows (api.common.Cursor); at most PAGE_SIZE_LIMIT is accepted
    "page_size": {"type": "string", "pattern": r"^([1-9][0-9]{0,5}|1000000)$", "example": "50"},
    "amount_min": {"type": "string", "pattern": f"^{AMOUNT_PATTERN}$", "example": "1000000.50"},
    "amount_max": {"type": "string", "pattern": f"^{AMOUNT_PATTERN}$", "example": "1000000.50"},
}


def describe_query_parameters(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: numbers as they are read, and `allowEmptyValue` on every
    optional query parameter (the filters read `?year=` as no year, as a form's blank field)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in PARAMETER_SCHEMAS:
                    parameter["schema"] = dict(PARAMETER_SCHEMAS[parameter["name"]])
                if parameter.get("in") != "query":
                    continue
                if parameter["name"] in PARAMETER_SCHEMAS:
                    parameter["schema"] = dict(PARAMETER_SCHEMAS[parameter["name"]])
                if not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
