import { computed, reactive, ref, shallowRef, watch } from 'vue'
import { useBrokersStore } from '../stores/brokers.js'
import {
  Phase,
  brokerFormFromBroker,
  brokerFormReducer,
  checkPayload,
  fieldErrorsFromApi,
  initialMachine,
  normalizeBalance,
  requiresPassword,
  savePayload,
  supportsTestnet,
  validateBrokerForm,
} from '../domain/brokers/form.js'

/**
 * Fenêtre modale d'ajout / modification d'un broker : formulaire, vérification des clés en direct,
 * confirmation du solde puis enregistrement (machine à états de `domain/brokers/form.js`). Un
 * broker papier n'a pas de clés : il s'enregistre directement (`saveDirect`).
 */
export function useBrokerEditor() {
  const store = useBrokersStore()
  const open = ref(false)
  /** Broker modifié (null = ajout). */
  const broker = shallowRef(null)
  const form = reactive(brokerFormFromBroker(null))
  const machine = shallowRef(initialMachine())
  let silent = false

  const dispatch = (event) => {
    machine.value = brokerFormReducer(machine.value, event)
  }

  const exchangeInfo = computed(() => store.exchangeInfo(form.exchange))
  const testnetAvailable = computed(() => !exchangeInfo.value || supportsTestnet(exchangeInfo.value))
  const needsPassword = computed(() => requiresPassword(exchangeInfo.value))
  const balance = computed(() => (machine.value.check ? normalizeBalance(machine.value.check) : null))
  const busy = computed(() => machine.value.phase === Phase.CHECKING || machine.value.phase === Phase.SAVING)
  const isEdit = computed(() => broker.value !== null)

  // Tout changement de champ invalide une vérification déjà faite.
  for (const field of Object.keys(form)) {
    watch(
      () => form[field],
      () => {
        if (!silent) dispatch({ type: 'FIELD_CHANGED', field })
      },
      { flush: 'sync' },
    )
  }
  // Pas de testnet possible (exchange sans sandbox, broker papier) : l'interrupteur revient sur « réel ».
  watch([testnetAvailable, () => form.isPaper], ([available, paper]) => {
    if (!available || paper) form.isTestnet = false
  })

  function fill(values) {
    silent = true
    Object.assign(form, values)
    silent = false
  }

  function openFor(target = null) {
    broker.value = target
    fill(brokerFormFromBroker(target))
    if (!target && !store.brokers.length) form.isDefault = true
    machine.value = initialMachine()
    open.value = true
    store.loadExchanges()
  }

  function close() {
    if (busy.value) return
    open.value = false
  }

  /** Étape 1 : vérifie les clés auprès de l'exchange et affiche le solde. */
  async function check() {
    const fieldErrors = validateBrokerForm(form, { broker: broker.value, exchangeInfo: exchangeInfo.value })
    if (Object.keys(fieldErrors).length) {
      dispatch({ type: 'INVALID', fieldErrors, message: 'Corrigez les champs signalés.' })
      return false
    }
    dispatch({ type: 'CHECK_START' })
    try {
      const result = await store.checkKeys(checkPayload(form, broker.value))
      if (result && result.ok === false) {
        dispatch({ type: 'CHECK_FAIL', message: result.detail || 'Clés refusées par l’exchange.' })
        return false
      }
      dispatch({ type: 'CHECK_OK', check: result })
      return true
    } catch (error) {
      dispatch({ type: 'CHECK_FAIL', message: error.message, fieldErrors: fieldErrorsFromApi(error.errors) })
      return false
    }
  }

  /** Étape 2 : après confirmation du solde, enregistre le broker. */
  async function save() {
    if (machine.value.phase !== Phase.CHECKED) return null
    dispatch({ type: 'SAVE_START' })
    return persist()
  }

  /** Broker papier : rien à vérifier auprès de l'exchange, enregistrement direct après validation. */
  async function saveDirect() {
    const fieldErrors = validateBrokerForm(form, { broker: broker.value, exchangeInfo: exchangeInfo.value })
    if (Object.keys(fieldErrors).length) {
      dispatch({ type: 'INVALID', fieldErrors, message: 'Corrigez les champs signalés.' })
      return null
    }
    dispatch({ type: 'SAVE_START', direct: true })
    return persist()
  }

  async function persist() {
    try {
      const saved = await store.save(savePayload(form, broker.value), broker.value?.id ?? null)
      dispatch({ type: 'SAVE_OK' })
      open.value = false
      return saved
    } catch (error) {
      dispatch({ type: 'SAVE_FAIL', message: error.message, fieldErrors: fieldErrorsFromApi(error.errors) })
      return null
    }
  }

  return {
    open,
    broker,
    form,
    machine,
    exchangeInfo,
    testnetAvailable,
    needsPassword,
    balance,
    busy,
    isEdit,
    openFor,
    close,
    check,
    save,
    saveDirect,
  }
}
