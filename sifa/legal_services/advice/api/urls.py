from sifa.platform.api.routers import router

from .views import AskViewSet, QuestionViewSet

router.register("advice/ask", AskViewSet, basename="advice-ask")
router.register("advice/questions", QuestionViewSet, basename="advice-question")
