import { computed } from 'vue'
import { usePreferencesStore } from '../stores/preferences.js'
import * as format from '../utils/format.js'

/** Fonctions de formatage des dates liées au fuseau d'affichage choisi par l'utilisateur. */
export function useDateFormat() {
  const preferences = usePreferencesStore()
  const timezone = computed(() => preferences.displayTimezone)
  return {
    timezone,
    formatDateTime: (value, options) => format.formatDateTime(value, timezone.value, options),
    formatDate: (value) => format.formatDate(value, timezone.value),
    formatTime: (value, options) => format.formatTime(value, timezone.value, options),
    formatHeartbeatStamp: (value) => format.formatHeartbeatStamp(value, timezone.value),
  }
}
