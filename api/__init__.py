"""The public API v1 (/api/v1/): conventions shared by the apps' endpoints (docs/api.md).

Each app keeps its own endpoints next to its services (registry/api.py, funding/api.py); this package holds
what they share: pagination, errors, throttling, conditional writes and form-backed input.
"""
