from __future__ import annotations

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        """Register the importers every app names in its AppConfig (`importers = [dotted paths]`)."""
        from imports.engine import import_kind_register

        for config in apps.get_app_configs():
            for path in getattr(config, "importers", ()):
                import_kind_register(path=path)
