import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import * as brokersApi from '../api/brokers.js'
import { applyJobUpdate, jobFromPayload } from '../domain/brokers/pairsProgress.js'
import { useStatusStore } from './status.js'
import { getSocket, MessageType, SocketPath } from '../websocket/index.js'

/** Relecture de la progression « MAJ Paires » tant qu'un chargement est actif (secours du WebSocket). */
export const PAIRS_POLL_MS = 1000

/**
 * Brokers de l'utilisateur : liste, CRUD, exchanges CCXT, vérification des clés, broker par défaut
 * et « MAJ Paires de trading » (progression par `pairs.progress` sur /ws/heartbeat/ + relecture HTTP).
 */
export const useBrokersStore = defineStore('brokers', () => {
  const socket = getSocket(SocketPath.HEARTBEAT)

  /** @type {import('vue').Ref<import('../api/brokers.js').Broker[]>} */
  const brokers = ref([])
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref(null)

  /** @type {import('vue').ShallowRef<import('../api/brokers.js').ExchangeInfo[]>} */
  const exchanges = shallowRef([])
  const exchangesError = ref(null)
  let exchangesPending = null

  /** Progression par exchange (un chargement concerne l'exchange, partagé par ses brokers). */
  const pairsJobs = ref({})
  const pairsErrors = ref({})
  /** exchange → { brokerId, jobId } à relire tant que le job n'est pas terminé. */
  const polled = new Map()
  let pollTimer = null
  let unsubscribe = null

  const defaultBroker = computed(() => brokers.value.find((b) => b.is_default) ?? null)
  const exchangesById = computed(() => new Map(exchanges.value.map((e) => [e.id, e])))

  const exchangeInfo = (id) => exchangesById.value.get(id) ?? null
  const exchangeName = (id) => exchangeInfo(id)?.name ?? id

  async function load() {
    loading.value = true
    try {
      brokers.value = await brokersApi.listBrokers()
      error.value = null
      loaded.value = true
    } catch (err) {
      error.value = err.message
    } finally {
      loading.value = false
    }
  }

  /** Liste des exchanges CCXT (chargée une seule fois, triée par nom). */
  function loadExchanges() {
    if (exchanges.value.length) return Promise.resolve(exchanges.value)
    exchangesPending ??= brokersApi
      .listExchanges()
      .then((list) => {
        exchanges.value = [...(Array.isArray(list) ? list : [])].sort((a, b) =>
          String(a.name).localeCompare(String(b.name), 'fr', { sensitivity: 'base' }),
        )
        exchangesError.value = null
        return exchanges.value
      })
      .catch((err) => {
        exchangesError.value = `Liste des exchanges indisponible : ${err.message}`
        return []
      })
      .finally(() => {
        exchangesPending = null
      })
    return exchangesPending
  }

  /**
   * Après un changement, la liste est relue (elle porte aussi le broker par défaut), et la barre de
   * statut aussi (ses types de comptes en dépendent : pastille PAPIER).
   */
  async function refreshAfterChange() {
    const status = useStatusStore()
    await Promise.all([load(), status.loaded ? status.refresh() : null])
  }

  const checkKeys = (payload) => brokersApi.checkKeys(payload)

  async function save(payload, brokerId = null) {
    const broker = brokerId ? await brokersApi.updateBroker(brokerId, payload) : await brokersApi.createBroker(payload)
    await refreshAfterChange()
    return broker
  }

  async function remove(id) {
    await brokersApi.deleteBroker(id)
    await refreshAfterChange()
  }

  /** Broker papier : retour aux soldes de départ (la liste est relue). */
  async function resetPaper(id) {
    const result = await brokersApi.resetPaperBroker(id)
    await refreshAfterChange()
    return result
  }

  async function setDefault(id) {
    await brokersApi.updateBroker(id, { is_default: true })
    await refreshAfterChange()
  }

  // --- MAJ Paires de trading -----------------------------------------------------------------

  function applyJob(payload) {
    const job = jobFromPayload(payload)
    if (!job?.exchange) return null
    const next = applyJobUpdate(pairsJobs.value[job.exchange], job)
    pairsJobs.value = { ...pairsJobs.value, [job.exchange]: next }
    if (next.finished) polled.delete(job.exchange)
    if (!polled.size) stopPolling()
    return next
  }

  async function pollOnce() {
    for (const [exchange, { brokerId, jobId }] of [...polled]) {
      try {
        applyJob(await brokersApi.fetchPairsUpdate(brokerId, jobId))
      } catch (err) {
        polled.delete(exchange)
        pairsErrors.value = { ...pairsErrors.value, [exchange]: err.message }
      }
    }
    if (!polled.size) stopPolling()
  }

  function stopPolling() {
    clearInterval(pollTimer)
    pollTimer = null
  }

  /** Lance le chargement des paires de l'exchange de `broker` et suit sa progression. */
  async function updatePairs(broker) {
    pairsErrors.value = { ...pairsErrors.value, [broker.exchange]: null }
    try {
      const response = await brokersApi.startPairsUpdate(broker.id)
      const job = applyJob(response.job ?? { id: response.job_id, exchange: broker.exchange, status: 'pending' })
      if (job && !job.finished) {
        polled.set(broker.exchange, { brokerId: broker.id, jobId: job.id })
        pollTimer ??= setInterval(pollOnce, PAIRS_POLL_MS)
      }
      return job
    } catch (err) {
      pairsErrors.value = { ...pairsErrors.value, [broker.exchange]: err.message }
      throw err
    }
  }

  function onPairsProgress(message) {
    applyJob(message)
  }

  /** À l'ouverture de la page : liste, exchanges, abonnement temps réel. */
  function start() {
    unsubscribe ??= socket.subscribe(MessageType.PAIRS_PROGRESS, onPairsProgress)
    return Promise.all([load(), loadExchanges()])
  }

  function stop() {
    unsubscribe?.()
    unsubscribe = null
    polled.clear()
    stopPolling()
  }

  return {
    brokers,
    loading,
    loaded,
    error,
    exchanges,
    exchangesError,
    pairsJobs,
    pairsErrors,
    defaultBroker,
    exchangeInfo,
    exchangeName,
    load,
    loadExchanges,
    checkKeys,
    save,
    remove,
    setDefault,
    resetPaper,
    updatePairs,
    applyJob,
    pollOnce,
    start,
    stop,
  }
})
