from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imports.engine import import_kinds_for, size_problem
from registry.uploads import upload_too_large

MSG_FILE_TYPE = _("the file must be a .csv or .xlsx file.")
MSG_CHOOSE_OPTION = _("choose one for this format.")


class ImportForm(forms.Form):
    """The formats this user may import, and each format's options (awards: which administrator's file)."""

    kind = forms.ChoiceField(label=_("Format"))
    administrator = forms.ChoiceField(
        label=_("Administrator"), required=False, help_text=_("for awards: whose file this is")
    )
    file = forms.FileField(label=_("CSV or XLSX file"), help_text=_("the exact columns of the format's template"))
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"),
        choices=[
            ("auto", _("UTF-8 or UTF-16 (Excel: “CSV UTF-8” or “Unicode text”)")),
            ("windows-1251", _("Windows-1251 (older Excel in Russian): check the names in the dry run")),
        ],
        initial="auto",
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = {kind.code: kind for kind in import_kinds_for(user)}
        self.fields["kind"].choices = [(code, kind.label) for code, kind in self.kinds.items()]
        choices: dict[str, list] = {}
        for kind in self.kinds.values():
            for option, values in kind.option_choices(user).items():
                choices.setdefault(option, []).extend(values)
        for option in ("administrator",):
            if option in choices:
                self.fields[option].choices = [("", "—"), *choices[option]]
            else:
                del self.fields[option]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(MSG_FILE_TYPE)
        return upload

    def clean_encoding(self):
        return self.cleaned_data.get("encoding") or "auto"

    def clean(self):
        data = super().clean()
        kind = self.kinds.get(data.get("kind") or "")
        upload = data.get("file")
        if kind and upload and upload_too_large(upload, kind.max_bytes):
            self.add_error("file", size_problem(upload.size, kind.max_bytes))
        data["options"] = {}
        for option in kind.options if kind else ():
            if not data.get(option):
                self.add_error(option, MSG_CHOOSE_OPTION)
            data["options"][option] = data.get(option)
        return data
