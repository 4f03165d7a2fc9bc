"""Pages: document list/detail/creation, attachment list/detail/upload, downloads."""

from __future__ import annotations

import logging
from typing import Any

import django_filters
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from sifa.platform.audit.services import record_personal_access
from sifa.platform.orgs.scoping import access_object
from sifa.platform.ui.pages import ScopedDetailView, ScopedListView

from .catalog import CATALOG
from .forms import AttachmentUploadForm, DocumentForm, apply_service_errors
from .models import Attachment, Document, DocumentTemplate
from .selectors import attachments_of, resolve_related
from .services import render_document, store_attachment, too_large_error
from .uploads import limit_upload_size, upload_was_too_large

logger = logging.getLogger(__name__)


# --- documents ---------------------------------------------------------------------------------------


class DocumentFilter(django_filters.FilterSet):
    template = django_filters.ModelChoiceFilter(
        label=gettext_lazy("文书模板"), queryset=DocumentTemplate.objects.filter(is_active=True)
    )
    number = django_filters.CharFilter(label=gettext_lazy("文号"), lookup_expr="icontains")
    title = django_filters.CharFilter(label=gettext_lazy("标题"), lookup_expr="icontains")
    since = django_filters.DateFilter(
        label=gettext_lazy("起始日期"), field_name="created_at", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=gettext_lazy("截止日期"), field_name="created_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Document
        fields: list[str] = []


class DocumentListView(ScopedListView):
    model = Document
    title = gettext_lazy("文书")
    template_name = "documents/pages/document_list.html"
    filterset_class = DocumentFilter
    export_name = "documents"
    detail_url_name = "documents:document-detail"
    columns = (
        ("number", gettext_lazy("文号")),
        ("title", gettext_lazy("标题")),
        ("template__title", gettext_lazy("文书模板")),
        ("org__name", gettext_lazy("制发机构")),
        ("created_at", gettext_lazy("制作时间")),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["templates"] = list(CATALOG.values())
        return context


class DocumentDetailView(ScopedDetailView):
    model = Document
    template_name = "documents/pages/document_detail.html"
    fields = (
        ("number", gettext_lazy("文号")),
        ("title", gettext_lazy("标题")),
        ("template", gettext_lazy("文书模板")),
        ("org", gettext_lazy("制发机构")),
        ("created_by", gettext_lazy("制作人")),
        ("created_at", gettext_lazy("制作时间")),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        document: Document = self.object
        spec = CATALOG.get(document.template.code)
        labels = {f.name: f.label for f in spec.fields} if spec else {}
        context["values"] = [(labels.get(k, k), v) for k, v in document.context.items() if v]
        context["files"] = [a for a in (document.pdf, document.docx) if a is not None]
        context["attachments"] = attachments_of(self.request.user, document).exclude(
            pk__in=[a.pk for a in context["files"]]
        )
        return context


@login_required
@permission_required("documents.add_document", raise_exception=True)
def document_create(request: HttpRequest) -> HttpResponse:
    """Choose a template, fill its fields, render. Errors are shown under the offending field."""
    spec = CATALOG.get(request.GET.get("template") or request.POST.get("template") or "")
    if spec is None:
        return render(
            request,
            "documents/pages/document_choose.html",
            {"templates": CATALOG.values(), "title": _("生成文书")},
        )
    form = DocumentForm(request.POST or None, user=request.user, spec=spec)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = render_document(
                acting_user=request.user,
                org=data["org"],
                template_code=spec.code,
                context={name: data.get(name) for name in form.template_fields},
                number_prefix=data.get("number_prefix") or "",
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except Http404:  # the chosen org left the user's jurisdiction between page load and submit
            form.add_error("org", _("所选机构不存在。"))
        else:
            messages.success(request, _("文书已生成：%s") % document.number)
            return redirect("documents:document-detail", document.pk)
    return render(
        request,
        "documents/pages/document_form.html",
        {"form": form, "spec": spec, "title": _("生成文书：%s") % spec.title},
    )


# --- attachments -------------------------------------------------------------------------------------


class AttachmentFilter(django_filters.FilterSet):
    original_name = django_filters.CharFilter(label=gettext_lazy("文件名"), lookup_expr="icontains")
    sha256 = django_filters.CharFilter(label="SHA-256", lookup_expr="iexact")
    since = django_filters.DateFilter(
        label=gettext_lazy("起始日期"), field_name="uploaded_at", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=gettext_lazy("截止日期"), field_name="uploaded_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Attachment
        fields: list[str] = []


class AttachmentListView(ScopedListView):
    model = Attachment
    title = gettext_lazy("附件")
    template_name = "documents/pages/attachment_list.html"
    filterset_class = AttachmentFilter
    export_name = "attachments"
    detail_url_name = "documents:attachment-detail"
    columns = (
        ("original_name", gettext_lazy("文件名")),
        ("content_type", gettext_lazy("类型")),
        ("size", gettext_lazy("大小(字节)")),
        ("org__name", gettext_lazy("所属机构")),
        ("uploaded_by__username", gettext_lazy("上传人")),
        ("uploaded_at", gettext_lazy("上传时间")),
        ("sha256", "SHA-256"),
    )


class AttachmentDetailView(ScopedDetailView):
    model = Attachment
    template_name = "documents/pages/attachment_detail.html"
    fields = (
        ("original_name", gettext_lazy("文件名")),
        ("content_type", gettext_lazy("类型")),
        ("size", gettext_lazy("大小(字节)")),
        ("sha256", "SHA-256"),
        ("org", gettext_lazy("所属机构")),
        ("contains_personal_data", gettext_lazy("含个人信息")),
        ("related_type", gettext_lazy("关联对象类型")),
        ("related_id", gettext_lazy("关联对象编号")),
        ("uploaded_by", gettext_lazy("上传人")),
        ("uploaded_at", gettext_lazy("上传时间")),
    )


@csrf_exempt  # only so the size limit is installed before the body is read; CSRF is checked below
def attachment_upload(request: HttpRequest) -> HttpResponse:
    limit_upload_size(request)
    return _attachment_upload(request)


@csrf_protect
@login_required
@permission_required("documents.add_attachment", raise_exception=True)
def _attachment_upload(request: HttpRequest) -> HttpResponse:
    """Upload form; with HTMX the form swaps itself, showing field errors in place."""
    form = AttachmentUploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={
            "related_type": request.GET.get("related_type", ""),
            "related_id": request.GET.get("related_id", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if upload_was_too_large(request):
                raise too_large_error()
            attachment = store_attachment(
                acting_user=request.user,
                org=data["org"],
                uploaded_file=data.get("file") or None,
                related=resolve_related(request.user, data["related_type"], data["related_id"]),
                contains_personal_data=data["contains_personal_data"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except Http404:
            form.add_error("org", _("所选机构不存在。"))
        else:
            target = reverse("documents:attachment-detail", args=[attachment.pk])
            if getattr(request, "htmx", False):
                return HttpResponse(status=204, headers={"HX-Redirect": target})
            messages.success(request, _("附件已上传：%s") % attachment.original_name)
            return redirect(target)
    template = (
        "documents/pages/_upload_form.html"
        if getattr(request, "htmx", False)
        else ("documents/pages/attachment_upload.html")
    )
    status = 400 if form.errors and not getattr(request, "htmx", False) else 200
    context = {"form": form, "title": _("上传附件"), "max_bytes": settings.SIFA_UPLOAD_MAX_BYTES}
    return render(request, template, context, status=status)


def attachment_response(user: Any, attachment: Attachment) -> FileResponse:
    """Stream a stored file as a download; reading a file with personal data is logged first."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        logger.error("attachment %s: file %s is missing from storage", attachment.pk, attachment.file.name)
        raise Http404 from None
    if attachment.contains_personal_data:
        record_personal_access(actor=user, obj=attachment, field="file", purpose="下载")
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Outside the user's jurisdiction (or without the permission) this is 404, like a missing file."""
    return attachment_response(request.user, access_object(request.user, Attachment, pk, "view"))
