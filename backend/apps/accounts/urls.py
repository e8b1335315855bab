from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.accounts import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="auth-me"),
    path("login/", views.LoginView.as_view(), name="auth-login"),
    path("logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("password/", views.PasswordChangeView.as_view(), name="auth-password"),
]

# Gestion des utilisateurs (administrateurs) : /api/users/
users_router = SimpleRouter()
users_router.register("users", views.UserAdminViewSet, basename="users")
users_urlpatterns = users_router.urls
