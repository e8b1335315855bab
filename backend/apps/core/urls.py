from rest_framework.routers import SimpleRouter

from apps.core.views_trades import TradeViewSet

router = SimpleRouter()
router.register("trades", TradeViewSet, basename="trade")
urlpatterns = [
    *router.urls,
]
