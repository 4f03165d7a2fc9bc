from django.urls import path

from . import views

urlpatterns = [
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/<int:pk>/", views.AlertDetailView.as_view(), name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/close/", views.alert_close, name="alert-close"),
    path("track/<int:pk>/", views.TrackView.as_view(), name="track"),
    path("map/", views.province_map, name="province-map"),
    path("devices/", views.DeviceListView.as_view(), name="device-list"),
    path("devices/new/", views.device_create, name="device-create"),
]
