import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as strategiesApi from '../api/strategies.js'
import {
  copyName,
  draftChanges,
  isDraftDirty,
  draftErrors,
  draftFromStrategy,
  NEW_STRATEGY_NAME,
  uniqueName,
  validationMarkers,
} from '../domain/strategies/draft.js'

const byName = (a, b) => a.name.localeCompare(b.name, 'fr', { sensitivity: 'base' })

/**
 * Atelier des stratégies : la liste de l'utilisateur, la stratégie ouverte (version enregistrée
 * + brouillon), la validation dans le bac à sable et l'assistant IA (proposition à accepter).
 *
 * Le brouillon n'est jamais écrasé sans action explicite : une proposition de l'IA acceptée le
 * modifie sans l'enregistrer ; seul `save()` écrit sur le serveur.
 */
export const useStrategiesStore = defineStore('strategies', () => {
  /** @type {import('vue').Ref<import('../api/strategies.js').Strategy[]>} */
  const items = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref(null)

  const selectedId = ref(null)
  /** Copie serveur de la stratégie ouverte (référence des modifications non enregistrées). */
  const saved = ref(null)
  const draft = ref(draftFromStrategy(null))
  /** Change à chaque ouverture d'une stratégie : l'éditeur repart d'un historique vide. */
  const docVersion = ref(0)
  const saving = ref(false)

  /** @type {import('vue').Ref<import('../api/strategies.js').ValidationResult|null>} */
  const validation = ref(null)
  const validatedCode = ref(null)
  const validating = ref(false)

  /** Réponse de l'assistant + code de départ (`baseCode`) ; `proposedCode` = colonne droite du diff. */
  const suggestion = ref(null)
  const proposedCode = ref('')
  const assisting = ref(false)
  const assistError = ref(null)
  let assistController = null

  /** Confinement du code sur le serveur (chargé une fois). @type {import('vue').Ref<import('../api/strategies.js').SandboxStatus|null>} */
  const sandbox = ref(null)
  let sandboxRequest = null

  const selected = computed(() => items.value.find((s) => s.id === selectedId.value) ?? null)
  const changes = computed(() => draftChanges(draft.value, saved.value))
  const isDirty = computed(() => isDraftDirty(draft.value, saved.value))
  const errors = computed(() => draftErrors(draft.value))
  const markers = computed(() => validationMarkers(validation.value))
  const validationStale = computed(() => validation.value !== null && validatedCode.value !== draft.value.code)
  const names = computed(() => items.value.map((s) => s.name))

  function upsert(strategy) {
    const others = items.value.filter((s) => s.id !== strategy.id)
    items.value = [...others, strategy].sort(byName)
  }

  function resetValidation() {
    validation.value = null
    validatedCode.value = null
  }

  /** Ouvre `strategy` (ou rien) : brouillon = version serveur, validation et proposition oubliées. */
  function open(strategy) {
    cancelAssist()
    selectedId.value = strategy?.id ?? null
    saved.value = strategy ? { ...strategy } : null
    draft.value = draftFromStrategy(strategy)
    docVersion.value += 1
    resetValidation()
    rejectSuggestion()
    assistError.value = null
  }

  /** Charge la liste ; garde la stratégie ouverte (et son brouillon) si elle existe toujours. */
  async function fetchAll() {
    loading.value = true
    try {
      const list = await strategiesApi.listStrategies()
      items.value = [...(Array.isArray(list) ? list : [])].sort(byName)
      error.value = null
      loaded.value = true
      const current = items.value.find((s) => s.id === selectedId.value)
      if (!current) open(items.value[0] ?? null)
      else if (!isDirty.value) saved.value = { ...current }
    } catch (err) {
      error.value = err.message
    } finally {
      loading.value = false
    }
  }

  /** Ouvre une autre stratégie (le garde-fou « modifications non enregistrées » est dans la vue). */
  function select(id) {
    const strategy = items.value.find((s) => s.id === id)
    if (strategy && id !== selectedId.value) open(strategy)
    return strategy ?? null
  }

  function discardChanges() {
    draft.value = draftFromStrategy(saved.value)
  }

  /** Nouvelle stratégie : sans `code`, le serveur part du template de base (spec §4.5). */
  async function create({ name, description, code, timeframe } = {}) {
    const body = { name: (name ?? '').trim() || uniqueName(NEW_STRATEGY_NAME, names.value) }
    if (description) body.description = description
    if (code) body.code = code
    if (timeframe) body.timeframe = timeframe
    const strategy = await strategiesApi.createStrategy(body)
    upsert(strategy)
    open(strategy)
    return strategy
  }

  /** Copie de la version enregistrée de `id` (pas du brouillon). */
  async function duplicate(id, name) {
    const source = items.value.find((s) => s.id === id)
    if (!source) return null
    return create({
      name: name ?? copyName(source.name, names.value),
      description: source.description,
      code: source.code,
      timeframe: source.timeframe,
    })
  }

  /** Renomme sans toucher au reste du brouillon. */
  async function rename(id, name) {
    const strategy = await strategiesApi.updateStrategy(id, { name: name.trim() })
    upsert(strategy)
    if (id === selectedId.value) {
      saved.value = { ...strategy }
      draft.value = { ...draft.value, name: strategy.name }
    }
    return strategy
  }

  async function remove(id) {
    await strategiesApi.deleteStrategy(id)
    items.value = items.value.filter((s) => s.id !== id)
    if (id === selectedId.value) open(items.value[0] ?? null)
  }

  /** Enregistre les champs modifiés (PATCH) ; lève une erreur française si le brouillon est invalide. */
  async function save() {
    if (!saved.value) return null
    const [firstError] = Object.values(errors.value)
    if (firstError) throw new Error(firstError)
    const patch = changes.value
    if (!Object.keys(patch).length) return saved.value
    saving.value = true
    try {
      const strategy = await strategiesApi.updateStrategy(saved.value.id, patch)
      upsert(strategy)
      saved.value = { ...strategy }
      if (draft.value.name.trim() === strategy.name) draft.value = { ...draft.value, name: strategy.name }
      return strategy
    } finally {
      saving.value = false
    }
  }

  /** « Tester la syntaxe » : valide le brouillon (pas la version enregistrée). */
  async function validate() {
    const code = draft.value.code
    validating.value = true
    try {
      const result = await strategiesApi.validateCode(code)
      validation.value = result
      validatedCode.value = code
      return result
    } finally {
      validating.value = false
    }
  }

  /** Remplace le brouillon par l'exemple EMA 10/20 du serveur (annulable dans l'éditeur). */
  async function loadExample() {
    const { example_ema_cross: example } = await strategiesApi.fetchTemplate()
    draft.value = { ...draft.value, code: example }
    return example
  }

  /** Demande du code à l'IA à partir du brouillon courant ; une demande en cours est annulée. */
  async function ask(prompt) {
    assistController?.abort()
    const controller = new AbortController()
    assistController = controller
    const baseCode = draft.value.code
    assisting.value = true
    assistError.value = null
    try {
      const result = await strategiesApi.assistStrategy({ prompt, code: baseCode }, { signal: controller.signal })
      suggestion.value = { ...result, baseCode, prompt }
      proposedCode.value = result.code ?? ''
      return suggestion.value
    } catch (err) {
      if (err?.name !== 'AbortError') assistError.value = err.message
      return null
    } finally {
      if (assistController === controller) {
        assistController = null
        assisting.value = false
      }
    }
  }

  function cancelAssist() {
    assistController?.abort()
    assistController = null
    assisting.value = false
  }

  /** Accepter : la proposition (éventuellement retouchée dans le diff) devient le brouillon, non enregistré. */
  function acceptSuggestion() {
    if (!suggestion.value?.code) return false
    draft.value = { ...draft.value, code: proposedCode.value }
    rejectSuggestion()
    return true
  }

  function rejectSuggestion() {
    suggestion.value = null
    proposedCode.value = ''
  }

  /** État du bac à sable (une requête à la fois ; une erreur réseau laisse réessayer plus tard). */
  async function loadSandbox() {
    if (sandbox.value) return sandbox.value
    sandboxRequest ??= strategiesApi
      .fetchSandboxStatus()
      .then((status) => (sandbox.value = status))
      .catch(() => null)
      .finally(() => (sandboxRequest = null))
    return sandboxRequest
  }

  return {
    items,
    loaded,
    loading,
    error,
    selectedId,
    selected,
    saved,
    draft,
    docVersion,
    saving,
    changes,
    isDirty,
    errors,
    validation,
    validating,
    validationStale,
    markers,
    sandbox,
    loadSandbox,
    suggestion,
    proposedCode,
    assisting,
    assistError,
    fetchAll,
    select,
    discardChanges,
    create,
    duplicate,
    rename,
    remove,
    save,
    validate,
    loadExample,
    ask,
    cancelAssist,
    acceptSuggestion,
    rejectSuggestion,
  }
})
