"""The state field every workflow model carries, and the history of its transitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from sifa.platform.audit.models import AppendOnlyModel
from sifa.platform.orgs.models import Org
from sifa.platform.orgs.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from sifa.platform.workflow.machine import Workflow


class WorkflowModel(models.Model):
    """Abstract mixin: a model whose status is driven by a declared :class:`Workflow`.

    The concrete model sets ``workflow = SOME_WORKFLOW``; the ``state`` field then gets that
    workflow's states as choices and its initial state as default (set when the class is
    prepared). Change ``state`` only through ``services.transition`` — never assign it in a view.
    """

    workflow: ClassVar[Workflow]

    state = models.CharField(_("状态"), max_length=32, db_index=True)

    class Meta:
        abstract = True

    def get_state_display(self) -> str:
        return self.workflow.label(self.state)


# Every concrete workflow model by "app_label.modelname": the transition endpoint's allowlist.
WORKFLOW_MODELS: dict[str, type[WorkflowModel]] = {}


@receiver(class_prepared)
def _bind_workflow_states(sender: type[models.Model], **kwargs: Any) -> None:
    """Give ``state`` the concrete workflow's choices and initial state; register the model."""
    workflow = getattr(sender, "workflow", None)
    if workflow is None or sender._meta.abstract or not issubclass(sender, WorkflowModel):
        return
    WORKFLOW_MODELS[sender._meta.label_lower] = sender
    field = sender._meta.get_field("state")
    field.choices = list(workflow.states.items())
    field.default = workflow.initial


class GenericRefMixin(models.Model):
    """A reference to any object (a case, a supervisee, a leave request…)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    target = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


class TransitionLog(GenericRefMixin, AppendOnlyModel):
    """One transition: who moved which object from what to what, under which article, and why."""

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    org = models.ForeignKey(Org, verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="+")
    workflow = models.CharField(_("流程"), max_length=64)
    transition = models.CharField(_("操作"), max_length=64)
    label = models.CharField(_("操作名称"), max_length=64)
    from_state = models.CharField(_("原状态"), max_length=32)
    to_state = models.CharField(_("新状态"), max_length=32)
    # Empty for a transition the system made by itself (e.g. deemed acceptance on expiry).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    article = models.CharField(_("法律依据"), max_length=128, blank=True, default="")
    note = models.TextField(_("说明"), blank=True, default="")
    data = models.JSONField(default=dict)
    effective_on = models.DateField(_("发生日期"))

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["time", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "time"])]

    def __str__(self) -> str:
        return f"{self.workflow}.{self.transition} {self.from_state}→{self.to_state}"
