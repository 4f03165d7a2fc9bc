from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tasks/", views.TaskListView.as_view(), name="task-list"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("clocks/", views.ClockListView.as_view(), name="clock-list"),
    path("holidays/", views.holidays_admin, name="holidays"),
    path("transition/<str:model_label>/<int:pk>/<str:name>/", views.transition_view, name="transition"),
]
