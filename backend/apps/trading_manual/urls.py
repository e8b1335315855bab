from django.urls import path

from apps.trading_manual.views import ManualOrderView, PortfolioView

urlpatterns = [
    path("trading-manual/orders/", ManualOrderView.as_view(), name="trading-manual-orders"),
    path("trading-manual/portfolio/", PortfolioView.as_view(), name="trading-manual-portfolio"),
]
