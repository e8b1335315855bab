import { http } from './client.js'

/**
 * @typedef {{id: number, name: string, exchange: string, api_key_hint: string, api_secret_hint: string,
 *   has_password: boolean, is_default: boolean, is_testnet: boolean, is_paper: boolean,
 *   paper_balances: Record<string, string>, venue: 'real'|'testnet'|'simulator'|'paper'}} Broker
 * @typedef {{id: string, name: string, sandbox: boolean, requires_password: boolean}} ExchangeInfo
 * @typedef {{asset: string, free: number|string, used: number|string, total: number|string,
 *   usd_price?: number|string|null, usd_value: number|string|null}} BalanceRow
 * @typedef {{ok: boolean, exchange?: string, balances: BalanceRow[], total_usd: number|string}} KeysCheck
 * @typedef {{id: number, exchange: string, status: 'pending'|'running'|'done'|'error', progress: number,
 *   total: number, processed: number, created_count: number, updated_count: number,
 *   deactivated_count: number, message: string, error: string}} PairsJob
 */

/** @returns {Promise<Broker[]>} */
export const listBrokers = () => http.get('brokers/')

/** @returns {Promise<Broker>} */
export const createBroker = (payload) => http.post('brokers/', payload)

/** @returns {Promise<Broker>} */
export const updateBroker = (id, patch) => http.patch(`brokers/${id}/`, patch)

export const deleteBroker = (id) => http.delete(`brokers/${id}/`)

/** Exchanges CCXT et leurs capacités. @returns {Promise<ExchangeInfo[]>} */
export const listExchanges = () => http.get('brokers/exchanges/')

/**
 * Vérifie des clés (saisies, ou celles du broker `broker_id` si laissées vides) : renvoie le solde.
 * @returns {Promise<KeysCheck>}
 */
export const checkKeys = (payload) => http.post('brokers/check/', payload)

/** « MAJ Paires de trading » : lance (202) le chargement. @returns {Promise<{job_id: number, started: boolean, job: PairsJob}>} */
export const startPairsUpdate = (brokerId) => http.post(`brokers/${brokerId}/update-pairs/`)

/** Progression d'un chargement (le plus récent sans `jobId`). @returns {Promise<{job: PairsJob|null}>} */
export const fetchPairsUpdate = (brokerId, jobId) =>
  http.get(`brokers/${brokerId}/update-pairs/`, { query: { job: jobId } })

/**
 * Broker papier : remise aux soldes de départ (ordres ouverts annulés ; 409 si une position de
 * stratégie est ouverte). @returns {Promise<{canceled_orders: string[], paper_balances: Record<string, string>}>}
 */
export const resetPaperBroker = (brokerId) => http.post(`brokers/${brokerId}/paper-reset/`)
