"""Middlewares du cœur : refus précoce des adresses hostiles (400 en français, jamais de 500)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class BadInputMiddleware:
    """Un caractère nul dans le chemin ou la requête (`%00`) est refusé avant toute vue.

    PostgreSQL refuse le caractère nul dans un texte : sans ce filtre, `?q=%00` ou
    `/api/webhooks/receive/%00/` finiraient en erreur 500 dans la base.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query \
                or any("\x00" in value for values in request.GET.lists() for value in values[1]):
            response = JsonResponse(
                {"detail": "Requête refusée : caractère nul (%00) dans l'adresse."}, status=400,
                json_dumps_params={"ensure_ascii": False})
            response._has_been_logged = True  # pas de ligne de journal par requête hostile
            return response
        return self.get_response(request)
