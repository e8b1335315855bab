import { http } from './client.js'

/**
 * Optimisations de paramètres de l'utilisateur (`/api/backtest-optimizations/`, contrat
 * `/work/i17-contract.md`) : lancement d'une grille de backtests, annulation, historique,
 * résultat (tous les runs, le meilleur, stats hors échantillon). La progression arrive par
 * WebSocket sur `/ws/backtest-optimization/<id>/` (voir `stores/backtestOptimize.js`).
 *
 * @typedef {'pending'|'downloading'|'running'|'done'|'cancelled'|'error'} OptimizationStatus
 * @typedef {{params: Record<string, number>, stats?: Record<string, number|null>,
 *   lookahead_detected?: boolean, errors_count?: number, message?: string, error?: string}} OptimizationRun
 * @typedef {{params: Record<string, number>, stats: Record<string, number|null>, value: number|null,
 *   test_stats?: Record<string, number|null>}} OptimizationBest
 * @typedef {{metric: string, grid: Record<string, number[]>, total_runs: number, workers: number,
 *   train_candles: number, test_candles: number, elapsed_s: number, runs: OptimizationRun[],
 *   best: OptimizationBest|null}} OptimizationResult
 * @typedef {{id: number, strategy: number|null, strategy_name: string, broker: number|null,
 *   exchange: string, symbol: string, timeframe: string, start_date: string, end_date: string,
 *   initial_amount: string, fee_rate: string, grid: string, metric: string, max_runs: number|null,
 *   test_ratio: number|null, params: Record<string, number>, status: OptimizationStatus,
 *   download_progress: number, progress: number, runs_done: number, runs_total: number,
 *   error_message: string, created_at: string, started_at: string|null, finished_at: string|null,
 *   result?: OptimizationResult|null}} Optimization
 */

/** Historique (sans `result`). @returns {Promise<{count: number, results: Optimization[]}>} */
export const listOptimizations = ({ page, pageSize } = {}) =>
  http.get('backtest-optimizations/', { query: { page, page_size: pageSize } })

/** Ligne complète avec `result`. @returns {Promise<Optimization>} */
export const getOptimization = (id) => http.get(`backtest-optimizations/${id}/`)

/**
 * Lance l'optimisation (201) ; grille invalide → `ApiError` 400 dont le message est le `detail`.
 * @returns {Promise<Optimization>}
 */
export const createOptimization = (payload) => http.post('backtest-optimizations/', payload)

/** @returns {Promise<Optimization>} */
export const cancelOptimization = (id) => http.post(`backtest-optimizations/${id}/cancel/`)

export const deleteOptimization = (id) => http.delete(`backtest-optimizations/${id}/`)
