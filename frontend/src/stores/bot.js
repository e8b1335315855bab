import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import * as api from '../api/activeStrategies.js'
import { listStrategies } from '../api/strategies.js'
import { useSymbolSearch } from '../composables/useSymbolSearch.js'
import { liveTimeframes, needsDetail } from '../domain/bot/state.js'
import { getSocket, MessageType, SocketPath } from '../websocket/index.js'
import { useBrokersStore } from './brokers.js'
import { useStatusStore } from './status.js'

/** Relecture de secours (WebSocket coupé, événement perdu). */
export const BOT_POLL_MS = 15_000
/** Signal heartbeat d'une unité de temps suivie : relecture groupée (au plus une par fenêtre). */
export const SIGNAL_REFRESH_MS = 1500
/** Événement d'une stratégie (position, trade, changement) : relecture de cette seule stratégie. */
export const EVENT_REFRESH_MS = 250
export const SYMBOL_SEARCH_DEBOUNCE_MS = 250
export const SYMBOL_PAGE_SIZE = 50

/**
 * Trading BOT : stratégies actives de l'utilisateur avec leur détail (position ouverte, 10 derniers
 * trades, P&L), actions (activer, Stop, Suspendre/Reprendre, Vendre, Supprimer), données du
 * formulaire (stratégies, paires de l'exchange) et mises à jour en direct : événements
 * `active_strategy.changed` / `position.changed` / `trade.created`, signaux heartbeat des unités de
 * temps suivies, sondage de secours. Après chaque action, la barre de statut est relue.
 */
export const useBotStore = defineStore('bot', () => {
  const brokersStore = useBrokersStore()
  const status = useStatusStore()
  const socket = getSocket(SocketPath.HEARTBEAT)

  /** @type {import('vue').ShallowRef<Array<import('../api/activeStrategies.js').ActiveStrategyDetail & {detailLoaded?: boolean}>>} */
  const items = shallowRef([])
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref(null)
  /** Horloge des badges (« Hors période » dépend de l'heure), avancée à chaque relecture. */
  const now = ref(Date.now())
  /** Action en cours par stratégie : `{[id]: 'stop'|'suspend'|'resume'|'sell'|'delete'}`. */
  const pending = ref({})
  const creating = ref(false)

  /** @type {import('vue').ShallowRef<import('../api/strategies.js').Strategy[]>} */
  const strategies = shallowRef([])
  const strategiesLoaded = ref(false)
  const strategiesError = ref(null)

  const symbolSearch = useSymbolSearch({ pageSize: SYMBOL_PAGE_SIZE, debounceMs: SYMBOL_SEARCH_DEBOUNCE_MS })

  const timeframes = computed(() => liveTimeframes(items.value, now.value))

  let listSeq = 0
  let pollTimer = null
  let signalTimer = null
  const eventTimers = new Map()
  const unsubscribers = []

  // --- lecture ---------------------------------------------------------------------------------

  const byId = (id) => items.value.find((item) => item.id === id) ?? null

  function withDetail(detail) {
    return { ...detail, detailLoaded: true }
  }

  /** Liste + détail de chaque stratégie qui peut encore bouger (voir `needsDetail`). */
  async function refreshAll() {
    const seq = ++listSeq
    loading.value = true
    try {
      const list = await api.listActiveStrategies()
      const at = Date.now()
      const previous = new Map(items.value.map((item) => [item.id, item]))
      const merged = await Promise.all(
        (Array.isArray(list) ? list : []).map(async (item) => {
          const before = previous.get(item.id)
          if (!needsDetail(item, before, at)) return { ...before, ...item }
          try {
            return withDetail(await api.getActiveStrategy(item.id))
          } catch {
            return { position: null, recent_trades: [], realized_pnl: null, ...before, ...item }
          }
        }),
      )
      if (seq !== listSeq) return
      items.value = merged
      now.value = at
      error.value = null
      loaded.value = true
    } catch (err) {
      if (seq === listSeq) error.value = err.message
    } finally {
      if (seq === listSeq) loading.value = false
    }
  }

  /** Relit une seule stratégie (événement, fin d'action) ; disparue (404) → retirée. */
  async function refreshOne(id) {
    try {
      const detail = withDetail(await api.getActiveStrategy(id))
      const list = items.value
      const index = list.findIndex((item) => item.id === id)
      items.value = index < 0 ? [detail, ...list] : list.map((item) => (item.id === id ? detail : item))
      now.value = Date.now()
    } catch (err) {
      if (err?.status === 404) items.value = items.value.filter((item) => item.id !== id)
    }
  }

  /** Regroupe les événements rapprochés d'une même stratégie en une relecture. */
  function scheduleRefreshOne(id) {
    if (!id || eventTimers.has(id)) return
    eventTimers.set(
      id,
      setTimeout(() => {
        eventTimers.delete(id)
        if (byId(id)) refreshOne(id)
        else refreshAll()
      }, EVENT_REFRESH_MS),
    )
  }

  /** Au plus une relecture complète par fenêtre de SIGNAL_REFRESH_MS (les signaux 1m arrivent vite). */
  function scheduleRefreshAll(delay = SIGNAL_REFRESH_MS) {
    if (signalTimer) return
    signalTimer = setTimeout(() => {
      signalTimer = null
      refreshAll()
    }, delay)
  }

  function onSignal(message) {
    if (timeframes.value.has(message.timeframe)) scheduleRefreshAll()
  }

  const onStrategyEvent = (message) => scheduleRefreshOne(Number(message.active_strategy_id) || null)

  async function loadStrategies() {
    try {
      strategies.value = await listStrategies()
      strategiesError.value = null
      strategiesLoaded.value = true
    } catch (err) {
      strategiesError.value = err.message
    }
  }

  // --- paires du formulaire ---------------------------------------------------------------------


  // --- actions ----------------------------------------------------------------------------------

  /** Relit la barre de statut (« Stratégies live ») sans attendre le message temps réel. */
  const refreshStatus = () => status.refresh()

  /** Active (POST) ; lève l'`ApiError` (erreurs par champ, limite de 20) pour le formulaire. */
  async function activate(payload) {
    creating.value = true
    try {
      const created = await api.createActiveStrategy(payload)
      items.value = [{ position: null, recent_trades: [], realized_pnl: '0', ...created }, ...items.value.filter((i) => i.id !== created.id)]
      refreshStatus()
      refreshOne(created.id)
      return created
    } finally {
      creating.value = false
    }
  }

  /** Exécute une action sur une stratégie ; ne lève pas : `{ok, data?, message?, code?, status?}`. */
  async function run(id, name, call) {
    if (pending.value[id]) return { ok: false, message: 'Une action est déjà en cours sur cette stratégie.' }
    pending.value = { ...pending.value, [id]: name }
    try {
      const data = await call()
      return { ok: true, data }
    } catch (err) {
      return { ok: false, message: err.message, code: err.data?.code ?? null, status: err.status ?? 0 }
    } finally {
      const rest = { ...pending.value }
      delete rest[id]
      pending.value = rest
      refreshStatus()
      await refreshOne(id) // supprimée : 404 → retirée de la liste
    }
  }

  /** Stop ; sans `confirm` et avec une position ouverte, le serveur répond `code: 'position_open'`. */
  const stopStrategy = (id, { confirm = false } = {}) => run(id, 'stop', () => api.stopActiveStrategy(id, { confirm }))
  const suspendStrategy = (id) => run(id, 'suspend', () => api.suspendActiveStrategy(id))
  const resumeStrategy = (id) => run(id, 'resume', () => api.resumeActiveStrategy(id))
  /** Vendre : `data` est la position clôturée (prix de sortie, P&L réalisé). */
  const sellPosition = (id) => run(id, 'sell', () => api.sellActiveStrategy(id))
  const deleteStrategy = (id) => run(id, 'delete', () => api.deleteActiveStrategy(id))

  // --- cycle de vie -----------------------------------------------------------------------------

  function poll() {
    if (globalThis.document?.hidden) return
    refreshAll()
  }

  /** À l'ouverture de la page : données, abonnements temps réel, sondage de secours. */
  function start() {
    if (!unsubscribers.length) {
      unsubscribers.push(
        socket.subscribe(MessageType.ACTIVE_STRATEGY_CHANGED, onStrategyEvent),
        socket.subscribe(MessageType.POSITION_CHANGED, onStrategyEvent),
        socket.subscribe(MessageType.TRADE_CREATED, (message) => {
          if (message.active_strategy_id) onStrategyEvent(message)
        }),
        socket.subscribe(MessageType.HEARTBEAT_SIGNAL, onSignal),
      )
      pollTimer = setInterval(poll, BOT_POLL_MS)
    }
    return Promise.all([brokersStore.load(), loadStrategies(), refreshAll()])
  }

  function stop() {
    unsubscribers.splice(0).forEach((unsubscribe) => unsubscribe())
    clearInterval(pollTimer)
    clearTimeout(signalTimer)
    symbolSearch.cancelSymbolSearch()
    eventTimers.forEach((timer) => clearTimeout(timer))
    eventTimers.clear()
    pollTimer = signalTimer = null
  }

  return {
    items,
    loading,
    loaded,
    error,
    now,
    pending,
    creating,
    strategies,
    strategiesLoaded,
    strategiesError,
    ...symbolSearch,
    timeframes,
    byId,
    start,
    stop,
    refreshAll,
    refreshOne,
    loadStrategies,
    activate,
    stopStrategy,
    suspendStrategy,
    resumeStrategy,
    sellPosition,
    deleteStrategy,
  }
})
