from django.urls import path

from apps.stats import views

urlpatterns = [
    path("status/", views.StatusView.as_view(), name="status"),
]
