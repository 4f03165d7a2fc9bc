import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Org, OrgKind


class OrgPageFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("名称"), lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=OrgKind.choices)

    class Meta:
        model = Org
        fields = ["name", "kind"]
