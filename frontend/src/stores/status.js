import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { fetchStatus } from '../api/status.js'
import { hasPaperVenue } from '../domain/brokers/venue.js'
import { getSocket, MessageType, SocketPath } from '../websocket/index.js'

export const STATUS_POLL_INTERVAL_MS = 30_000

/**
 * État global du système (barre de statut) : chargé depuis `/api/status/`, mis à jour en direct
 * par les messages `status.update` de `/ws/heartbeat/`, et relu toutes les 30 s en secours.
 */
export const useStatusStore = defineStore('status', () => {
  /** @type {import('vue').ShallowRef<import('../api/status.js').SystemStatus|null>} */
  const status = shallowRef(null)
  const error = ref(null)
  const loading = ref(false)
  const updatedAt = ref(null)
  const socket = getSocket(SocketPath.HEARTBEAT)

  let pollTimer = null
  let unsubscribe = null

  const loaded = computed(() => status.value !== null)
  const heartbeatActive = computed(() => Boolean(status.value?.heartbeat?.is_connected))
  const coherent = computed(() => Boolean(status.value?.coherent))
  const liveStrategies = computed(() => Number(status.value?.live_strategies ?? 0))
  const openAlerts = computed(() => Number(status.value?.open_alerts ?? 0))
  const testnet = computed(() => Boolean(status.value?.testnet))
  /** Types de comptes des stratégies live (de tous les brokers s'il n'y en a pas) : real, testnet, simulator, paper. */
  const venues = computed(() => (Array.isArray(status.value?.venues) ? status.value.venues : []))
  /** Un broker papier est en jeu (pastille PAPIER). */
  const paper = computed(() => hasPaperVenue(venues.value))
  const lastHeartbeat = computed(() => status.value?.heartbeat?.last_heartbeat ?? null)
  const lastMessageAt = computed(() => status.value?.heartbeat?.last_message_at ?? null)
  const realtime = computed(() => socket.connected.value)

  /** Remplace l'état courant (réponse HTTP ou message temps réel). */
  function applyStatus(next) {
    if (!next || typeof next !== 'object') return
    status.value = next
    error.value = null
    updatedAt.value = new Date()
  }

  function onStatusUpdate(message) {
    applyStatus(message.status)
  }

  async function refresh() {
    loading.value = true
    try {
      applyStatus(await fetchStatus())
    } catch (err) {
      error.value = err?.message ?? String(err)
    } finally {
      loading.value = false
    }
  }

  /** Démarre le suivi : chargement initial, abonnement temps réel, sondage de secours. */
  function start() {
    if (unsubscribe) return
    unsubscribe = socket.subscribe(MessageType.STATUS_UPDATE, onStatusUpdate)
    pollTimer = setInterval(refresh, STATUS_POLL_INTERVAL_MS)
    return refresh()
  }

  function stop() {
    unsubscribe?.()
    unsubscribe = null
    clearInterval(pollTimer)
    pollTimer = null
  }

  return {
    status,
    error,
    loading,
    updatedAt,
    loaded,
    heartbeatActive,
    coherent,
    liveStrategies,
    openAlerts,
    testnet,
    paper,
    venues,
    lastHeartbeat,
    lastMessageAt,
    realtime,
    applyStatus,
    refresh,
    start,
    stop,
  }
})
