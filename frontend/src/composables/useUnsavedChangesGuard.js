import { onBeforeUnmount, onMounted, ref, toValue } from 'vue'
import { onBeforeRouteLeave } from 'vue-router'

/**
 * Garde-fou « modifications non enregistrées » d'une page d'édition :
 * - quitter la page par le routeur ouvre une vraie boîte de dialogue (DOM) : rester, abandonner
 *   ou enregistrer puis continuer ;
 * - fermer/recharger l'onglet déclenche l'avertissement natif du navigateur (`beforeunload`) ;
 * - `confirm()` sert aussi aux actions internes (ouvrir une autre stratégie…).
 *
 * @param {import('vue').MaybeRefOrGetter<boolean>} isDirty
 * @param {{save: () => Promise<unknown>, discard: () => void}} actions
 */
export function useUnsavedChangesGuard(isDirty, { save, discard }) {
  const open = ref(false)
  const saving = ref(false)
  const error = ref('')
  let resolvePending = null

  function finish(result) {
    open.value = false
    const resolve = resolvePending
    resolvePending = null
    resolve?.(result)
  }

  /** Résout `true` s'il n'y a rien à perdre ou si l'utilisateur a choisi de continuer. */
  function confirm() {
    if (!toValue(isDirty)) return Promise.resolve(true)
    if (resolvePending) finish(false)
    error.value = ''
    open.value = true
    return new Promise((resolve) => {
      resolvePending = resolve
    })
  }

  function stay() {
    finish(false)
  }

  function discardAndContinue() {
    discard()
    finish(true)
  }

  async function saveAndContinue() {
    saving.value = true
    error.value = ''
    try {
      await save()
      finish(true)
    } catch (err) {
      error.value = err.message
    } finally {
      saving.value = false
    }
  }

  function onBeforeUnload(event) {
    if (!toValue(isDirty)) return
    event.preventDefault()
    event.returnValue = ''
  }

  onMounted(() => window.addEventListener('beforeunload', onBeforeUnload))
  onBeforeUnmount(() => {
    window.removeEventListener('beforeunload', onBeforeUnload)
    if (resolvePending) finish(false)
  })
  onBeforeRouteLeave(() => confirm())

  return { open, saving, error, confirm, stay, discardAndContinue, saveAndContinue }
}
