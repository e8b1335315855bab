import { computed, reactive, ref, watch } from 'vue'
import { testAi } from '../api/ai.js'
import { useAuthStore } from '../stores/auth.js'
import { aiFormFromUser, aiPatch, aiStatusText, isProviderOn, switchProvider, validateAiForm } from '../domain/ai/settings.js'

/**
 * Carte « Assistant IA » : formulaire lié au profil, interrupteurs exclusifs OpenRouter / Ollama,
 * enregistrement (`PATCH /api/auth/me/`) et test de connexion (`POST /api/ai/test/`).
 */
export function useAiSettings() {
  const auth = useAuthStore()
  const form = reactive(aiFormFromUser(auth.user))
  const errors = ref({})
  const saving = ref(false)
  const testing = ref(false)
  const saveError = ref('')
  const testResult = ref(null) // { ok: boolean, message: string }

  // Profil rechargé (autre onglet, reconnexion) : on repart des valeurs du serveur.
  watch(
    () => auth.user,
    (user) => Object.assign(form, aiFormFromUser(user)),
  )

  const dirty = computed(() => {
    const initial = aiFormFromUser(auth.user)
    return Object.keys(initial).some((key) => form[key] !== initial[key])
  })
  const statusText = computed(() => aiStatusText(form.provider))

  function toggle(provider, on) {
    form.provider = switchProvider(form.provider, provider, on)
    testResult.value = null
  }
  const isOn = (provider) => isProviderOn(form.provider, provider)

  async function save() {
    errors.value = validateAiForm(form)
    saveError.value = ''
    if (Object.keys(errors.value).length) return false
    saving.value = true
    try {
      await auth.updateProfile(aiPatch(form))
      return true
    } catch (error) {
      saveError.value = error.message
      return false
    } finally {
      saving.value = false
    }
  }

  async function test() {
    testing.value = true
    testResult.value = null
    try {
      const data = await testAi(aiPatch(form))
      const ok = data?.ok !== false
      testResult.value = { ok, message: data?.detail || (ok ? 'Connexion à l’assistant IA réussie.' : 'Échec du test.') }
    } catch (error) {
      testResult.value = { ok: false, message: error.message }
    } finally {
      testing.value = false
    }
  }

  return { form, errors, saving, testing, saveError, testResult, dirty, statusText, toggle, isOn, save, test }
}
