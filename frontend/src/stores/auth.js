import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as authApi from '../api/auth.js'

/** Session de l'utilisateur (connexion, mode dev, profil). */
export const useAuthStore = defineStore('auth', () => {
  /** @type {import('vue').Ref<import('../api/auth.js').User|null>} */
  const user = ref(null)
  const debugMode = ref(false)
  const loaded = ref(false)
  let pending = null

  const isAuthenticated = computed(() => user.value !== null)
  const username = computed(() => user.value?.username ?? '')

  function applySession(session) {
    user.value = session?.authenticated && session.user ? session.user : null
    debugMode.value = Boolean(session?.debug_aristobot)
    loaded.value = true
    return session
  }

  /** Recharge la session depuis `/api/auth/me/` (pose aussi le cookie CSRF). */
  async function fetchSession() {
    pending ??= authApi.fetchSession().then(applySession).finally(() => {
      pending = null
    })
    return pending
  }

  /** Charge la session une seule fois (garde du routeur). */
  async function ensureLoaded() {
    if (!loaded.value) await fetchSession()
    return isAuthenticated.value
  }

  async function login(usernameValue, password) {
    const session = await authApi.login(usernameValue, password)
    if (session && typeof session === 'object' && 'authenticated' in session) applySession(session)
    else await fetchSession()
    return isAuthenticated.value
  }

  /** Déconnecte ; en mode DEBUG_ARISTOBOT le backend reconnecte aussitôt `dev`. */
  async function logout() {
    try {
      await authApi.logout()
    } finally {
      user.value = null
      loaded.value = false
      await fetchSession().catch(() => applySession(null))
    }
    return isAuthenticated.value
  }

  /** Enregistre des préférences côté serveur et met à jour le profil local. */
  async function updateProfile(patch) {
    const updated = await authApi.updateProfile(patch)
    if (updated && typeof updated === 'object') user.value = { ...user.value, ...updated }
    return user.value
  }

  /** Change le mot de passe ; renvoie le message de confirmation du serveur. */
  async function changePassword(currentPassword, newPassword) {
    const data = await authApi.changePassword(currentPassword, newPassword)
    return data?.detail ?? 'Mot de passe modifié.'
  }

  return {
    user,
    debugMode,
    loaded,
    isAuthenticated,
    username,
    fetchSession,
    ensureLoaded,
    login,
    logout,
    updateProfile,
    changePassword,
  }
})
