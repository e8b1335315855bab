"""API du journal des webhooks reçus."""

from __future__ import annotations

from rest_framework import viewsets

from apps.core.access import owned
from apps.webhooks.models import Webhook
from apps.webhooks.serializers import WebhookSerializer


class WebhookLogViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WebhookSerializer

    def get_queryset(self):  # noqa: ANN201
        return owned(Webhook.objects.all(), self.request.user)
