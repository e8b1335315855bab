from rest_framework.routers import SimpleRouter

from apps.brokers.views import BrokerViewSet

router = SimpleRouter()
router.register("brokers", BrokerViewSet, basename="broker")
urlpatterns = router.urls
