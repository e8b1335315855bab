import { http } from './client.js'

/**
 * @typedef {{id: number, username: string, theme: 'dark'|'light', display_timezone: 'UTC'|'local',
 *   default_broker: number|null, ai_provider: 'none'|'openrouter'|'ollama', is_dev: boolean}} User
 * @typedef {{authenticated: boolean, debug_aristobot: boolean, user: User|null}} Session
 */

/** Session courante ; pose aussi le cookie `csrftoken` (à appeler en premier). @returns {Promise<Session>} */
export const fetchSession = (options) => http.get('auth/me/', options)

/** @returns {Promise<Session>} */
export const login = (username, password) => http.post('auth/login/', { username, password })

export const logout = () => http.post('auth/logout/')

/**
 * Met à jour les préférences (`theme`, `display_timezone`…).
 * Le backend renvoie l'utilisateur à jour (ou une session complète : les deux formes sont acceptées).
 * @returns {Promise<User>}
 */
export async function updateProfile(patch) {
  const data = await http.patch('auth/me/', patch)
  return data && typeof data === 'object' && 'user' in data ? data.user : data
}
