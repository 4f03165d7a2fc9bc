from django.urls import path

from . import views, views_revocation

urlpatterns = [
    path("", views.SuperviseeListView.as_view(), name="supervisee-list"),
    path("new/", views.supervisee_create, name="supervisee-create"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("<int:pk>/", views.SuperviseeDetailView.as_view(), name="supervisee-detail"),
    path("<int:pk>/action/<str:name>/", views.supervisee_action, name="supervisee-action"),
    path("<int:pk>/leave/", views.leave_create, name="leave-create"),
    path("<int:pk>/monitoring/", views.monitoring_create, name="monitoring-create"),
    path("<int:pk>/violation/", views.violation_create, name="violation-create"),
    path("<int:pk>/plan/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/team/", views.team_edit, name="team-edit"),
    path("<int:pk>/residence-change/", views.residence_change_create, name="residence-change-create"),
    path("residence-changes/<int:pk>/decide/", views.residence_change_decide, name="residence-change-decide"),
    path("check-ins/<int:pk>/complete/", views.check_in_complete, name="check-in-complete"),
    path("violations/<int:pk>/propose/", views.sanction_propose, name="sanction-propose"),
    path("sanctions/<int:pk>/decide/", views.sanction_decide, name="sanction-decide"),
    path("leaves/", views.LeaveListView.as_view(), name="leave-list"),
    path("leaves/<int:pk>/decide/", views.leave_decide, name="leave-decide"),
    path("monitoring-orders/", views.MonitoringOrderListView.as_view(), name="order-list"),
    path("monitoring-orders/<int:pk>/decide/", views.order_decide, name="order-decide"),
    path("sanctions/<int:pk>/revocation/", views_revocation.revocation_open, name="revocation-open"),
    path("revocations/", views_revocation.RevocationCaseListView.as_view(), name="revocation-list"),
    path(
        "revocations/<int:pk>/", views_revocation.RevocationCaseDetailView.as_view(), name="revocation-detail"
    ),
    path(
        "revocations/<int:pk>/step/<str:name>/",
        views_revocation.revocation_action,
        name="revocation-action",
    ),
]
