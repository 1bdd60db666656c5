"""Template tags other apps' pages load to show scoring's panels (their Python imports nothing from here)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from scoring.flags.figures import flags_titled
from scoring.indicators import CSI_INDICATORS
from scoring.selectors import concerns_on_record, flags_on_record, flags_on_records_of, summary_run_current

register = template.Library()


@register.inclusion_tag("scoring/_worth_a_look.html")
def worth_a_look(subject_type: str, subject_key: str, organisation_id: int | None = None) -> dict:
    """The current run's red flags on a record, worded as worth a look, each linking to its rule; for an
    administrator also how many flags its awards and competitions carry, linking to them."""
    run = summary_run_current()
    records = flags_on_records_of(administrator=subject_key, run=run) if subject_type == "administrator" else 0
    flags = flags_on_record(
        subject_type=subject_type, subject_key=str(subject_key), organisation_id=organisation_id, run=run
    )
    return {
        "flags": flags_titled(flags),
        "records": records,
        "key": subject_key,
        "subject_type": subject_type,
        "concerns": concerns_on_record(subject_type=subject_type, subject_key=str(subject_key)),
    }


def csi_wording() -> dict[str, str]:
    """Each yearly-report field a CSI indicator reads, with the indicator's wording (scoring/indicators.py,
    the one home of it): "CSI 2.1.1, Management: Positive when …"."""
    wording: dict[str, str] = {}
    for indicator in CSI_INDICATORS:
        # Translators: "CSI" is the Civil Society Index's abbreviation: write it as your language abbreviates
        # the index (as in "CSI indicators"), e.g. ИГО in Russian, АҚИ in Kazakh.
        text = _("CSI %(code)s, %(name)s: %(rule)s") % {
            "code": indicator.code,
            "name": indicator.name,
            "rule": indicator.rule,
        }
        for name in indicator.inputs:
            wording[name] = f"{wording[name]} {text}" if name in wording else text
    return wording


@register.simple_tag
def report_fieldsets(form) -> list:
    """The yearly report form's groups (legend, bound fields), each CSI question with the CSI wording as its
    help text, so the field is described by it (aria-describedby). Call it before any field is rendered."""
    wording = csi_wording()
    for name, field in form.fields.items():
        if name in wording:
            field.help_text = f"{field.help_text} {wording[name]}" if field.help_text else wording[name]
    return form.fieldsets()
