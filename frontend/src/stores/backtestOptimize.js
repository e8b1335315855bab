import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import * as api from '../api/backtestOptimizations.js'
import {
  analyzeGrid,
  applyOptimizationMessage,
  buildOptimizationPayload,
  DEFAULT_METRIC,
  DEFAULT_TEST_RATIO,
  mergeRows,
  OptimizationMessage,
  progressFromOptimization,
} from '../domain/backtest/optimize.js'
import { isActive } from '../domain/backtest/run.js'
import { useJobFollower } from '../composables/useJobFollower.js'
import { useBacktestStore } from './backtest.js'

export { POLL_MS, SILENCE_MS } from '../composables/useJobFollower.js'
export const HISTORY_PAGE_SIZE = 50

export const optimizationSocketPath = (id) => `backtest-optimization/${id}`

/**
 * Optimisation des paramètres sur la page Backtest : grille (une ligne par paramètre détecté de la
 * stratégie choisie dans le formulaire Backtest, dont elle partage broker, paire, période, montant
 * et frais), lancement, progression (WebSocket `/ws/backtest-optimization/<id>/` + relecture HTTP
 * si le flux se tait), résultat ouvert, historique, « Appliquer » (backtest complet avec les
 * valeurs choisies, suivi par le store `backtest`).
 */
export const useBacktestOptimizeStore = defineStore('backtestOptimize', () => {
  const backtest = useBacktestStore()

  const settings = ref({ rows: [], metric: DEFAULT_METRIC, maxRuns: '', outOfSample: false, testRatio: String(DEFAULT_TEST_RATIO) })
  const analysis = computed(() => analyzeGrid(settings.value.rows, {
    maxRuns: settings.value.maxRuns,
    testRatio: settings.value.outOfSample ? Number(String(settings.value.testRatio).replace(',', '.')) : null,
  }))

  /** @type {import('vue').ShallowRef<import('../api/backtestOptimizations.js').Optimization[]>} */
  const history = shallowRef([])
  const historyLoading = ref(false)
  const historyError = ref(null)

  const run = ref(null)
  const launching = ref(false)
  const running = computed(() => Boolean(run.value && isActive(run.value.status)))

  /** @type {import('vue').ShallowRef<import('../api/backtestOptimizations.js').Optimization|null>} */
  const current = shallowRef(null)
  const currentLoading = ref(false)
  const currentError = ref(null)
  const applying = ref(false)

  let openSeq = 0

  /** Paramètres détectés de la stratégie choisie → lignes de la grille (saisies gardées). */
  function syncParameters(parameters) {
    settings.value = { ...settings.value, rows: mergeRows(settings.value.rows, parameters ?? []) }
  }

  // --- historique -------------------------------------------------------------------------------
  async function loadHistory() {
    historyLoading.value = true
    try {
      const data = await api.listOptimizations({ pageSize: HISTORY_PAGE_SIZE })
      history.value = data?.results ?? []
      historyError.value = null
    } catch (err) {
      historyError.value = err.message
    } finally {
      historyLoading.value = false
    }
  }

  function patchHistory(row) {
    if (!row) return
    const found = history.value.some((item) => item.id === row.id)
    history.value = found ? history.value.map((item) => (item.id === row.id ? { ...item, ...row } : item)) : [row, ...history.value]
  }

  // --- suivi ------------------------------------------------------------------------------------
  const follower = useJobFollower({
    run,
    socketPath: optimizationSocketPath,
    idKey: 'optimization_id',
    fromRow: progressFromOptimization,
    applyMessage: applyOptimizationMessage,
    fetchRow: (id) => api.getOptimization(id),
    keepProgress: (fresh, previous) => ({ ...fresh, download: Math.max(fresh.download, previous.download), compute: Math.max(fresh.compute, previous.compute), runsDone: Math.max(fresh.runsDone, previous.runsDone) }),
    notFound: 'Optimisation introuvable.',
    cancelRow: (id) => api.cancelOptimization(id),
    cancelledType: OptimizationMessage.CANCELLED,
    onFinish: async (state, row) => {
      patchHistory(row ?? { id: state.id, status: state.status, runs_done: state.runsDone, error_message: state.error || undefined })
      if (state.status === 'done') await open(state.id)
      loadHistory()
    },
  })
  /** « Annuler » / Stop (téléchargement ou calcul) : la tâche passe « annulée ». */
  const { follow, cancel, cancelling, stop: stopFollowing } = follower

  /** Lance la grille ; lève une erreur (message français, `detail` du 400 tel quel) si refusée. */
  async function launch() {
    const [formError] = Object.values(backtest.errors)
    if (formError) throw new Error(formError)
    const [gridError] = analysis.value.errors
    if (gridError) throw new Error(gridError)
    launching.value = true
    try {
      const row = await api.createOptimization(buildOptimizationPayload(backtest.form, settings.value, { timezone: backtest.timezone }))
      patchHistory(row)
      current.value = null
      follow(row)
      return row
    } finally {
      launching.value = false
    }
  }

  /** Arrivée sur la page : historique, reprise d'une optimisation active, sinon la dernière terminée. */
  async function resume() {
    await loadHistory()
    const active = history.value.find((row) => isActive(row.status))
    if (active) {
      follow(active)
      return active
    }
    if (run.value && isActive(run.value.status)) {
      const row = history.value.find((item) => item.id === run.value.id)
      run.value = row ? progressFromOptimization(row) : null
    }
    const last = history.value.find((row) => row.status === 'done')
    if (last && !current.value) await open(last.id)
    return null
  }

  // --- résultat ---------------------------------------------------------------------------------
  async function open(id) {
    const seq = ++openSeq
    currentLoading.value = true
    try {
      const row = await api.getOptimization(id)
      if (seq !== openSeq) return null
      current.value = row
      currentError.value = null
      return row
    } catch (err) {
      if (seq === openSeq) currentError.value = err.message
      return null
    } finally {
      if (seq === openSeq) currentLoading.value = false
    }
  }

  async function remove(id) {
    await api.deleteOptimization(id)
    history.value = history.value.filter((row) => row.id !== id)
    if (current.value?.id === id) current.value = null
    if (run.value?.id === id) {
      stopFollowing()
      run.value = null
    }
  }

  /**
   * « Appliquer » : backtest complet de l'optimisation ouverte (mêmes marché, période, montant,
   * frais) avec ces valeurs de paramètres ; suivi par le store `backtest`.
   */
  async function apply(params, source = current.value) {
    if (!source) throw new Error('Aucune optimisation ouverte.')
    if (!source.strategy) throw new Error('La stratégie de cette optimisation a été supprimée : impossible de relancer ces paramètres.')
    if (!source.broker) throw new Error('Le broker de cette optimisation a été supprimé : impossible de relancer ces paramètres.')
    applying.value = true
    try {
      backtest.reuseSettings(source)
      return await backtest.launch({ params: { ...(source.params ?? {}), ...params } })
    } finally {
      applying.value = false
    }
  }

  /** Départ de la page : plus d'abonnement ni de minuterie (l'optimisation continue côté serveur). */
  function dispose() {
    stopFollowing()
  }

  return {
    settings,
    analysis,
    history,
    historyLoading,
    historyError,
    run,
    running,
    launching,
    cancelling,
    current,
    currentLoading,
    currentError,
    applying,
    syncParameters,
    loadHistory,
    follow,
    launch,
    cancel,
    resume,
    open,
    remove,
    apply,
    dispose,
  }
})
