from rest_framework.routers import SimpleRouter

from apps.backtest.views import BacktestViewSet

router = SimpleRouter()
router.register("backtests", BacktestViewSet, basename="backtest")
urlpatterns = router.urls
