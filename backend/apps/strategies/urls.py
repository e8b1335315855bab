from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.strategies.views import AiConnectionTestView, StrategyViewSet

router = SimpleRouter()
router.register("strategies", StrategyViewSet, basename="strategy")
urlpatterns = [
    path("ai/test/", AiConnectionTestView.as_view(), name="ai-test"),
    *router.urls,
]
