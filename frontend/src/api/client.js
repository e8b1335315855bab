/**
 * Client HTTP unique d'Aristobot : tout appel à l'API passe par ici.
 *
 * - cookies de session envoyés (`credentials: 'same-origin'`) ;
 * - en-tête `X-CSRFToken` (lu dans le cookie `csrftoken`) sur les méthodes non sûres ;
 * - toute erreur devient une `ApiError` portant le message français du backend (`detail`).
 */

export const API_PREFIX = '/api/'
export const CSRF_COOKIE = 'csrftoken'
export const CSRF_HEADER = 'X-CSRFToken'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

const FALLBACK_MESSAGES = {
  400: 'Requête invalide.',
  401: 'Authentification requise.',
  403: 'Accès refusé.',
  404: 'Ressource introuvable.',
  405: 'Méthode non autorisée.',
  409: 'Conflit avec l’état actuel de la ressource.',
  429: 'Trop de requêtes, réessayez dans un instant.',
  500: 'Erreur interne du serveur Aristobot.',
  502: 'Serveur Aristobot injoignable (passerelle).',
  503: 'Serveur Aristobot indisponible.',
}

export class ApiError extends Error {
  /**
   * @param {string} message message français, affichable tel quel
   * @param {{status?: number, errors?: Record<string, string[]>|null, data?: unknown, cause?: unknown}} [info]
   */
  constructor(message, { status = 0, errors = null, data = null, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'ApiError'
    this.status = status
    this.errors = errors
    this.data = data
  }

  /** Vrai quand le serveur n'a pas pu être joint (aucune réponse HTTP). */
  get isNetworkError() {
    return this.status === 0
  }
}

/** Lit un cookie par son nom (null si absent). */
export function readCookie(name, cookieString = globalThis.document?.cookie ?? '') {
  for (const part of cookieString.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

function buildUrl(path, query) {
  const url = path.startsWith('/') ? path : API_PREFIX + path
  if (!query) return url
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.append(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${url}?${qs}` : url
}

function summarizeErrors(errors) {
  if (!errors || typeof errors !== 'object') return null
  const parts = Object.entries(errors).map(([field, messages]) => {
    const text = Array.isArray(messages) ? messages.join(' ') : String(messages)
    return field === 'non_field_errors' ? text : `${field} : ${text}`
  })
  return parts.length ? parts.join(' — ') : null
}

/** Transforme une réponse HTTP en échec en `ApiError` avec un message français. */
export function errorFromResponse(status, data) {
  const body = data && typeof data === 'object' ? data : null
  const errors = body?.errors ?? null
  let message = typeof body?.detail === 'string' && body.detail ? body.detail : null
  if (!message) message = summarizeErrors(errors)
  if (!message) message = FALLBACK_MESSAGES[status] ?? `Erreur HTTP ${status}.`
  return new ApiError(message, { status, errors, data })
}

async function parseBody(response) {
  if (response.status === 204 || response.status === 205) return null
  const text = await response.text()
  if (!text) return null
  const type = response.headers.get('content-type') ?? ''
  if (type.includes('json')) {
    try {
      return JSON.parse(text)
    } catch {
      return null
    }
  }
  return text
}

/**
 * Effectue une requête JSON vers l'API.
 * @param {string} method
 * @param {string} path chemin relatif à `/api/` (`auth/me/`) ou absolu (`/api/auth/me/`)
 * @param {{body?: unknown, query?: Record<string, unknown>, signal?: AbortSignal, headers?: Record<string,string>}} [options]
 */
export async function request(method, path, { body, query, signal, headers = {} } = {}) {
  const verb = method.toUpperCase()
  const init = {
    method: verb,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...headers },
    signal,
  }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (!SAFE_METHODS.has(verb)) {
    const token = readCookie(CSRF_COOKIE)
    if (token) init.headers[CSRF_HEADER] = token
  }

  let response
  try {
    response = await globalThis.fetch(buildUrl(path, query), init)
  } catch (error) {
    if (error?.name === 'AbortError') throw error
    throw new ApiError(`Impossible de joindre le serveur Aristobot (${error?.message ?? error}).`, {
      status: 0,
      cause: error,
    })
  }

  const data = await parseBody(response)
  if (!response.ok) throw errorFromResponse(response.status, data)
  return data
}

export const http = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  put: (path, body, options) => request('PUT', path, { ...options, body }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body }),
  delete: (path, options) => request('DELETE', path, options),
}
