import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import * as webhooksApi from '../api/webhooks.js'
import { buildTestAlert, LOG_PAGE_SIZE, mergeLogRow, rowMatchesFilters } from '../domain/webhooks/log.js'
import { getSocket, MessageType, SocketPath } from '../websocket/index.js'

/** Durée du surlignage d'une ligne arrivée ou modifiée en direct. */
export const FLASH_MS = 2500
/** Secours si le message WebSocket de l'alerte de test se perd : relecture du journal. */
export const TEST_FALLBACK_MS = 3000

/**
 * Page Webhooks : configuration (URL, secret, jeton, liste d'IP), journal paginé et filtré tenu à jour
 * en direct par `webhook.logged` (/ws/heartbeat/), alerte de test envoyée au point d'entrée public.
 */
export const useWebhooksStore = defineStore('webhooks', () => {
  const socket = getSocket(SocketPath.HEARTBEAT)

  /** @type {import('vue').Ref<import('../api/webhooks.js').WebhookConfig|null>} */
  const config = ref(null)
  const configError = ref(null)
  const saving = ref(false)

  /** @type {import('vue').ShallowRef<import('../api/webhooks.js').WebhookRow[]>} */
  const rows = shallowRef([])
  const count = ref(0)
  const page = ref(1)
  const pageSize = ref(LOG_PAGE_SIZE)
  const status = ref('')
  const q = ref('')
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref(null)
  /** Lignes arrivées en direct hors de la page affichée (page > 1 ou filtres). */
  const missed = ref(0)
  const flashed = shallowRef(new Set())

  const testing = ref(false)
  const testResult = shallowRef(null)

  /** Vrai quand le WebSocket est ouvert (journal tenu à jour en direct). */
  const realtime = computed(() => socket.connected.value)

  let sequence = 0
  let unsubscribe = null
  let stopWatch = null
  const timers = new Set()

  function later(fn, ms) {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, ms)
    timers.add(timer)
  }

  function flash(id) {
    flashed.value = new Set([...flashed.value, id])
    later(() => {
      const next = new Set(flashed.value)
      next.delete(id)
      flashed.value = next
    }, FLASH_MS)
  }

  // --- Configuration ---------------------------------------------------------------------------

  /** Lit la configuration ; à la première visite (pas encore de jeton), la crée par un POST. */
  async function loadConfig() {
    try {
      const current = await webhooksApi.fetchWebhookConfig()
      config.value = current.configured === false ? await webhooksApi.updateWebhookConfig({}) : current
      configError.value = null
    } catch (err) {
      configError.value = err.message
    }
  }

  async function updateConfig(payload) {
    saving.value = true
    try {
      config.value = await webhooksApi.updateWebhookConfig(payload)
      return config.value
    } finally {
      saving.value = false
    }
  }

  /** Nouveau jeton d'URL (et secret si demandé) : l'ancienne URL cesse de fonctionner. */
  const regenerateToken = ({ secret = false } = {}) =>
    updateConfig({ regenerate_token: true, regenerate_secret: secret })
  const setIpAllowlist = (enabled) => updateConfig({ ip_allowlist_enabled: enabled })

  // --- Journal -----------------------------------------------------------------------------------

  async function loadLog() {
    const id = ++sequence
    loading.value = true
    try {
      const data = await webhooksApi.listWebhooks({
        page: page.value, page_size: pageSize.value, status: status.value, q: q.value.trim(),
      })
      if (id !== sequence) return
      rows.value = data?.results ?? []
      count.value = data?.count ?? rows.value.length
      missed.value = 0
      error.value = null
      loaded.value = true
    } catch (err) {
      if (id !== sequence) return
      // Page devenue vide (filtre, régénération) : retour à la première.
      if (err.status === 404 && page.value > 1) {
        page.value = 1
        return loadLog()
      }
      error.value = err.message
    } finally {
      if (id === sequence) loading.value = false
    }
  }

  function setPage(next) {
    page.value = Math.max(1, next)
    return loadLog()
  }

  function setFilters(patch) {
    if ('status' in patch) status.value = patch.status ?? ''
    if ('q' in patch) q.value = patch.q ?? ''
    page.value = 1
    return loadLog()
  }

  /** `webhook.logged` : la ligne affichée est relue, une nouvelle ligne est insérée en tête (page 1). */
  async function onLogged(message) {
    const id = Number(message?.webhook_id)
    if (!Number.isInteger(id)) return
    const shown = rows.value.some((r) => r.id === id)
    if (!shown && page.value !== 1) {
      missed.value += 1
      return
    }
    let row
    try {
      row = await webhooksApi.fetchWebhook(id)
    } catch {
      return // supprimé ou inaccessible : rien à afficher
    }
    const insert = page.value === 1 && rowMatchesFilters(row, { status: status.value, q: q.value })
    const result = mergeLogRow(rows.value, row, { insert, pageSize: pageSize.value })
    if (!result.replaced && !result.inserted) {
      if (!shown) missed.value += 1
      return
    }
    rows.value = result.rows
    if (result.inserted) count.value += 1
    flash(id)
  }

  // --- Alerte de test ------------------------------------------------------------------------------

  /** Poste une petite alerte d'achat sur l'URL de l'utilisateur et garde la réponse à afficher. */
  async function sendTest({ now = Date.now() } = {}) {
    if (!config.value) await loadConfig()
    if (!config.value) throw new Error(configError.value ?? 'Configuration du webhook indisponible.')
    testing.value = true
    const body = buildTestAlert({ secret: config.value.secret, now })
    try {
      const response = await webhooksApi.postTestAlert(config.value.url, body)
      testResult.value = { ...response, sent: { ...body, secret: '…' }, at: new Date(now).toISOString() }
      // Secours si le message WebSocket se perd : la ligne (ou, refusée sans n°, la page) est relue.
      const id = response.body?.id
      later(() => {
        if (Number.isInteger(id)) {
          if (!rows.value.some((r) => r.id === id)) onLogged({ webhook_id: id })
        } else if (page.value === 1) loadLog()
      }, TEST_FALLBACK_MS)
      return testResult.value
    } catch (err) {
      testResult.value = { ok: false, status: 0, body: { detail: err.message }, sent: body, at: new Date(now).toISOString() }
      return testResult.value
    } finally {
      testing.value = false
    }
  }

  // --- Cycle de vie -------------------------------------------------------------------------------

  function start() {
    unsubscribe ??= socket.subscribe(MessageType.WEBHOOK_LOGGED, onLogged)
    // Après une REconnexion, des messages ont pu être perdus : on relit la page.
    let wasConnected = socket.connected.value
    stopWatch ??= watch(socket.connected, (connected) => {
      if (connected && wasConnected && loaded.value) loadLog()
      wasConnected ||= connected
    })
    return Promise.all([loadConfig(), loadLog()])
  }

  function stop() {
    unsubscribe?.()
    unsubscribe = null
    stopWatch?.()
    stopWatch = null
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
  }

  return {
    config,
    configError,
    saving,
    rows,
    count,
    page,
    pageSize,
    status,
    q,
    loading,
    loaded,
    error,
    missed,
    flashed,
    testing,
    testResult,
    realtime,
    loadConfig,
    regenerateToken,
    setIpAllowlist,
    loadLog,
    setPage,
    setFilters,
    onLogged,
    sendTest,
    start,
    stop,
  }
})
