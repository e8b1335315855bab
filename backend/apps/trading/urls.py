from rest_framework.routers import SimpleRouter

from apps.trading.views import TradeViewSet

router = SimpleRouter()
router.register("trades", TradeViewSet, basename="trade")
urlpatterns = [
    *router.urls,
]
