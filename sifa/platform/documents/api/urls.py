from sifa.platform.api.routers import router

from .views import AttachmentViewSet, DocumentViewSet

router.register("documents", DocumentViewSet, basename="document")
router.register("attachments", AttachmentViewSet, basename="attachment")
