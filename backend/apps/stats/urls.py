from django.urls import path

from apps.stats import views

urlpatterns = [
    path("status/", views.StatusView.as_view(), name="status"),
    path("stats/summary/", views.StatsSummaryView.as_view(), name="stats-summary"),
    path("stats/strategies/", views.StatsStrategiesView.as_view(), name="stats-strategies"),
    path("stats/webhook-sources/", views.StatsWebhookSourcesView.as_view(), name="stats-webhook-sources"),
    path("stats/symbols/", views.StatsSymbolsView.as_view(), name="stats-symbols"),
    path("stats/pnl-history/", views.StatsPnlHistoryView.as_view(), name="stats-pnl-history"),
    path("stats/balance-history/", views.StatsBalanceHistoryView.as_view(), name="stats-balance-history"),
    path("stats/balance-snapshots/", views.BalanceSnapshotsView.as_view(), name="stats-balance-snapshots"),
]
