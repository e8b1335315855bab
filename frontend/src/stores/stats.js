import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import * as statsApi from '../api/stats.js'
import { snapshotSummary } from '../domain/stats/balance.js'
import { DEFAULT_PRESET, statsQuery } from '../domain/stats/period.js'
import { getSocket, MessageType, SocketPath } from '../websocket/index.js'
import { usePreferencesStore } from './preferences.js'

/** Un nouveau trade (`trade.created`) relance le calcul après ce délai (les rafales sont regroupées). */
export const RELOAD_DEBOUNCE_MS = 1500

/**
 * Page Statistiques : filtres (broker, période), totaux par source, tableaux par stratégie / source de
 * webhook / symbole manuel, courbe du P&L réalisé cumulé, évolution du solde relevé (et « Relever
 * maintenant »). Tout est calculé par le serveur.
 */
export const useStatsStore = defineStore('stats', () => {
  const preferences = usePreferencesStore()
  const socket = getSocket(SocketPath.HEARTBEAT)

  const broker = ref('')
  const preset = ref(DEFAULT_PRESET)
  const customStart = ref('')
  const customEnd = ref('')

  /** @type {import('vue').ShallowRef<import('../api/stats.js').StatsSummary|null>} */
  const summary = shallowRef(null)
  const strategies = shallowRef([])
  const webhookSources = shallowRef([])
  const manualSymbols = shallowRef([])
  /** @type {import('vue').ShallowRef<import('../api/stats.js').PnlHistory|null>} */
  const pnlHistory = shallowRef(null)
  /** @type {import('vue').ShallowRef<import('../api/stats.js').BalanceHistory|null>} */
  const balanceHistory = shallowRef(null)
  const snapshotting = ref(false)
  /** Issue du dernier « Relever maintenant » : `{text, tone: 'ok'|'warning'|'error'}`. */
  const snapshotResult = ref(null)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref(null)

  let sequence = 0
  let reloadTimer = null
  let unsubscribe = null

  const total = computed(() => summary.value?.total ?? null)
  /** Aucun trade du tout sur la période (ni exécuté, ni clôturé, ni en erreur). */
  const isEmpty = computed(
    () => loaded.value && !!total.value && !total.value.orders && !total.value.closed_trades && !total.value.errors,
  )
  const bySource = computed(() => Object.values(summary.value?.by_source ?? {}))

  function currentQuery(now = new Date()) {
    return statsQuery(
      { broker: broker.value, preset: preset.value, customStart: customStart.value, customEnd: customEnd.value },
      { now, displayTimezone: preferences.displayTimezone },
    )
  }

  /** Recharge tout ; une réponse arrivée après une requête plus récente est ignorée. */
  async function load() {
    const { query, interval, balanceInterval, error: invalid } = currentQuery()
    const id = ++sequence
    if (invalid) {
      error.value = invalid
      return
    }
    loading.value = true
    try {
      const [sum, strat, hooks, manual, pnl, balance] = await Promise.all([
        statsApi.fetchSummary(query),
        statsApi.fetchStrategyStats(query),
        statsApi.fetchWebhookSourceStats(query),
        statsApi.fetchSymbolStats({ ...query, source: 'manual' }),
        statsApi.fetchPnlHistory({ ...query, interval }),
        statsApi.fetchBalanceHistory({ ...query, interval: balanceInterval }),
      ])
      if (id !== sequence) return
      summary.value = sum
      strategies.value = strat?.results ?? []
      webhookSources.value = hooks?.results ?? []
      manualSymbols.value = manual?.results ?? []
      pnlHistory.value = pnl
      balanceHistory.value = balance
      error.value = null
      loaded.value = true
    } catch (err) {
      if (id === sequence) error.value = err.message
    } finally {
      if (id === sequence) loading.value = false
    }
  }

  /** « Relever maintenant » (POST) : relève le solde de ses brokers, puis recharge l'évolution du solde. */
  async function snapshotNow() {
    if (snapshotting.value) return
    snapshotting.value = true
    snapshotResult.value = null
    try {
      snapshotResult.value = snapshotSummary(await statsApi.takeBalanceSnapshots())
      const { query, balanceInterval, error: invalid } = currentQuery()
      if (!invalid) {
        const id = sequence
        const balance = await statsApi.fetchBalanceHistory({ ...query, interval: balanceInterval })
        if (id === sequence) balanceHistory.value = balance
      }
    } catch (err) {
      snapshotResult.value = { text: err.message, tone: 'error' }
    } finally {
      snapshotting.value = false
    }
  }

  /** Change un ou plusieurs filtres puis recharge. */
  function setFilters(patch) {
    if ('broker' in patch) broker.value = patch.broker ?? ''
    if ('preset' in patch) preset.value = patch.preset
    if ('customStart' in patch) customStart.value = patch.customStart ?? ''
    if ('customEnd' in patch) customEnd.value = patch.customEnd ?? ''
    return load()
  }

  function scheduleReload() {
    clearTimeout(reloadTimer)
    reloadTimer = setTimeout(() => {
      reloadTimer = null
      load()
    }, RELOAD_DEBOUNCE_MS)
  }

  /** À l'ouverture de la page : chargement et rafraîchissement à chaque nouveau trade. */
  function start() {
    unsubscribe ??= socket.subscribe(MessageType.TRADE_CREATED, scheduleReload)
    return load()
  }

  function stop() {
    unsubscribe?.()
    unsubscribe = null
    clearTimeout(reloadTimer)
    reloadTimer = null
  }

  return {
    broker,
    preset,
    customStart,
    customEnd,
    summary,
    strategies,
    webhookSources,
    manualSymbols,
    pnlHistory,
    balanceHistory,
    snapshotting,
    snapshotResult,
    loading,
    loaded,
    error,
    total,
    isEmpty,
    bySource,
    currentQuery,
    load,
    setFilters,
    snapshotNow,
    start,
    stop,
  }
})
