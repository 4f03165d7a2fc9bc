from django.contrib.auth import views as auth_views
from django.urls import path

from . import pages, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("totp/", views.totp_setup, name="totp-setup"),
    path("users/", pages.UserListView.as_view(), name="user-list"),
]
