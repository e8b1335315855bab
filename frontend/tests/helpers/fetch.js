import { vi } from 'vitest'

/** Réponse HTTP JSON (ou vide si `body` est undefined). */
export function jsonResponse(status, body, headers = { 'content-type': 'application/json' }) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers })
}

/**
 * Remplace `fetch` par un faux serveur : `routes` associe « MÉTHODE /chemin » à une réponse
 * (objet Response, ou fonction (url, init) => Response). Toute autre requête → 404.
 */
export function stubFetch(routes) {
  const fetchMock = vi.fn(async (url, init = {}) => {
    const path = new URL(url, 'http://aristobot.test').pathname
    const key = `${(init.method ?? 'GET').toUpperCase()} ${path}`
    const route = routes[key]
    if (!route) return jsonResponse(404, { detail: `Route inconnue du test : ${key}` })
    return typeof route === 'function' ? route(url, init) : route.clone()
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

/** Corps JSON de l'appel n° `index` au faux fetch. */
export function requestBody(fetchMock, index) {
  const body = fetchMock.mock.calls[index][1]?.body
  return body === undefined ? undefined : JSON.parse(body)
}
