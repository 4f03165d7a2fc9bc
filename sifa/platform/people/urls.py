from django.urls import path

from . import views

urlpatterns = [
    path("", views.PersonListView.as_view(), name="person-list"),
    path("new/", views.person_create, name="person-create"),
    path("<int:pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("<int:pk>/reveal/<str:field>/", views.person_reveal, name="person-reveal"),
]
