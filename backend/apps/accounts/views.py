"""API d'authentification : me / login / logout / mot de passe (session + CSRF)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.serializers import (
    LoginSerializer,
    PasswordChangeSerializer,
    PreferencesSerializer,
    UserSerializer,
)
from apps.accounts.services import user_password_change, user_preferences_update
from apps.brokers.models import Broker
from apps.core.access import owned_get
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

    @extend_schema(summary="Utilisateur courant (pose le cookie CSRF)")
    def get(self, request: Request) -> Response:
        return Response(_me_payload(request, request.user))

    @extend_schema(request=PreferencesSerializer, summary="Modifier ses préférences")
    def patch(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise AristobotError("Authentification requise : connectez-vous.", status_code=403)
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prefs = dict(serializer.validated_data)
        if "default_broker" in prefs and prefs["default_broker"] is not None:
            broker = owned_get(
                Broker.objects.filter(user=request.user), request.user, prefs["default_broker"],
                label="Broker",
            )
            prefs["default_broker"] = broker
        user = user_preferences_update(user=request.user, **prefs)
        return Response(_me_payload(request, user))


class LoginView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=LoginSerializer, summary="Connexion")
    def post(self, request: Request) -> Response:
        # Protection contre le « login CSRF » : le jeton est exigé même sans session.
        SessionAuthentication().enforce_csrf(request)
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AristobotError("Identifiant ou mot de passe incorrect.", status_code=400)
        login(request, user)
        return Response(_me_payload(request, user))


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, summary="Déconnexion")
    def post(self, request: Request) -> Response:
        logout(request)
        return Response({"detail": "Déconnecté."})


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordChangeSerializer, summary="Changer son mot de passe")
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_password_change(user=request.user, **serializer.validated_data)
        update_session_auth_hash(request, request.user)
        return Response({"detail": "Mot de passe modifié."})
