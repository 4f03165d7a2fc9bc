from django.urls import path

from . import views

urlpatterns = [
    path("", views.chat, name="chat"),
    path("ask/", views.ask_view, name="ask"),
    path("<int:pk>/handover/", views.handover_view, name="handover"),
    path("review/", views.QuestionReviewListView.as_view(), name="question-list"),
    path("review/<int:pk>/", views.QuestionDetailView.as_view(), name="question-detail"),
    path("review/<int:pk>/review/", views.review_view, name="question-review"),
]
