from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")
    # The import formats this app defines; the imports app registers them (registry imports no app above it).
    importers = [
        "registry.importers.OrganisationImporter",
        "registry.importers.ReportImporter",
        "registry.importers.OrganisationRoleImporter",
    ]

    def ready(self) -> None:
        from registry import signals

        signals.connect(self)
