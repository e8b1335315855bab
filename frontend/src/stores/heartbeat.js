import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { fetchHeartbeatSignals, fetchHeartbeatStatus } from '../api/heartbeat.js'
import {
  RAW_FEED_MAX,
  SIGNALS_MAX,
  TIMEFRAMES,
  emptySignalTable,
  mergeSignals,
  normalizeSignal,
  parseRawMessage,
  prependBounded,
  signalTableFromResponse,
} from '../domain/heartbeat/feed.js'
import { getSocket, MessageType, SocketPath } from '../websocket/index.js'

/** Les messages bruts sont regroupés et affichés au plus toutes les 200 ms. */
export const RAW_FLUSH_MS = 200

/**
 * Page Heartbeat : flux brut Binance (borné, pausable), signaux par timeframe (historique en base
 * puis temps réel), état de connexion du service.
 */
export const useHeartbeatStore = defineStore('heartbeat', () => {
  const socket = getSocket(SocketPath.HEARTBEAT)

  /** Lignes du flux brut, la plus récente en premier (au plus RAW_FEED_MAX). */
  const rawLines = shallowRef([])
  const paused = ref(false)
  const receivedCount = ref(0)
  const closedCount = ref(0)
  const skippedWhilePaused = ref(0)

  /** Signaux par timeframe : { '1m': [...], ... }, plus récent en premier. */
  const signals = shallowRef(emptySignalTable())
  /** Compteur par timeframe, incrémenté à chaque signal reçu en direct (déclenche le flash). */
  const liveTicks = shallowRef(Object.fromEntries(TIMEFRAMES.map((tf) => [tf, 0])))
  const signalsLoading = ref(false)
  const signalsError = ref(null)

  /** État de connexion (GET /api/heartbeat/status/, tenu à jour par status.update). */
  const connection = shallowRef(null)
  const connectionError = ref(null)

  let buffer = []
  let flushTimer = null
  let unsubscribers = []

  const realtime = computed(() => socket.connected.value)
  const symbols = computed(() => connection.value?.symbols ?? [])

  function flush() {
    flushTimer = null
    if (!buffer.length) return
    const lines = buffer
    buffer = []
    rawLines.value = prependBounded(rawLines.value, lines, RAW_FEED_MAX)
  }

  function onRaw(message) {
    receivedCount.value += 1
    if (paused.value) {
      skippedWhilePaused.value += 1
      return
    }
    const line = parseRawMessage(message)
    if (line.closed) closedCount.value += 1
    buffer.push(line)
    if (buffer.length > RAW_FEED_MAX) buffer = buffer.slice(-RAW_FEED_MAX)
    flushTimer ??= setTimeout(flush, RAW_FLUSH_MS)
  }

  function addSignals(list, { live = false } = {}) {
    const next = { ...signals.value }
    const ticks = { ...liveTicks.value }
    let changed = false
    for (const signal of list) {
      const merged = mergeSignals(next[signal.timeframe], signal, SIGNALS_MAX)
      if (merged === next[signal.timeframe]) continue
      next[signal.timeframe] = merged
      changed = true
      if (live) ticks[signal.timeframe] += 1
    }
    if (!changed) return
    signals.value = next
    if (live) liveTicks.value = ticks
  }

  function onSignal(message) {
    const signal = normalizeSignal(message)
    if (signal) addSignals([signal], { live: true })
  }

  function onStatusUpdate(message) {
    const hb = message?.status?.heartbeat
    if (!hb || typeof hb !== 'object') return
    connection.value = { ...(connection.value ?? {}), ...hb }
  }

  async function loadSignals() {
    signalsLoading.value = true
    try {
      const table = signalTableFromResponse(await fetchHeartbeatSignals())
      // Les signaux reçus en direct pendant le chargement sont conservés.
      const live = TIMEFRAMES.flatMap((tf) => signals.value[tf])
      signals.value = table
      addSignals(live)
      signalsError.value = null
    } catch (error) {
      signalsError.value = `Historique des signaux indisponible : ${error.message}`
    } finally {
      signalsLoading.value = false
    }
  }

  async function loadConnection() {
    try {
      const data = await fetchHeartbeatStatus()
      connection.value = { ...(connection.value ?? {}), ...data }
      connectionError.value = null
    } catch (error) {
      connectionError.value = `État du service indisponible : ${error.message}`
    }
  }

  function setPaused(value) {
    paused.value = Boolean(value)
    if (!paused.value) skippedWhilePaused.value = 0
    else {
      buffer = []
      clearTimeout(flushTimer)
      flushTimer = null
    }
  }

  const togglePause = () => setPaused(!paused.value)

  function clearFeed() {
    buffer = []
    rawLines.value = []
  }

  /** Abonnements temps réel + chargement initial (idempotent). */
  function start() {
    if (unsubscribers.length) return Promise.resolve()
    unsubscribers = [
      socket.subscribe(MessageType.STREAM_RAW, onRaw),
      socket.subscribe(MessageType.HEARTBEAT_SIGNAL, onSignal),
      socket.subscribe(MessageType.STATUS_UPDATE, onStatusUpdate),
    ]
    return Promise.all([loadSignals(), loadConnection()])
  }

  function stop() {
    for (const unsubscribe of unsubscribers) unsubscribe()
    unsubscribers = []
    clearTimeout(flushTimer)
    flushTimer = null
    buffer = []
  }

  return {
    rawLines,
    paused,
    receivedCount,
    closedCount,
    skippedWhilePaused,
    signals,
    liveTicks,
    signalsLoading,
    signalsError,
    connection,
    connectionError,
    realtime,
    symbols,
    start,
    stop,
    flush,
    setPaused,
    togglePause,
    clearFeed,
    loadSignals,
    loadConnection,
  }
})
