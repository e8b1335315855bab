"""API des comptes : me / login / logout / mot de passe (session + CSRF), et gestion des
utilisateurs par les administrateurs (`/api/users/`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, password_validation, update_session_auth_hash
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.login_throttle import (
    login_failed,
    login_succeeded,
    login_throttle_check,
    login_throttle_keys,
)
from apps.accounts.models import User
from apps.accounts.selectors import NO_TRADING, trading_summary, user_get, users_with_trading
from apps.accounts.serializers import (
    LoginSerializer,
    PasswordChangeSerializer,
    PreferencesSerializer,
    UserAdminSerializer,
    UserAdminUpdateSerializer,
    UserCreateSerializer,
    UserPasswordResetSerializer,
    UserSerializer,
)
from apps.accounts.services import (
    user_admin_update,
    user_create,
    user_delete,
    user_password_change,
    user_password_reset,
    user_preferences_update,
)
from apps.core.access import request_ip
from apps.core.exceptions import AristobotError


def _me_payload(request: Request, user) -> dict:  # noqa: ANN001
    authenticated = bool(user and user.is_authenticated)
    return {
        "authenticated": authenticated,
        "debug_aristobot": settings.DEBUG_ARISTOBOT,
        "user": UserSerializer(user).data if authenticated else None,
    }


@method_decorator(ensure_csrf_cookie, name="dispatch")
class MeView(APIView):
    """État de la session ; pose toujours le cookie `csrftoken`."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Utilisateur courant (pose le cookie CSRF)")
    def get(self, request: Request) -> Response:
        return Response(_me_payload(request, request.user))

    @extend_schema(request=PreferencesSerializer, responses=OpenApiTypes.OBJECT,
                   summary="Modifier ses préférences")
    def patch(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise AristobotError("Authentification requise : connectez-vous.", status_code=403)
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_preferences_update(user=request.user, **serializer.validated_data)
        return Response(_me_payload(request, user))


class LoginView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=LoginSerializer, responses=OpenApiTypes.OBJECT,
                   summary="Connexion (échecs limités par nom et par IP)")
    def post(self, request: Request) -> Response:
        # Protection contre le « login CSRF » : le jeton est exigé même sans session.
        SessionAuthentication().enforce_csrf(request)
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        keys = login_throttle_keys(username=username, ip=request_ip(request))
        login_throttle_check(keys)
        user = authenticate(request, username=username,
                            password=serializer.validated_data["password"])
        if user is None or not user.is_active:
            login_failed(keys)
            raise AristobotError("Identifiant ou mot de passe incorrect.", status_code=400)
        login_succeeded(keys)
        login(request, user)
        return Response(_me_payload(request, user))


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, summary="Déconnexion")
    def post(self, request: Request) -> Response:
        logout(request)
        return Response({"detail": "Déconnecté."})


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordChangeSerializer, responses=OpenApiTypes.OBJECT,
                   summary="Changer son mot de passe")
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_password_change(user=request.user, **serializer.validated_data)
        update_session_auth_hash(request, request.user)
        return Response({"detail": "Mot de passe modifié."})


class IsAdministrator(BasePermission):
    """Administrateurs uniquement (`is_staff`) ; les autres reçoivent un 403 en français."""

    message = "Réservé aux administrateurs."

    def has_permission(self, request: Request, view: object) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


def _admin_row(user, counts: dict[str, int], actor) -> dict:  # noqa: ANN001
    return {"id": user.pk, "username": user.username, "is_staff": user.is_staff,
            "is_active": user.is_active, "date_joined": user.date_joined,
            "last_login": user.last_login, "live_strategies": counts["live_strategies"],
            "open_positions": counts["open_positions"], "is_self": user.pk == actor.pk}


class UserAdminViewSet(viewsets.ViewSet):
    """`/api/users/` : liste, création, activation, rôle, mot de passe, suppression (admins)."""

    permission_classes = [IsAdministrator]
    queryset = User.objects.none()  # type de `{id}` pour le schéma OpenAPI (jamais lu)

    def _get(self, pk: str | None) -> User:
        user = user_get(user_id=pk)
        if user is None:
            raise AristobotError("Utilisateur introuvable.", status_code=404)
        return user

    def _row(self, request: Request, user: User) -> dict:
        counts = trading_summary().get(user.pk, NO_TRADING)
        return UserAdminSerializer(_admin_row(user, counts, request.user)).data

    @extend_schema(responses=UserAdminSerializer(many=True), summary="Utilisateurs (admins)")
    def list(self, request: Request) -> Response:
        rows = [_admin_row(user, counts, request.user) for user, counts in users_with_trading()]
        return Response(UserAdminSerializer(rows, many=True).data)

    @extend_schema(request=UserCreateSerializer, responses=UserAdminSerializer,
                   summary="Créer un utilisateur (5 au maximum)")
    def create(self, request: Request) -> Response:
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        probe = User(username=data["username"])
        try:
            password_validation.validate_password(data["password"], probe)
        except DjangoValidationError as exc:
            messages = list(exc.messages)
            raise AristobotError("Mot de passe refusé : " + " ".join(messages),
                                 errors={"password": messages}) from None
        user = user_create(username=data["username"], password=data["password"],
                           is_staff=data["is_staff"])
        return Response(self._row(request, user), status=201)

    @extend_schema(request=UserAdminUpdateSerializer, responses=UserAdminSerializer,
                   summary="Activer / désactiver un compte, rôle d'administrateur")
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        serializer = UserAdminUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_admin_update(actor=request.user, user=self._get(pk), **serializer.validated_data)
        return Response(self._row(request, user))

    @extend_schema(request=UserPasswordResetSerializer, responses=OpenApiTypes.OBJECT,
                   summary="Définir un nouveau mot de passe pour un utilisateur")
    @action(detail=True, methods=["post"], url_path="password")
    def password(self, request: Request, pk: str | None = None) -> Response:
        serializer = UserPasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = self._get(pk)
        user_password_reset(user=user, password=serializer.validated_data["password"])
        return Response({"detail": f"Mot de passe de « {user.username} » modifié."})

    @extend_schema(parameters=[OpenApiParameter("confirm", bool, description=(
        "Confirme la suppression d'un compte qui a des stratégies live ou des positions"))],
        responses=None, summary="Supprimer un utilisateur")
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        confirm = request.query_params.get("confirm", "").lower() in ("1", "true", "oui")
        user_delete(actor=request.user, user=self._get(pk), confirm=confirm)
        return Response(status=204)
