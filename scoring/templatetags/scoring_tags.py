"""Template tags other apps' pages load to show scoring's panels (their Python imports nothing from here)."""

from __future__ import annotations

from django import template

from scoring.selectors import concerns_on_record, flags_on_record, flags_on_records_of

register = template.Library()


@register.inclusion_tag("scoring/_worth_a_look.html")
def worth_a_look(subject_type: str, subject_key: str, organisation_id: int | None = None) -> dict:
    """The current run's red flags on a record, worded as worth a look, each linking to its rule; for an
    administrator also how many flags its awards and competitions carry, linking to them."""
    records = flags_on_records_of(administrator=subject_key) if subject_type == "administrator" else 0
    return {
        "flags": flags_on_record(
            subject_type=subject_type, subject_key=str(subject_key), organisation_id=organisation_id
        ),
        "records": records,
        "key": subject_key,
        "subject_type": subject_type,
        "concerns": concerns_on_record(subject_type=subject_type, subject_key=str(subject_key)),
    }
