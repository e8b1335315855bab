from rest_framework.routers import SimpleRouter

from apps.trading_engine.views import ActiveStrategyViewSet

router = SimpleRouter()
router.register("active-strategies", ActiveStrategyViewSet, basename="active-strategy")
urlpatterns = router.urls
