import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import * as api from '../api/backtest.js'
import { useJobFollower } from '../composables/useJobFollower.js'
import { useSymbolSearch } from '../composables/useSymbolSearch.js'
import {
  applyProgressMessage,
  BacktestMessage,
  buildPayload,
  defaultForm,
  formErrors,
  isActive,
  periodDays,
  progressFromBacktest,
} from '../domain/backtest/run.js'
import { usePreferencesStore } from './preferences.js'

export { POLL_MS, SILENCE_MS } from '../composables/useJobFollower.js'
export const HISTORY_PAGE_SIZE = 100
export const CHART_MAX_POINTS = 2500
const SYMBOL_PAGE_SIZE = 60
const SYMBOL_DEBOUNCE_MS = 200

export const backtestSocketPath = (id) => `backtest/${id}`

/**
 * Page Backtest : formulaire, lancement, progression (WebSocket `/ws/backtest/<id>/` + relecture
 * HTTP si le flux se tait), résultat ouvert (trades, courbe, bougies du graphique), historique,
 * comparaison de deux backtests, recherche des paires. Les stratégies viennent du store `strategies`.
 */
export const useBacktestStore = defineStore('backtest', () => {
  const preferences = usePreferencesStore()
  /** Fuseau des jours du formulaire (Mon Compte) : `'UTC'` ou `'local'`. */
  const timezone = computed(() => preferences.displayTimezone)
  const form = ref(defaultForm(new Date(), timezone.value))
  const errors = computed(() => formErrors(form.value, new Date(), timezone.value))

  /** @type {import('vue').ShallowRef<import('../api/backtest.js').Backtest[]>} */
  const history = shallowRef([])
  const historyCount = ref(0)
  const historyLoading = ref(false)
  const historyError = ref(null)

  /** Backtest suivi (barres de progression) : voir `progressFromBacktest`. */
  const run = ref(null)
  const launching = ref(false)
  const running = computed(() => Boolean(run.value && isActive(run.value.status)))

  /** @type {import('vue').ShallowRef<import('../api/backtest.js').Backtest|null>} */
  const result = shallowRef(null)
  const resultLoading = ref(false)
  const resultError = ref(null)
  /** @type {import('vue').ShallowRef<import('../api/backtest.js').BacktestCandles|null>} */
  const candles = shallowRef(null)
  const candlesError = ref(null)
  const selectedTrade = ref(null)

  const compareIds = ref([])
  const compared = shallowRef([])
  const compareLoading = ref(false)

  const symbolSearch = useSymbolSearch({ pageSize: SYMBOL_PAGE_SIZE, debounceMs: SYMBOL_DEBOUNCE_MS })

  let resultSeq = 0

  // --- historique -------------------------------------------------------------------------------
  async function loadHistory() {
    historyLoading.value = true
    try {
      const data = await api.listBacktests({ pageSize: HISTORY_PAGE_SIZE })
      history.value = data?.results ?? []
      historyCount.value = Number(data?.count) || 0
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
    if (!found) historyCount.value += 1
  }

  // --- suivi d'un backtest ----------------------------------------------------------------------
  /** Suit un backtest : barres de progression, puis résultat ouvert quand il est terminé. */
  const follower = useJobFollower({
    run,
    socketPath: backtestSocketPath,
    idKey: 'backtest_id',
    fromRow: progressFromBacktest,
    applyMessage: applyProgressMessage,
    fetchRow: (id) => api.getBacktest(id),
    keepProgress: (fresh, previous) => ({ ...fresh, download: Math.max(fresh.download, previous.download), compute: Math.max(fresh.compute, previous.compute) }),
    notFound: 'Backtest introuvable.',
    cancelRow: (id) => api.cancelBacktest(id),
    cancelledType: BacktestMessage.CANCELLED,
    onFinish: async (state, row) => {
      patchHistory(row ?? { id: state.id, status: state.status, error_message: state.error || undefined })
      if (state.status === 'done') await open(state.id)
      loadHistory()
    },
  })
  /** « Annuler » / Stop (téléchargement ou calcul) : la tâche passe « annulée ». */
  const { follow, cancel, cancelling, stop: stopFollowing } = follower

  /**
   * Lance le backtest du formulaire ; lève l'`ApiError` (message français) en cas de refus.
   * `params` : valeurs imposées aux paramètres de la stratégie (« Appliquer » d'une optimisation).
   */
  async function launch({ params } = {}) {
    const [firstError] = Object.values(errors.value)
    if (firstError) throw new Error(firstError)
    launching.value = true
    try {
      const payload = buildPayload(form.value, { timezone: timezone.value })
      if (params && Object.keys(params).length) payload.params = params
      const backtest = await api.createBacktest(payload)
      patchHistory(backtest)
      result.value = null
      candles.value = null
      follow(backtest)
      return backtest
    } finally {
      launching.value = false
    }
  }

  /**
   * Au chargement de la page : historique, reprise du suivi d'un backtest encore actif (aussi après
   * un aller-retour sur une autre page), sinon dernier résultat ouvert.
   */
  async function resume() {
    await loadHistory()
    const active = history.value.find((row) => isActive(row.status))
    if (active) {
      follow(active)
      return
    }
    if (run.value && isActive(run.value.status)) {
      const row = history.value.find((item) => item.id === run.value.id)
      run.value = row ? progressFromBacktest(row) : null // terminé pendant l'absence
    }
    const last = history.value.find((row) => row.status === 'done')
    if (last && result.value?.id !== last.id && (!result.value || run.value?.id === last.id)) await open(last.id)
  }

  // --- résultat ---------------------------------------------------------------------------------
  async function open(id) {
    const seq = ++resultSeq
    resultLoading.value = true
    try {
      const row = await api.getBacktest(id)
      if (seq !== resultSeq) return null
      result.value = row
      selectedTrade.value = null
      resultError.value = null
      candles.value = null
      loadCandles(row.id)
      return row
    } catch (err) {
      if (seq === resultSeq) resultError.value = err.message
      return null
    } finally {
      if (seq === resultSeq) resultLoading.value = false
    }
  }

  async function loadCandles(id) {
    try {
      const data = await api.fetchBacktestCandles(id, { maxPoints: CHART_MAX_POINTS })
      if (result.value?.id === id) {
        candles.value = data
        candlesError.value = null
      }
    } catch (err) {
      if (result.value?.id === id) candlesError.value = err.message
    }
  }

  function selectTrade(position) {
    selectedTrade.value = selectedTrade.value === position ? null : position
  }

  /** Remplit le formulaire avec les paramètres d'un backtest (pour le relancer). */
  function reuseSettings(row) {
    const days = periodDays(row, timezone.value)
    form.value = {
      ...form.value,
      strategyId: row.strategy ?? form.value.strategyId,
      brokerId: row.broker ?? form.value.brokerId,
      symbol: row.symbol,
      timeframe: row.timeframe,
      startDate: days.startDate,
      endDate: days.endDate,
      initialAmount: String(Number(row.initial_amount)),
      feePct: String(Number(row.fee_rate) * 100),
    }
  }

  async function remove(id) {
    await api.deleteBacktest(id)
    history.value = history.value.filter((row) => row.id !== id)
    historyCount.value = Math.max(0, historyCount.value - 1)
    compareIds.value = compareIds.value.filter((other) => other !== id)
    compared.value = compared.value.filter((row) => row.id !== id)
    if (result.value?.id === id) result.value = null
    if (run.value?.id === id) {
      stopFollowing()
      run.value = null
    }
  }

  // --- comparaison ------------------------------------------------------------------------------
  /** Coche/décoche un backtest à comparer (deux au plus : le plus ancien choix est remplacé). */
  function toggleCompare(id) {
    const ids = compareIds.value.includes(id) ? compareIds.value.filter((other) => other !== id) : [...compareIds.value, id].slice(-2)
    compareIds.value = ids
    if (ids.length === 2) loadCompare()
    else compared.value = []
  }

  async function loadCompare() {
    const ids = [...compareIds.value]
    compareLoading.value = true
    try {
      const rows = await Promise.all(ids.map((id) => (result.value?.id === id ? result.value : api.getBacktest(id))))
      if (ids.join() === compareIds.value.join()) compared.value = rows
    } catch (err) {
      compared.value = []
      throw err
    } finally {
      compareLoading.value = false
    }
  }

  function clearCompare() {
    compareIds.value = []
    compared.value = []
  }

  // --- paires -----------------------------------------------------------------------------------

  /** Départ de la page : plus d'abonnement ni de minuterie (le backtest continue côté serveur). */
  function dispose() {
    stopFollowing()
    symbolSearch.cancelSymbolSearch()
  }

  return {
    form,
    errors,
    timezone,
    history,
    historyCount,
    historyLoading,
    historyError,
    run,
    running,
    launching,
    cancelling,
    result,
    resultLoading,
    resultError,
    candles,
    candlesError,
    selectedTrade,
    compareIds,
    compared,
    compareLoading,
    ...symbolSearch,
    loadHistory,
    follow,
    launch,
    cancel,
    resume,
    open,
    selectTrade,
    reuseSettings,
    remove,
    toggleCompare,
    clearCompare,
    dispose,
  }
})
