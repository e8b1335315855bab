import { http } from './client.js'

/**
 * Statistiques (lecture seule, calculées par PostgreSQL). Paramètres communs :
 * `{broker?, start?, end?, tz?}` — dates ISO ; une date seule couvre la journée entière (fin incluse)
 * dans le fuseau `tz` (IANA, défaut UTC).
 *
 * @typedef {{broker?: number|string, start?: string, end?: string, tz?: string}} StatsQuery
 * @typedef {{pnl: string, closed_trades: number, wins: number, losses: number, win_rate: string|null,
 *   fees: string, volume: string, orders: number, errors: number}} StatsMetrics
 * @typedef {{total: StatsMetrics, by_source: Record<'manual'|'strategy'|'webhook',
 *   StatsMetrics & {source: string, label: string}>}} StatsSummary
 * @typedef {{time: string, timestamp: number, pnl: string, cumulative: string, closed_trades: number}} PnlPoint
 * @typedef {{interval: 'day'|'hour', timezone: string, kind: 'realized_pnl', opening_pnl: string,
 *   points: PnlPoint[]}} PnlHistory
 * @typedef {{time: string, timestamp: number, taken_at: string, total_usd: string|null,
 *   assets: {asset: string, total: string, usd_value: string|null}[], others_count: number, others_usd: string,
 *   brokers: {broker_id: number, total_usd: string|null, error: string|null}[]}} BalancePoint
 *   `total_usd` nul : un broker illisible dans l'intervalle (un trou dans la courbe, pas un zéro).
 * @typedef {{interval: 'day'|'hour', timezone: string, kind: 'balance', snapshot_minutes: number,
 *   brokers: {id: number, name: string}[], points: BalancePoint[]}} BalanceHistory
 * @typedef {{taken_at: string|null, results: {broker_id: number, broker_name: string, total_usd: string|null,
 *   error: string|null}[]}} BalanceSnapshots
 */

/** @returns {Promise<StatsSummary>} */
export const fetchSummary = (query, options) => http.get('stats/summary/', { ...options, query })

/** @returns {Promise<{results: (StatsMetrics & {strategy_id: number|null, name: string|null})[]}>} */
export const fetchStrategyStats = (query, options) => http.get('stats/strategies/', { ...options, query })

/** @returns {Promise<{results: (StatsMetrics & {source: string|null})[]}>} */
export const fetchWebhookSourceStats = (query, options) =>
  http.get('stats/webhook-sources/', { ...options, query })

/** @returns {Promise<{results: (StatsMetrics & {symbol: string})[]}>} */
export const fetchSymbolStats = (query, options) => http.get('stats/symbols/', { ...options, query })

/** P&L réalisé cumulé (`interval` day|hour). @returns {Promise<PnlHistory>} */
export const fetchPnlHistory = (query, options) => http.get('stats/pnl-history/', { ...options, query })

/** Solde valorisé relevé (`interval` hour|day : dernier relevé de chaque intervalle). @returns {Promise<BalanceHistory>} */
export const fetchBalanceHistory = (query, options) =>
  http.get('stats/balance-history/', { ...options, query })

/** « Relever maintenant » : relève le solde de chacun de ses brokers. @returns {Promise<BalanceSnapshots>} */
export const takeBalanceSnapshots = (options) => http.post('stats/balance-snapshots/', {}, options)
