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
 * @typedef {{time: string, timestamp: number, pnl: string, cumulative: string, closed_trades: number}} BalancePoint
 * @typedef {{interval: 'day'|'hour', timezone: string, kind: 'realized_pnl', opening_pnl: string,
 *   points: BalancePoint[]}} BalanceHistory
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

/** P&L réalisé cumulé (`interval` day|hour). @returns {Promise<BalanceHistory>} */
export const fetchBalanceHistory = (query, options) =>
  http.get('stats/balance-history/', { ...options, query })
