from django.urls import path

from apps.trading_manual.views import JournalSyncView, ManualOrderView, OpenOrdersView, PortfolioView

urlpatterns = [
    path("trading-manual/orders/", ManualOrderView.as_view(), name="trading-manual-orders"),
    path("trading-manual/portfolio/", PortfolioView.as_view(), name="trading-manual-portfolio"),
    path("trading-manual/open-orders/", OpenOrdersView.as_view(), name="trading-manual-open-orders"),
    path("trading-manual/sync/", JournalSyncView.as_view(), name="trading-manual-sync"),
]
