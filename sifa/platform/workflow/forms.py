from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_NOTICE_BYTES = 256 * 1024  # a year's notice is a few hundred bytes; anything large is a mistake


class NoticeUploadForm(forms.Form):
    file = forms.FileField(
        label=_("放假通知文件（JSON）"),
        help_text=_("按 docs/calendar.md 的格式录入国务院办公厅当年的放假通知。"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_NOTICE_BYTES:
            raise forms.ValidationError(_("文件过大（上限 256 KB）。"))
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError(_("请上传 .json 文件。"))
        return upload
