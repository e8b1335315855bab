import { computed, reactive, ref, watch } from 'vue'
import { testTelegram } from '../api/telegram.js'
import { useAuthStore } from '../stores/auth.js'
import { usePreferencesStore } from '../stores/preferences.js'
import {
  summaryZone,
  summaryZoneLabel,
  telegramFormFromUser,
  telegramPatch,
  telegramStatusText,
  telegramTestPayload,
  telegramTestResult,
  validateTelegramForm,
} from '../domain/telegram/settings.js'

/**
 * Carte « Telegram » : formulaire lié au profil, interrupteur ON/OFF, enregistrement
 * (`PATCH /api/auth/me/`) et test (`POST /api/telegram/test/`).
 */
export function useTelegramSettings({ browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone } = {}) {
  const auth = useAuthStore()
  const preferences = usePreferencesStore()
  const form = reactive(telegramFormFromUser(auth.user))
  const errors = ref({})
  const saving = ref(false)
  const testing = ref(false)
  const saveError = ref('')
  const testResult = ref(null) // { ok: boolean, message: string }

  watch(
    () => auth.user,
    (user) => Object.assign(form, telegramFormFromUser(user)),
  )

  const zone = computed(() => summaryZone(preferences.displayTimezone, browserZone))
  const zoneLabel = computed(() => summaryZoneLabel(preferences.displayTimezone, browserZone))
  const dirty = computed(() => {
    const initial = telegramFormFromUser(auth.user)
    const changed = Object.keys(initial).some((key) => form[key] !== initial[key])
    return changed || (form.enabled && auth.user?.telegram_timezone !== zone.value)
  })
  const statusText = computed(() => telegramStatusText(form, zoneLabel.value))

  function serverErrors(error) {
    const fields = { telegram_bot_token: 'token', telegram_chat_id: 'chatId', telegram_summary_time: 'summaryTime' }
    return Object.fromEntries(Object.entries(error?.errors ?? {}).filter(([key]) => fields[key]).map(([key, messages]) => [fields[key], [].concat(messages).join(' ')]))
  }

  async function save() {
    errors.value = validateTelegramForm(form)
    saveError.value = ''
    if (Object.keys(errors.value).length) return false
    saving.value = true
    try {
      await auth.updateProfile(telegramPatch(form, zone.value))
      return true
    } catch (error) {
      errors.value = serverErrors(error)
      saveError.value = error.message
      return false
    } finally {
      saving.value = false
    }
  }

  async function test() {
    errors.value = validateTelegramForm(form, { forTest: true })
    testResult.value = null
    if (Object.keys(errors.value).length) return
    testing.value = true
    try {
      testResult.value = telegramTestResult(await testTelegram(telegramTestPayload(form)))
    } catch (error) {
      testResult.value = telegramTestResult(null, error)
    } finally {
      testing.value = false
    }
  }

  return { form, errors, saving, testing, saveError, testResult, dirty, zoneLabel, statusText, save, test }
}
