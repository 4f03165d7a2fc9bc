"""Page forms. They only collect input; the services validate the content and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sifa.platform.orgs.models import Org

from .catalog import TemplateSpec
from .selectors import upload_orgs


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError under the form's fields (unknown keys become form errors)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class _BootstrapMixin(forms.Form):
    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class AttachmentUploadForm(_BootstrapMixin):
    # Not required here: the service gives the one message for "no file", the same as the API.
    file = forms.FileField(label=_("文件"), required=False, allow_empty_file=True)
    org = forms.ModelChoiceField(label=_("所属机构"), queryset=Org.objects.none(), empty_label=None)
    contains_personal_data = forms.BooleanField(label=_("含个人信息（下载时记录查看日志）"), required=False)
    related_type = forms.CharField(required=False, widget=forms.HiddenInput)
    related_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field: Any = self.fields["org"]
        org_field.queryset = upload_orgs(user)
        if getattr(user, "org_id", None):
            org_field.initial = user.org_id
        self._style()


class DocumentForm(_BootstrapMixin):
    """One input per field of the chosen template (catalog.TemplateSpec)."""

    org = forms.ModelChoiceField(label=_("制发机构"), queryset=Org.objects.none(), empty_label=None)
    number_prefix = forms.CharField(
        label=_("机关代字"), max_length=32, required=False, help_text=_("留空则使用模板默认代字")
    )

    def __init__(self, *args: Any, user: Any, spec: TemplateSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field: Any = self.fields["org"]
        org_field.queryset = upload_orgs(user)
        if getattr(user, "org_id", None):
            org_field.initial = user.org_id
        self.fields["number_prefix"].widget.attrs["placeholder"] = spec.number_prefix
        for spec_field in spec.fields:
            field: forms.Field
            # Required-ness is checked by the service, so the page and the API word it the same way.
            if spec_field.type == "date":
                field = forms.CharField(widget=forms.DateInput(attrs={"type": "date"}))
            elif spec_field.type == "multiline":
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
            else:
                field = forms.CharField(max_length=spec_field.max_length + 50)
            field.label = spec_field.label + ("" if spec_field.required else _("（选填）"))
            field.required = False
            self.fields[spec_field.name] = field
        self.template_fields = [f.name for f in spec.fields]
        self._style()
