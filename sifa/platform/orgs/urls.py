from django.urls import path

from . import views

urlpatterns = [
    path("", views.OrgListView.as_view(), name="org-list"),
    path("<int:pk>/", views.OrgDetailView.as_view(), name="org-detail"),
]
