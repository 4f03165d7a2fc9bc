from django.urls import path

from . import pages

urlpatterns = [
    path("", pages.ChangeLogListView.as_view(), name="changelog-list"),
    path("personal-data/", pages.PersonalDataAccessListView.as_view(), name="access-list"),
]
