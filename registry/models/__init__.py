"""The registry's models, one module per concern; everything is importable from `registry.models`."""

from __future__ import annotations

from registry.models.accounts import EmailConfirmation, Invitation, Membership, OwnershipClaim, claim_document_path
from registry.models.documents import Document, document_path
from registry.models.facets import FacetCell, FacetMember, FacetState, FacetWord, FacetWordCell
from registry.models.history import ChangeRecord, Merge
from registry.models.organisation import (
    MSG_NO_TERRITORIAL_LEVEL,
    MSG_OWN_PARENT,
    MSG_REGISTERED_BEFORE_BIN,
    MSG_REGISTERED_IN_FUTURE,
    Organisation,
    OrganisationField,
    OrganisationName,
    StatusEvent,
    bin_org_id,
    fallback_org_id,
    registered_sort_key,
)
from registry.models.people import OrganisationRole, Person, RoleSource
from registry.models.reference import DemoDataset, FieldOfActivity, LegalForm, Region, TranslatedName
from registry.models.reports import (
    MSG_REPORT_BEFORE_REGISTRATION,
    MSG_REPORT_IN_FUTURE,
    MSG_REPORT_TOO_EARLY,
    REPORT_ANSWER_FIELDS,
    REPORT_COUNT_FIELDS,
    REPORT_FILE_COLUMNS,
    REPORT_INCOME_FIELDS,
    REPORT_MONEY_FIELDS,
    REPORT_STATE_INCOME_FIELDS,
    YearlyReport,
    report_document_path,
    report_due_on,
    report_year_open,
    report_year_problems,
)

__all__ = [
    "MSG_NO_TERRITORIAL_LEVEL",
    "MSG_OWN_PARENT",
    "MSG_REGISTERED_BEFORE_BIN",
    "MSG_REGISTERED_IN_FUTURE",
    "MSG_REPORT_BEFORE_REGISTRATION",
    "MSG_REPORT_IN_FUTURE",
    "MSG_REPORT_TOO_EARLY",
    "REPORT_ANSWER_FIELDS",
    "REPORT_COUNT_FIELDS",
    "REPORT_FILE_COLUMNS",
    "REPORT_INCOME_FIELDS",
    "REPORT_MONEY_FIELDS",
    "REPORT_STATE_INCOME_FIELDS",
    "ChangeRecord",
    "DemoDataset",
    "Document",
    "EmailConfirmation",
    "FacetCell",
    "FacetMember",
    "FacetState",
    "FacetWord",
    "FacetWordCell",
    "FieldOfActivity",
    "Invitation",
    "LegalForm",
    "Membership",
    "Merge",
    "Organisation",
    "OrganisationField",
    "OrganisationName",
    "OrganisationRole",
    "OwnershipClaim",
    "Person",
    "Region",
    "RoleSource",
    "StatusEvent",
    "TranslatedName",
    "YearlyReport",
    "bin_org_id",
    "claim_document_path",
    "document_path",
    "fallback_org_id",
    "registered_sort_key",
    "report_document_path",
    "report_due_on",
    "report_year_open",
    "report_year_problems",
]
