import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { applyTheme } from '../design-system/applyTokens.js'
import { DEFAULT_THEME, THEMES } from '../design-system/tokens.js'
import { useAuthStore } from './auth.js'

export const THEME_STORAGE_KEY = 'aristobot.theme'
export const TIMEZONES = Object.freeze(['UTC', 'local'])

function readStoredTheme() {
  try {
    const value = globalThis.localStorage?.getItem(THEME_STORAGE_KEY)
    return THEMES.includes(value) ? value : null
  } catch {
    return null
  }
}

function storeTheme(value) {
  try {
    globalThis.localStorage?.setItem(THEME_STORAGE_KEY, value)
  } catch {
    // stockage indisponible (navigation privée) : le serveur reste la référence
  }
}

/**
 * Préférences d'affichage : thème (sombre néon / clair) et fuseau d'affichage des dates.
 * Le profil serveur fait foi ; le thème est aussi gardé en localStorage pour éviter un flash au chargement.
 */
export const usePreferencesStore = defineStore('preferences', () => {
  const auth = useAuthStore()
  const theme = ref(readStoredTheme() ?? DEFAULT_THEME)
  const saving = ref(false)

  const displayTimezone = computed(() => (auth.user?.display_timezone === 'local' ? 'local' : 'UTC'))
  const isDark = computed(() => theme.value === 'dark')

  function apply(value) {
    theme.value = applyTheme(value)
    storeTheme(theme.value)
  }

  // Le thème du profil serveur s'impose dès que la session est connue.
  watch(
    () => auth.user?.theme,
    (serverTheme) => {
      if (THEMES.includes(serverTheme)) apply(serverTheme)
    },
    { immediate: true },
  )

  async function save(patch) {
    saving.value = true
    try {
      return await auth.updateProfile(patch)
    } finally {
      saving.value = false
    }
  }

  /** Applique le thème immédiatement puis l'enregistre ; revient en arrière si le serveur refuse. */
  async function setTheme(next) {
    if (!THEMES.includes(next)) throw new Error(`Thème inconnu : ${next}`)
    const previous = theme.value
    apply(next)
    if (!auth.isAuthenticated) return
    try {
      await save({ theme: next })
    } catch (error) {
      apply(previous)
      throw error
    }
  }

  function toggleTheme() {
    return setTheme(isDark.value ? 'light' : 'dark')
  }

  async function setDisplayTimezone(next) {
    if (!TIMEZONES.includes(next)) throw new Error(`Fuseau inconnu : ${next}`)
    await save({ display_timezone: next })
  }

  /** À appeler au démarrage : pose `data-theme` avant le premier rendu. */
  function init() {
    apply(theme.value)
  }

  return { theme, isDark, displayTimezone, saving, init, setTheme, toggleTheme, setDisplayTimezone }
})
