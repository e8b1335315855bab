"""API CRUD des stratégies de l'utilisateur, validation du code dans le bac à sable, assistant IA."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import OwnedModelViewSet
from apps.strategies.ai.serializers import (
    AiConnectionResultSerializer,
    AiConnectionTestSerializer,
    StrategyAssistResultSerializer,
    StrategyAssistSerializer,
)
from apps.strategies.ai.services import ai_connection_check, strategy_assist
from apps.strategies.models import Strategy
from apps.strategies.serializers import (
    StrategySandboxStatusSerializer,
    StrategySerializer,
    StrategyValidateSerializer,
    StrategyValidationResultSerializer,
)
from apps.strategies.services import (
    strategy_code_validate,
    strategy_create,
    strategy_delete,
    strategy_sandbox_status,
    strategy_update,
)
from apps.strategies.templates import EMA_CROSS_EXAMPLE, STRATEGY_TEMPLATE


class StrategyViewSet(OwnedModelViewSet):
    queryset = Strategy.objects.all()
    serializer_class = StrategySerializer
    pagination_class = None

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        strategy = strategy_create(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(strategy).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        strategy = self.get_object()
        serializer = self.get_serializer(
            strategy, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        strategy = strategy_update(strategy=strategy, **serializer.validated_data)
        return Response(self.get_serializer(strategy).data)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        strategy_delete(strategy=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, summary="Template de base et exemple EMA 10/20")
    @action(detail=False, methods=["get"])
    def template(self, request: Request) -> Response:
        return Response({"template": STRATEGY_TEMPLATE, "example_ema_cross": EMA_CROSS_EXAMPLE})

    @extend_schema(request=None, responses=StrategySandboxStatusSerializer,
                   summary="Confinement du code des stratégies sur cette machine")
    @action(detail=False, methods=["get"], url_path="sandbox")
    def sandbox(self, request: Request) -> Response:
        return Response(strategy_sandbox_status())

    @extend_schema(
        request=StrategyValidateSerializer,
        responses=StrategyValidationResultSerializer,
        summary="Valider un code de stratégie (syntaxe, chargement, un appel de chaque méthode)",
    )
    @action(detail=False, methods=["post"], url_path="validate")
    def validate_code(self, request: Request) -> Response:
        serializer = StrategyValidateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(strategy_code_validate(code=serializer.validated_data["code"]))

    @extend_schema(
        request=None,
        responses=StrategyValidationResultSerializer,
        summary="Valider le code enregistré d'une stratégie",
        operation_id="strategies_validate_stored",
    )
    @action(detail=True, methods=["post"], url_path="validate")
    def validate_stored(self, request: Request, pk: str | None = None) -> Response:
        return Response(strategy_code_validate(code=self.get_object().code))

    @extend_schema(
        request=StrategyAssistSerializer,
        responses=StrategyAssistResultSerializer,
        summary="Assistant IA : générer le code d'une stratégie à partir d'une demande en français",
    )
    @action(detail=False, methods=["post"], url_path="assist")
    def assist(self, request: Request) -> Response:
        serializer = StrategyAssistSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(strategy_assist(user=request.user, **serializer.validated_data))


class AiConnectionTestView(APIView):
    """Teste la connexion à l'IA (profil enregistré, ou valeurs saisies dans Mon Compte)."""

    @extend_schema(
        request=AiConnectionTestSerializer,
        responses=AiConnectionResultSerializer,
        summary="Tester la connexion à l'assistant IA (OpenRouter ou Ollama)",
    )
    def post(self, request: Request) -> Response:
        serializer = AiConnectionTestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(
            ai_connection_check(user=request.user, overrides=serializer.validated_data)
        )
