import { http } from './client.js'

/**
 * @typedef {{is_connected: boolean, last_heartbeat: string|null, last_message_at: string|null,
 *   symbols?: string[], last_error?: string}} HeartbeatConnection
 * @typedef {{timeframe: string, symbol: string, open_time: number|string, close_time: number|string,
 *   sent_at: string, backfilled?: boolean}} HeartbeatSignal
 */

/** État de connexion du service (table heartbeat_status). @returns {Promise<HeartbeatConnection>} */
export const fetchHeartbeatStatus = (options) => http.get('heartbeat/status/', options)

/**
 * Derniers signaux de chaque timeframe, le plus récent en premier.
 * @returns {Promise<Record<string, HeartbeatSignal[]>>}
 */
export const fetchHeartbeatSignals = (options) => http.get('heartbeat/signals/', { ...options, query: { all: 1 } })
