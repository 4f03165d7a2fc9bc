from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "sifa.platform.workflow"
    label = "workflow"
