from rest_framework.routers import SimpleRouter

from apps.webhooks.views import WebhookLogViewSet

router = SimpleRouter()
router.register("webhooks", WebhookLogViewSet, basename="webhook")
urlpatterns = router.urls
