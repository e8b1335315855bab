import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { jsonResponse, requestBody, stubFetch } from '../../../tests/helpers/fetch.js'
import { useAuthStore } from '../auth.js'
import { usePreferencesStore } from '../preferences.js'

const DAC = { id: 2, username: 'dac', theme: 'dark', display_timezone: 'UTC', ai_provider: 'none', is_dev: false }
const DEV = { ...DAC, id: 1, username: 'dev', is_dev: true }
const anonymous = { authenticated: false, debug_aristobot: false, user: null }

describe('store auth', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    localStorage.clear()
    document.documentElement.removeAttribute('data-theme')
  })

  it('connecte l’utilisateur avec la session renvoyée par /login', async () => {
    const fetchMock = stubFetch({
      'GET /api/auth/me/': jsonResponse(200, anonymous),
      'POST /api/auth/login/': jsonResponse(200, { authenticated: true, debug_aristobot: false, user: DAC }),
    })
    const auth = useAuthStore()
    expect(await auth.ensureLoaded()).toBe(false)

    expect(await auth.login('dac', 'secret')).toBe(true)
    expect(auth.username).toBe('dac')
    expect(requestBody(fetchMock, 1)).toEqual({ username: 'dac', password: 'secret' })
  })

  it('propage l’erreur française d’un mauvais mot de passe', async () => {
    stubFetch({ 'POST /api/auth/login/': jsonResponse(400, { detail: 'Identifiant ou mot de passe incorrect.' }) })
    const auth = useAuthStore()
    await expect(auth.login('dac', 'faux')).rejects.toThrow('Identifiant ou mot de passe incorrect.')
    expect(auth.isAuthenticated).toBe(false)
  })

  it('reste connecté en « dev » après déconnexion en mode DEBUG_ARISTOBOT', async () => {
    stubFetch({
      'GET /api/auth/me/': jsonResponse(200, { authenticated: true, debug_aristobot: true, user: DEV }),
      'POST /api/auth/logout/': jsonResponse(200, {}),
    })
    const auth = useAuthStore()
    await auth.ensureLoaded()
    expect(await auth.logout()).toBe(true)
    expect(auth.username).toBe('dev')
    expect(auth.debugMode).toBe(true)
  })

  it('se retrouve déconnecté après logout hors mode debug', async () => {
    let loggedIn = true
    stubFetch({
      'GET /api/auth/me/': () => jsonResponse(200, loggedIn ? { authenticated: true, debug_aristobot: false, user: DAC } : anonymous),
      'POST /api/auth/logout/': () => {
        loggedIn = false
        return jsonResponse(200, {})
      },
    })
    const auth = useAuthStore()
    await auth.ensureLoaded()
    expect(await auth.logout()).toBe(false)
    expect(auth.user).toBeNull()
  })
})

describe('store preferences', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    localStorage.clear()
    document.documentElement.removeAttribute('data-theme')
  })

  async function loggedIn(routes = {}) {
    const fetchMock = stubFetch({
      'GET /api/auth/me/': jsonResponse(200, { authenticated: true, debug_aristobot: false, user: DAC }),
      ...routes,
    })
    const auth = useAuthStore()
    const preferences = usePreferencesStore()
    await auth.ensureLoaded()
    return { auth, preferences, fetchMock }
  }

  it('applique le thème du profil serveur sur <html data-theme>', async () => {
    stubFetch({ 'GET /api/auth/me/': jsonResponse(200, { authenticated: true, debug_aristobot: false, user: { ...DAC, theme: 'light' } }) })
    const preferences = usePreferencesStore()
    await useAuthStore().ensureLoaded()
    await Promise.resolve()
    expect(preferences.theme).toBe('light')
    expect(document.documentElement.dataset.theme).toBe('light')
  })

  it('bascule le thème tout de suite puis l’enregistre par PATCH', async () => {
    const { preferences, fetchMock } = await loggedIn({
      'PATCH /api/auth/me/': jsonResponse(200, { ...DAC, theme: 'light' }),
    })
    const pending = preferences.toggleTheme()
    expect(document.documentElement.dataset.theme).toBe('light')
    await pending
    expect(requestBody(fetchMock, 1)).toEqual({ theme: 'light' })
    expect(localStorage.getItem('aristobot.theme')).toBe('light')
  })

  it('revient au thème précédent si le serveur refuse', async () => {
    const { preferences } = await loggedIn({
      'PATCH /api/auth/me/': jsonResponse(400, { detail: 'Thème invalide.' }),
    })
    await expect(preferences.setTheme('light')).rejects.toThrow('Thème invalide.')
    expect(document.documentElement.dataset.theme).toBe('dark')
  })

  it('enregistre le fuseau d’affichage et l’expose', async () => {
    const { preferences, fetchMock } = await loggedIn({
      'PATCH /api/auth/me/': jsonResponse(200, { ...DAC, display_timezone: 'local' }),
    })
    expect(preferences.displayTimezone).toBe('UTC')
    await preferences.setDisplayTimezone('local')
    expect(requestBody(fetchMock, 1)).toEqual({ display_timezone: 'local' })
    expect(preferences.displayTimezone).toBe('local')
  })
})
