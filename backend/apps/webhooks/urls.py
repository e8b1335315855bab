from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.webhooks import views

router = SimpleRouter()
router.register("webhooks", views.WebhookLogViewSet, basename="webhook")
urlpatterns = [
    path("webhooks/receive/<str:token>/", views.receive, name="webhook-receive"),
    path("webhooks/config/", views.WebhookConfigView.as_view(), name="webhook-config"),
    path("webhooks/metrics/", views.WebhookMetricsView.as_view(), name="webhook-metrics"),
    *router.urls,
]
