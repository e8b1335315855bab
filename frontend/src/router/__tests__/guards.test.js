import { describe, expect, it, vi } from 'vitest'
import { createAuthGuard } from '../guards.js'

function fakeAuth(authenticated, { fail = false } = {}) {
  return {
    isAuthenticated: authenticated,
    ensureLoaded: vi.fn(async () => {
      if (fail) throw new Error('Serveur injoignable')
      return authenticated
    }),
  }
}

const route = (path, { public: isPublic = false, query = {} } = {}) => ({
  path,
  fullPath: path,
  query,
  meta: isPublic ? { public: true } : {},
})

describe('garde d’authentification', () => {
  it('renvoie un visiteur non connecté vers /login en mémorisant la page demandée', async () => {
    const guard = createAuthGuard(fakeAuth(false))
    expect(await guard(route('/backtest'))).toEqual({ path: '/login', query: { redirect: '/backtest' } })
    expect(await guard(route('/heartbeat'))).toEqual({ path: '/login', query: {} })
  })

  it('laisse passer la page de connexion publique', async () => {
    expect(await createAuthGuard(fakeAuth(false))(route('/login', { public: true }))).toBe(true)
  })

  it('laisse passer un utilisateur connecté (dont « dev » en mode debug)', async () => {
    const auth = fakeAuth(true)
    expect(await createAuthGuard(auth)(route('/strategies'))).toBe(true)
    expect(auth.ensureLoaded).toHaveBeenCalledOnce()
  })

  it('détourne /login vers la page demandée (sûre) ou le Heartbeat si déjà connecté', async () => {
    const guard = createAuthGuard(fakeAuth(true))
    expect(await guard(route('/login', { public: true, query: { redirect: '/webhooks' } }))).toBe('/webhooks')
    expect(await guard(route('/login', { public: true, query: { redirect: '//evil.example' } }))).toBe('/heartbeat')
  })

  it('envoie vers /login si la session ne peut pas être chargée', async () => {
    const guard = createAuthGuard(fakeAuth(false, { fail: true }))
    expect(await guard(route('/trading-bot'))).toEqual({ path: '/login', query: { redirect: '/trading-bot' } })
  })
})
