import { http } from './client.js'

/**
 * Gestion des utilisateurs par un administrateur (`/api/users/`, 5 comptes au maximum).
 * @typedef {{id: number, username: string, is_staff: boolean, is_active: boolean,
 *   date_joined: string, last_login: string|null, live_strategies: number, open_positions: number,
 *   is_self: boolean}} ManagedUser
 */

/** @returns {Promise<ManagedUser[]>} */
export const listUsers = () => http.get('users/')

/** @returns {Promise<ManagedUser>} */
export const createUser = ({ username, password, isStaff }) =>
  http.post('users/', { username, password, is_staff: Boolean(isStaff) })

/** Activer / désactiver, donner / retirer le rôle d'administrateur. @returns {Promise<ManagedUser>} */
export const updateUser = (id, patch) => http.patch(`users/${id}/`, patch)

/** @returns {Promise<{detail: string}>} */
export const resetPassword = (id, password) => http.post(`users/${id}/password/`, { password })

/** Sans `confirm`, un compte qui trade encore répond 409 (`code: user_has_live_strategies`). */
export const deleteUser = (id, { confirm = false } = {}) =>
  http.delete(`users/${id}/`, confirm ? { query: { confirm: 1 } } : undefined)
