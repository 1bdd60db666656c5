"""OpenAPI post-processing: every operation documents the API's error responses, in their one shape."""

from __future__ import annotations

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
