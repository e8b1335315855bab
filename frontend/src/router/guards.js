import { HOME_PATH, LOGIN_PATH } from './menu.js'

/**
 * Garde d'authentification : charge la session au premier passage, envoie les visiteurs non
 * connectés vers /login (en mode DEBUG_ARISTOBOT, le backend connecte `dev` automatiquement).
 * @param {ReturnType<typeof import('../stores/auth.js').useAuthStore>} auth
 */
export function createAuthGuard(auth) {
  return async function authGuard(to) {
    try {
      await auth.ensureLoaded()
    } catch {
      // Backend injoignable : on laisse la page de connexion afficher l'erreur.
    }
    const isPublic = Boolean(to.meta?.public)
    if (!auth.isAuthenticated && !isPublic) {
      return { path: LOGIN_PATH, query: to.fullPath !== HOME_PATH && to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
    }
    if (auth.isAuthenticated && to.path === LOGIN_PATH) {
      const redirect = typeof to.query.redirect === 'string' ? to.query.redirect : ''
      return redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : HOME_PATH
    }
    return true
  }
}
