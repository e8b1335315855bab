from rest_framework import serializers

from apps.webhooks.models import Webhook


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Webhook
        fields = ["id", "user", "source", "payload", "raw_body", "content_type", "source_ip",
                  "dedup_key", "status", "http_status", "processed", "error_message",
                  "received_at", "processed_at"]
        read_only_fields = fields
