import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { jsonResponse, requestBody, stubFetch } from '../../../tests/helpers/fetch.js'
import { updateProfile } from '../auth.js'
import { ApiError, http, readCookie } from '../client.js'

function setCookie(value) {
  document.cookie = value
}

describe('client HTTP', () => {
  beforeEach(() => {
    setCookie('csrftoken=tok-123; path=/')
    setCookie('sessionid=abc; path=/')
  })
  afterEach(() => {
    setCookie('csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/')
  })

  it('envoie le jeton CSRF du cookie, le corps JSON et les cookies sur un POST', async () => {
    const fetchMock = stubFetch({ 'POST /api/auth/login/': jsonResponse(200, { authenticated: true }) })

    const data = await http.post('auth/login/', { username: 'dac', password: 'secret' })

    expect(data).toEqual({ authenticated: true })
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/auth/login/')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('same-origin')
    expect(init.headers['X-CSRFToken']).toBe('tok-123')
    expect(init.headers['Content-Type']).toBe('application/json')
    expect(requestBody(fetchMock, 0)).toEqual({ username: 'dac', password: 'secret' })
  })

  it('envoie aussi le jeton sur PATCH et DELETE, jamais sur GET', async () => {
    const fetchMock = stubFetch({
      'GET /api/status/': jsonResponse(200, {}),
      'PATCH /api/auth/me/': jsonResponse(200, {}),
      'DELETE /api/brokers/1/': new Response(null, { status: 204 }),
    })

    await http.get('status/')
    await http.patch('auth/me/', { theme: 'light' })
    const deleted = await http.delete('brokers/1/')

    expect(fetchMock.mock.calls[0][1].headers).not.toHaveProperty('X-CSRFToken')
    expect(fetchMock.mock.calls[1][1].headers['X-CSRFToken']).toBe('tok-123')
    expect(fetchMock.mock.calls[2][1].headers['X-CSRFToken']).toBe('tok-123')
    expect(deleted).toBeNull()
  })

  it('ajoute les paramètres de requête non vides', async () => {
    const fetchMock = stubFetch({ 'GET /api/trades/': jsonResponse(200, []) })
    await http.get('trades/', { query: { broker: 3, symbol: '', page: null } })
    expect(fetchMock.mock.calls[0][0]).toBe('/api/trades/?broker=3')
  })

  it('transforme {"detail"} en ApiError avec le message français et le statut', async () => {
    stubFetch({
      'POST /api/auth/login/': jsonResponse(400, { detail: 'Identifiant ou mot de passe incorrect.' }),
    })

    const error = await http.post('auth/login/', { username: 'x', password: 'y' }).catch((e) => e)

    expect(error).toBeInstanceOf(ApiError)
    expect(error.message).toBe('Identifiant ou mot de passe incorrect.')
    expect(error.status).toBe(400)
    expect(error.isNetworkError).toBe(false)
  })

  it('garde les erreurs de champ et résume quand detail manque', async () => {
    stubFetch({
      'POST /api/brokers/': jsonResponse(400, { errors: { name: ['Ce champ est obligatoire.'] } }),
    })
    const error = await http.post('brokers/', {}).catch((e) => e)
    expect(error.errors).toEqual({ name: ['Ce champ est obligatoire.'] })
    expect(error.message).toBe('name : Ce champ est obligatoire.')
  })

  it('donne un message français par défaut quand la réponse n’est pas du JSON', async () => {
    stubFetch({ 'GET /api/status/': new Response('<h1>Server Error</h1>', { status: 500, headers: { 'content-type': 'text/html' } }) })
    const error = await http.get('status/').catch((e) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(500)
    expect(error.message).toBe('Erreur interne du serveur Aristobot.')
  })

  it('signale un serveur injoignable par une ApiError de statut 0', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const error = await http.get('status/').catch((e) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(0)
    expect(error.isNetworkError).toBe(true)
    expect(error.message).toMatch(/^Impossible de joindre le serveur Aristobot/)
  })

  it('lit un cookie précis parmi plusieurs', () => {
    expect(readCookie('csrftoken', 'a=1; csrftoken=x%3Dy; b=2')).toBe('x=y')
    expect(readCookie('absent', 'a=1')).toBeNull()
  })
})

describe('api/auth.updateProfile', () => {
  it('accepte un utilisateur seul ou une session complète', async () => {
    stubFetch({ 'PATCH /api/auth/me/': jsonResponse(200, { authenticated: true, user: { id: 1, theme: 'light' } }) })
    expect(await updateProfile({ theme: 'light' })).toEqual({ id: 1, theme: 'light' })

    stubFetch({ 'PATCH /api/auth/me/': jsonResponse(200, { id: 1, theme: 'dark' }) })
    expect(await updateProfile({ theme: 'dark' })).toEqual({ id: 1, theme: 'dark' })
  })
})
