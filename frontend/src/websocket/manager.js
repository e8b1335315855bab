/**
 * Gestionnaire de connexion WebSocket : une instance par point d'entrée (`/ws/<path>/`).
 *
 * - reconnexion automatique, backoff exponentiel plafonné + gigue ;
 * - distribution typée : chaque message valide est remis aux abonnés de son `type` (et au joker `*`) ;
 * - `subscribe()` ouvre la connexion si besoin, le dernier `unsubscribe()` la ferme ;
 * - `connected` est un ref Vue en lecture seule.
 */
import { readonly, ref } from 'vue'
import { ANY_MESSAGE, parseMessage } from './messageTypes.js'

const OPEN = 1

/** Codes de fermeture du backend après lesquels se reconnecter est inutile (session absente). */
export const TERMINAL_CLOSE_CODES = Object.freeze([4401, 4403])

/** URL WebSocket sur le même hôte que la page (ws: ou wss: selon le protocole de la page). */
export function socketUrl(path, location = globalThis.location) {
  const clean = String(path).replace(/^\/+|\/+$/g, '').replace(/^ws\//, '')
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${protocol}//${location.host}/ws/${clean}/`
}

/**
 * Délai avant la tentative n° `attempt` (0 = première reconnexion) :
 * plafond = min(maxDelay, baseDelay × 2^attempt), puis gigue dans [plafond/2, plafond].
 */
export function backoffDelay(attempt, { baseDelay = 1000, maxDelay = 30000, random = Math.random } = {}) {
  const capped = Math.min(maxDelay, baseDelay * 2 ** attempt)
  return Math.round(capped / 2 + (random() * capped) / 2)
}

/**
 * @param {string} path ex. `heartbeat` → `/ws/heartbeat/`
 * @param {object} [options]
 * @param {string} [options.url] URL complète (sinon dérivée de la page)
 * @param {typeof WebSocket} [options.WebSocketImpl]
 * @param {number} [options.baseDelay] ms
 * @param {number} [options.maxDelay] ms
 * @param {() => number} [options.random]
 * @param {{setTimeout: Function, clearTimeout: Function}} [options.timers]
 * @param {boolean} [options.autoConnect] ouvrir au premier abonnement, fermer au dernier désabonnement
 * @param {number[]} [options.terminalCloseCodes] fermetures sans reconnexion (état 'unauthorized')
 * @param {Pick<Console, 'warn'|'error'>} [options.logger]
 */
export function createSocketManager(path, options = {}) {
  const {
    url = socketUrl(path),
    WebSocketImpl = globalThis.WebSocket,
    baseDelay = 1000,
    maxDelay = 30000,
    random = Math.random,
    timers = globalThis,
    autoConnect = true,
    terminalCloseCodes = TERMINAL_CLOSE_CODES,
    logger = console,
  } = options

  const connected = ref(false)
  /** 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'unauthorized' */
  const state = ref('idle')
  /** @type {Map<string, Set<Function>>} */
  const handlers = new Map()
  let socket = null
  let reconnectTimer = null
  let attempt = 0
  let wanted = false

  function subscriberCount() {
    let count = 0
    for (const set of handlers.values()) count += set.size
    return count
  }

  function deliver(type, message) {
    for (const handler of [...(handlers.get(type) ?? [])]) {
      try {
        handler(message)
      } catch (error) {
        logger.error(`[ws ${path}] erreur dans un abonné à « ${type} »`, error)
      }
    }
  }

  /** Décode un message brut et le distribue ; renvoie vrai s'il était valide. */
  function dispatch(raw) {
    const result = parseMessage(raw)
    if (!result.ok) {
      logger.warn(`[ws ${path}] message ignoré : ${result.reason}`)
      return false
    }
    deliver(result.message.type, result.message)
    if (result.message.type !== ANY_MESSAGE) deliver(ANY_MESSAGE, result.message)
    return true
  }

  function scheduleReconnect() {
    const delay = backoffDelay(attempt, { baseDelay, maxDelay, random })
    attempt += 1
    state.value = 'reconnecting'
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = null
      if (wanted) open()
    }, delay)
    return delay
  }

  function open() {
    state.value = attempt === 0 ? 'connecting' : 'reconnecting'
    let ws
    try {
      ws = new WebSocketImpl(url)
    } catch (error) {
      logger.error(`[ws ${path}] ouverture impossible`, error)
      scheduleReconnect()
      return
    }
    socket = ws
    ws.onopen = () => {
      if (socket !== ws) return
      attempt = 0
      connected.value = true
      state.value = 'open'
    }
    ws.onmessage = (event) => {
      if (socket === ws) dispatch(event.data)
    }
    ws.onerror = () => {
      // Toujours suivi de `close` : la reconnexion est gérée là.
    }
    ws.onclose = (event) => {
      if (socket !== ws) return
      socket = null
      connected.value = false
      if (terminalCloseCodes.includes(event?.code)) {
        // Session refusée : on attend un nouvel appel à connect() (après reconnexion de l'utilisateur).
        wanted = false
        attempt = 0
        state.value = 'unauthorized'
        logger.warn(`[ws ${path}] connexion refusée (code ${event.code})`)
      } else if (wanted) scheduleReconnect()
      else state.value = 'closed'
    }
  }

  function connect() {
    wanted = true
    if (socket || reconnectTimer) return
    open()
  }

  function disconnect() {
    wanted = false
    attempt = 0
    if (reconnectTimer) {
      timers.clearTimeout(reconnectTimer)
      reconnectTimer = null
    }
    if (socket) {
      const ws = socket
      socket = null
      ws.close(1000, 'fermeture demandée')
    }
    connected.value = false
    state.value = 'closed'
  }

  function unsubscribe(type, handler) {
    const set = handlers.get(type)
    if (!set?.delete(handler)) return
    if (!set.size) handlers.delete(type)
    if (autoConnect && subscriberCount() === 0) disconnect()
  }

  /** Abonne `handler` aux messages de `type` ; renvoie la fonction de désabonnement. */
  function subscribe(type, handler) {
    if (typeof handler !== 'function') throw new TypeError('subscribe() attend une fonction')
    if (!handlers.has(type)) handlers.set(type, new Set())
    handlers.get(type).add(handler)
    if (autoConnect) connect()
    return () => unsubscribe(type, handler)
  }

  /** Envoie un objet JSON si la connexion est ouverte ; renvoie vrai en cas d'envoi. */
  function send(message) {
    if (!socket || socket.readyState !== OPEN) return false
    socket.send(JSON.stringify(message))
    return true
  }

  return {
    path,
    url,
    connected: readonly(connected),
    state: readonly(state),
    connect,
    disconnect,
    subscribe,
    unsubscribe,
    send,
    dispatch,
    subscriberCount,
  }
}
