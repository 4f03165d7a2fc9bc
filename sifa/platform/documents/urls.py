from django.urls import path

from . import views

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="document-list"),
    path("new/", views.document_create, name="document-create"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path("attachments/", views.AttachmentListView.as_view(), name="attachment-list"),
    path("attachments/upload/", views.attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", views.AttachmentDetailView.as_view(), name="attachment-detail"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="attachment-download"),
]
