import { http } from './client.js'

/**
 * Trading BOT : stratégies actives (`/api/active-strategies/`) et leurs actions (Stop, Suspendre,
 * Reprendre, Vendre). La liste est légère ; le détail ajoute la position ouverte, les 10 derniers
 * trades et le P&L réalisé cumulé. Les stratégies et brokers viennent de `strategies.js` et
 * `brokers.js`, les paires de `trading.js`.
 *
 * @typedef {{id: number, user: number, strategy: number, strategy_name: string, timeframe: string,
 *   broker: number, broker_name: string, symbol: string, start_date: string, end_date: string,
 *   is_active: boolean, last_run_at: string|null, last_error: string, created_at: string,
 *   updated_at: string}} ActiveStrategy
 * @typedef {{id: number, symbol: string, status: 'open'|'closed', quantity: string, entry_price: string,
 *   entry_cost: string, stop_loss_price: string|null, take_profit_price: string|null,
 *   protection_mode: string, last_price: string|null, unrealized_pnl: string|null,
 *   exit_price: string|null, realized_pnl: string|null, exit_reason: string, opened_at: string,
 *   closed_at: string|null}} Position
 * @typedef {ActiveStrategy & {position: Position|null, recent_trades: import('./trading.js').Trade[],
 *   realized_pnl: string}} ActiveStrategyDetail
 * @typedef {{strategy: number, broker: number, symbol: string, start_date: string, end_date: string,
 *   is_active: boolean}} ActivationPayload
 */

const BASE = 'active-strategies/'

/** @returns {Promise<ActiveStrategy[]>} */
export const listActiveStrategies = (options) => http.get(BASE, options)

/** @returns {Promise<ActiveStrategyDetail>} */
export const getActiveStrategy = (id, options) => http.get(`${BASE}${id}/`, options)

/** Activation (409 en français si la limite de 20 stratégies actives est atteinte). @returns {Promise<ActiveStrategy>} */
export const createActiveStrategy = (payload) => http.post(BASE, payload)

export const deleteActiveStrategy = (id) => http.delete(`${BASE}${id}/`)

/**
 * « Stop » : date de fin au 01.01.2001 et `is_active=false`. Position ouverte sans `confirm` :
 * 409 `{code: 'position_open'}`. @returns {Promise<ActiveStrategyDetail>}
 */
export const stopActiveStrategy = (id, { confirm = false } = {}) => http.post(`${BASE}${id}/stop/`, { confirm })

/** « Suspendre » : `is_active=false`, dates conservées. @returns {Promise<ActiveStrategyDetail>} */
export const suspendActiveStrategy = (id) => http.post(`${BASE}${id}/suspend/`)

/** « Reprendre » (limite de 20 vérifiée ; 409 `strategy_ended` si la date de fin est passée). */
export const resumeActiveStrategy = (id) => http.post(`${BASE}${id}/resume/`)

/** « Vendre » : vente au marché de la position ouverte ; renvoie la position clôturée. @returns {Promise<Position>} */
export const sellActiveStrategy = (id) => http.post(`${BASE}${id}/sell/`)
