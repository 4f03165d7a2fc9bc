from django.urls import path

from . import views

url_prefix = ""
urlpatterns = [path("", views.dashboard, name="dashboard")]
