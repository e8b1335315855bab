"""Pagination commune : `?page=N&page_size=M` (taille configurable par l'interface)."""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_page_message = "Page invalide."
