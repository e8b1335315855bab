from rest_framework import serializers

from apps.webhooks.models import Webhook


class WebhookSerializer(serializers.ModelSerializer):
    # Premier trade passé pour ce webhook (annoté par la vue du journal ; nul tant qu'aucun ordre).
    trade_id = serializers.IntegerField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Webhook
        fields = ["id", "user", "source", "payload", "raw_body", "content_type", "source_ip",
                  "dedup_key", "status", "http_status", "processed", "error_message",
                  "received_at", "processed_at", "trade_id"]
        read_only_fields = fields
