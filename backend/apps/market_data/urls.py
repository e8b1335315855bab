from rest_framework.routers import SimpleRouter

from apps.market_data.views import MarketSymbolViewSet

router = SimpleRouter()
router.register("market-symbols", MarketSymbolViewSet, basename="market-symbol")
urlpatterns = router.urls
