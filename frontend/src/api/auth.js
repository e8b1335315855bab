import { http } from './client.js'

/**
 * @typedef {{id: number, username: string, theme: 'dark'|'light', display_timezone: 'UTC'|'local',
 *   ai_provider: 'none'|'openrouter'|'ollama', ai_api_key_hint: string,
 *   openrouter_model: string, ollama_url: string, ollama_model: string, is_dev: boolean,
 *   is_staff: boolean, telegram_bot_token_hint: string, telegram_chat_id: string,
 *   telegram_enabled: boolean, telegram_summary_time: string, telegram_timezone: string}} User
 * @typedef {{authenticated: boolean, debug_aristobot: boolean, user: User|null}} Session
 */

/** Session courante ; pose aussi le cookie `csrftoken` (à appeler en premier). @returns {Promise<Session>} */
export const fetchSession = (options) => http.get('auth/me/', options)

/** @returns {Promise<Session>} */
export const login = (username, password) => http.post('auth/login/', { username, password })

export const logout = () => http.post('auth/logout/')

/** Change le mot de passe (la session reste ouverte). @returns {Promise<{detail: string}>} */
export const changePassword = (currentPassword, newPassword) =>
  http.post('auth/password/', { current_password: currentPassword, new_password: newPassword })

/**
 * Met à jour les préférences (`theme`, `display_timezone`…).
 * Le backend renvoie l'utilisateur à jour (ou une session complète : les deux formes sont acceptées).
 * @returns {Promise<User>}
 */
export async function updateProfile(patch) {
  const data = await http.patch('auth/me/', patch)
  return data && typeof data === 'object' && 'user' in data ? data.user : data
}
