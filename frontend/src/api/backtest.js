import { http } from './client.js'

/**
 * Backtests de l'utilisateur (`/api/backtests/`) : lancement (téléchargement des bougies puis calcul
 * en arrière-plan), annulation, historique, résultats et bougies du graphique. La progression arrive
 * par WebSocket sur `/ws/backtest/<id>/` (voir `stores/backtest.js`).
 *
 * @typedef {'pending'|'downloading'|'running'|'done'|'cancelled'|'error'} BacktestStatus
 * @typedef {{entry_time: string, exit_time: string|null, entry_price: number, exit_price: number,
 *   qty: number, amount: number, fee: number, pnl: number, pnl_pct: number,
 *   exit_reason: 'signal'|'stop_loss'|'take_profit'|'end', balance_after: number,
 *   stop_loss: number|null, take_profit: number|null}} BacktestTrade
 * @typedef {{time: string, equity: number, drawdown_pct: number}} EquityPoint
 * @typedef {{id: number, strategy: number|null, broker: number|null, strategy_name: string,
 *   exchange: string, symbol: string, timeframe: string, start_date: string, end_date: string,
 *   initial_amount: string, fee_rate: string, status: BacktestStatus, download_progress: number,
 *   progress: number, error_message: string, lookahead_detected: boolean, final_amount: string|null,
 *   total_pnl: string|null, total_pnl_pct: number|null, total_trades: number, winning_trades: number,
 *   losing_trades: number, win_rate: number|null, max_drawdown: string|null,
 *   max_drawdown_pct: number|null, sharpe_ratio: number|null, sortino_ratio: number|null,
 *   stats: Record<string, any>, trades_detail?: BacktestTrade[], equity_curve?: EquityPoint[],
 *   created_at: string, started_at: string|null, finished_at: string|null}} Backtest
 * @typedef {{timeframe: string, bucket_seconds: number, aggregated: boolean, count: number,
 *   candles: Array<[number, number, number, number, number, number]>}} BacktestCandles
 */

/** Historique (sans trades ni courbe). @returns {Promise<{count: number, results: Backtest[]}>} */
export const listBacktests = ({ page, pageSize } = {}) =>
  http.get('backtests/', { query: { page, page_size: pageSize } })

/** Résultat complet (trades, courbe d'équité). @returns {Promise<Backtest>} */
export const getBacktest = (id) => http.get(`backtests/${id}/`)

/**
 * Lance un backtest (201, statut « pending »). Dates `AAAA-MM-JJ` (UTC, fin incluse) ou ISO.
 * @param {{strategy: number, broker: number, symbol: string, timeframe: string, start_date: string,
 *   end_date: string, initial_amount: string, fee_rate: string}} payload
 * @returns {Promise<Backtest>}
 */
export const createBacktest = (payload) => http.post('backtests/', payload)

/** Arrête le téléchargement ou le calcul. @returns {Promise<Backtest>} */
export const cancelBacktest = (id) => http.post(`backtests/${id}/cancel/`)

export const deleteBacktest = (id) => http.delete(`backtests/${id}/`)

/** Bougies de la période (regroupées au-delà de `maxPoints`). @returns {Promise<BacktestCandles>} */
export const fetchBacktestCandles = (id, { maxPoints } = {}) =>
  http.get(`backtests/${id}/candles/`, { query: { max_points: maxPoints } })
