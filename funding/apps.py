from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")
    # The import formats this app defines; the imports app registers them (funding imports no app above it).
    importers = [
        "funding.importers.AwardImporter",
        "funding.importers.OfficialImporter",
        "funding.importers.CommissionMemberImporter",
        "funding.importers.CommissionScoreImporter",
    ]

    def ready(self) -> None:
        from funding import receivers

        receivers.connect()
