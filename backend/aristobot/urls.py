"""Routes HTTP : API REST sous /api/, schéma OpenAPI, admin, puis la SPA en repli."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts.urls import users_urlpatterns
from apps.core import views as core_views

api_patterns = [
    path("auth/", include("apps.accounts.urls")),
    path("", include(users_urlpatterns)),
    path("", include("apps.trading.urls")),
    path("", include("apps.heartbeat.urls")),
    path("", include("apps.brokers.urls")),
    path("", include("apps.market_data.urls")),
    path("", include("apps.strategies.urls")),
    path("", include("apps.trading_engine.urls")),
    path("", include("apps.trading_manual.urls")),
    path("", include("apps.backtest.urls")),
    path("", include("apps.webhooks.urls")),
    path("", include("apps.stats.urls")),
    path("", include("apps.notifications.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^(?P<path>.*)$", core_views.api_not_found),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    # /admin/ n'existe que si ARISTOBOT_ADMIN_ENABLED (les comptes se gèrent dans Mon Compte).
    *([path("admin/", admin.site.urls)] if settings.ARISTOBOT_ADMIN_ENABLED else []),
    re_path(r"^(?P<path>(?!api/|admin/|ws/|static/).*)$", core_views.spa, name="spa"),
]

handler500 = "apps.core.views.server_error"
