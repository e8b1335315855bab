import { http } from './client.js'

/**
 * @typedef {{is_connected: boolean, last_heartbeat: string|null, last_message_at: string|null}} HeartbeatState
 * @typedef {{heartbeat: HeartbeatState, coherent: boolean, open_alerts: number,
 *   live_strategies: number, testnet: boolean}} SystemStatus
 */

/** État global affiché dans la barre de statut. @returns {Promise<SystemStatus>} */
export const fetchStatus = (options) => http.get('status/', options)
