"""Vues du cœur : SPA construite, réponses JSON par défaut de l'API."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse


def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return JsonResponse({"detail": f"Point d'API introuvable : /api/{path}"}, status=404)


_NOT_BUILT = """<!doctype html><html lang="fr"><meta charset="utf-8"><title>Aristobot V3</title>
<body style="background:#0b0f17;color:#e6edf3;font-family:sans-serif;padding:3rem">
<h1 style="color:#00D4FF">Aristobot V3</h1>
<p>L'interface n'est pas encore construite : lancez <code>make build</code>
(ou <code>npm run build</code> dans <code>frontend/</code>), ou utilisez <code>npm run dev</code>.</p>
<p>L'API est disponible sous <a style="color:#00FF88" href="/api/docs/">/api/docs/</a>.</p>
</body></html>"""


def spa(request: HttpRequest, path: str = "") -> HttpResponse:
    """Sert la SPA construite (`frontend/dist`) avec repli sur index.html (historique HTML5)."""
    dist: Path = settings.FRONTEND_DIST_DIR
    if path:
        candidate = (dist / path).resolve()
        if candidate.is_file() and dist.resolve() in candidate.parents:
            content_type, _ = mimetypes.guess_type(str(candidate))
            response = FileResponse(candidate.open("rb"), content_type=content_type)
            if path.startswith("assets/"):
                response["Cache-Control"] = "public, max-age=31536000, immutable"
            return response
        if path.startswith("assets/"):
            return HttpResponse("Fichier introuvable.", status=404, content_type="text/plain")
    index = dist / "index.html"
    if not index.is_file():
        return HttpResponse(_NOT_BUILT, status=503)
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Erreur interne du serveur (voir les journaux)."}, status=500)
    return HttpResponse("Erreur interne du serveur.", status=500, content_type="text/plain")
