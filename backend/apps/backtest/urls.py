from rest_framework.routers import SimpleRouter

from apps.backtest.optimize_views import OptimizationViewSet
from apps.backtest.views import BacktestViewSet

router = SimpleRouter()
router.register("backtests", BacktestViewSet, basename="backtest")
router.register("backtest-optimizations", OptimizationViewSet, basename="backtest-optimization")
urlpatterns = router.urls
