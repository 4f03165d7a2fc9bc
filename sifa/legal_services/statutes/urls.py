from django.urls import path

from . import views

urlpatterns = [
    path("", views.law_list, name="law-list"),
    path("search/", views.search, name="search"),
    path("<slug:law_id>/", views.law_detail, name="law-detail"),
    path("<slug:law_id>/<str:key>/", views.article_detail, name="article-detail"),
]
