from __future__ import annotations

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sifa.platform.orgs.scoping import access_object
from sifa.platform.ui.pages import ScopedDetailView, ScopedListView

from .forms import PersonForm
from .models import Person
from .services import find_by_id_number, register_person, reveal_field


class PersonFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=gettext_lazy("姓名"), lookup_expr="icontains")
    id_number = django_filters.CharFilter(label=gettext_lazy("身份证号（精确）"), method="by_id_number")

    class Meta:
        model = Person
        fields = ["name"]

    def by_id_number(self, queryset, name, value):
        try:
            found = find_by_id_number(acting_user=self.request.user, id_number=value)
        except ValidationError:
            return queryset.none()
        return queryset.filter(pk__in=[p.pk for p in found])


class PersonListView(ScopedListView):
    model = Person
    title = gettext_lazy("人员")
    filterset_class = PersonFilter
    export_name = "people"
    detail_url_name = "people:person-detail"
    columns = (
        ("name", gettext_lazy("姓名")),
        ("sex", gettext_lazy("性别")),
        ("id_number_masked", gettext_lazy("身份证号")),
        ("phone_masked", gettext_lazy("手机号")),
        ("org__name", gettext_lazy("登记机构")),
    )
    template_name = "people/person_list.html"


class PersonDetailView(ScopedDetailView):
    model = Person
    template_name = "people/person_detail.html"
    fields = (
        ("name", gettext_lazy("姓名")),
        ("sex", gettext_lazy("性别")),
        ("birth_date", gettext_lazy("出生日期")),
        ("org", gettext_lazy("登记机构")),
        ("address", gettext_lazy("住址")),
    )


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("people.add_person"):
        raise PermissionDenied
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = register_person(
                acting_user=request.user,
                org=data["org"],
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                address=data["address"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("people:person-detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "title": _("登记人员")})


@login_required
@require_POST
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """HTMX: replace the masked value with the clear one, after recording who looked and why."""
    person = access_object(request.user, Person, pk, "view")
    try:
        value = reveal_field(
            acting_user=request.user,
            person=person,
            field=field,
            purpose=request.POST.get("purpose", "")[:255],
        )
    except PermissionDenied:
        return HttpResponse(_("无权查看明文"), status=403)
    except ValidationError:
        return HttpResponse(_("不支持查看该字段"), status=400)
    return HttpResponse(format_html('<span class="font-monospace" data-testid="revealed">{}</span>', value))
