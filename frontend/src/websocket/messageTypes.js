/**
 * Types des messages WebSocket (champ `type`), nommés une seule fois.
 * Miroir des constantes du backend (INTERFACES.md, « WebSocket »).
 *
 * @typedef {import('../api/status.js').SystemStatus} SystemStatus
 * @typedef {{type: 'status.update', status: SystemStatus}} StatusUpdateMessage
 * @typedef {{type: 'heartbeat.signal', timeframe: string, symbol: string, open_time: number,
 *   close_time: number, sent_at: string}} HeartbeatSignalMessage
 * @typedef {{type: 'stream.raw', received_at: string, data: unknown}} StreamRawMessage
 * @typedef {{type: 'pairs.progress', job: import('../api/brokers.js').PairsJob}} PairsProgressMessage
 * @typedef {{type: 'webhook.logged', webhook_id: number, status: string}} WebhookLoggedMessage
 * @typedef {{type: 'trade.created', trade_id: number, webhook_id: number|null,
 *   active_strategy_id: number|null, role: string, side: string, symbol: string, status: string}} TradeCreatedMessage
 * @typedef {{type: 'active_strategy.changed', active_strategy_id: number, is_active: boolean,
 *   last_error: string}} ActiveStrategyChangedMessage
 * @typedef {{type: 'position.changed', position_id: number, active_strategy_id: number, status: string,
 *   last_price: string|null, unrealized_pnl: string|null, realized_pnl: string|null}} PositionChangedMessage
 * @typedef {{type: 'backtest.progress', backtest_id: number, status: string, phase: 'download'|'compute',
 *   progress: number, download_progress: number, compute_progress: number, message: string}} BacktestProgressMessage
 * @typedef {{type: 'backtest.done', backtest_id: number, status: 'done', summary: Record<string, number|boolean|null>}} BacktestDoneMessage
 * @typedef {{type: 'backtest.error', backtest_id: number, status: 'error', message: string}} BacktestErrorMessage
 * @typedef {{type: 'backtest.cancelled', backtest_id: number, status: 'cancelled', phase: string}} BacktestCancelledMessage
 * @typedef {{type: 'optimization.progress', optimization_id: number, status: string, phase: 'download'|'compute',
 *   progress: number, download_progress: number, compute_progress: number, runs_done: number,
 *   runs_total: number, message: string}} OptimizationProgressMessage
 * @typedef {{type: 'optimization.done', optimization_id: number, status: 'done', total_runs: number,
 *   best: {params: Record<string, number>, stats: Record<string, number|null>, value: number|null,
 *   test_stats?: Record<string, number|null>}|null}} OptimizationDoneMessage
 * @typedef {{type: 'optimization.error', optimization_id: number, status: 'error', message: string}} OptimizationErrorMessage
 * @typedef {{type: 'optimization.cancelled', optimization_id: number, status: 'cancelled', phase: string}} OptimizationCancelledMessage
 */

export const MessageType = Object.freeze({
  STATUS_UPDATE: 'status.update',
  HEARTBEAT_SIGNAL: 'heartbeat.signal',
  STREAM_RAW: 'stream.raw',
  PAIRS_PROGRESS: 'pairs.progress',
  WEBHOOK_LOGGED: 'webhook.logged',
  TRADE_CREATED: 'trade.created',
  ACTIVE_STRATEGY_CHANGED: 'active_strategy.changed',
  POSITION_CHANGED: 'position.changed',
  BACKTEST_PROGRESS: 'backtest.progress',
  BACKTEST_DONE: 'backtest.done',
  BACKTEST_ERROR: 'backtest.error',
  BACKTEST_CANCELLED: 'backtest.cancelled',
  OPTIMIZATION_PROGRESS: 'optimization.progress',
  OPTIMIZATION_DONE: 'optimization.done',
  OPTIMIZATION_ERROR: 'optimization.error',
  OPTIMIZATION_CANCELLED: 'optimization.cancelled',
})

/** Joker : reçoit tous les messages valides, quel que soit leur type. */
export const ANY_MESSAGE = '*'

/** Champs obligatoires par type connu ; un type inconnu n'est vérifié que sur `type`. */
const REQUIRED_FIELDS = Object.freeze({
  [MessageType.STATUS_UPDATE]: ['status'],
  [MessageType.HEARTBEAT_SIGNAL]: ['timeframe', 'symbol', 'open_time', 'close_time', 'sent_at'],
  [MessageType.STREAM_RAW]: ['received_at', 'data'],
  [MessageType.PAIRS_PROGRESS]: ['job'],
  [MessageType.WEBHOOK_LOGGED]: ['webhook_id', 'status'],
  [MessageType.TRADE_CREATED]: ['trade_id'],
  [MessageType.ACTIVE_STRATEGY_CHANGED]: ['active_strategy_id'],
  [MessageType.POSITION_CHANGED]: ['position_id', 'active_strategy_id'],
  [MessageType.BACKTEST_PROGRESS]: ['backtest_id', 'status', 'phase', 'download_progress', 'compute_progress'],
  [MessageType.BACKTEST_DONE]: ['backtest_id', 'summary'],
  [MessageType.BACKTEST_ERROR]: ['backtest_id', 'message'],
  [MessageType.BACKTEST_CANCELLED]: ['backtest_id'],
  [MessageType.OPTIMIZATION_PROGRESS]: ['optimization_id', 'status'],
  [MessageType.OPTIMIZATION_DONE]: ['optimization_id'],
  [MessageType.OPTIMIZATION_ERROR]: ['optimization_id', 'message'],
  [MessageType.OPTIMIZATION_CANCELLED]: ['optimization_id'],
})

/**
 * Décode et valide un message brut.
 * @param {string} raw
 * @returns {{ok: true, message: {type: string}} | {ok: false, reason: string}}
 */
export function parseMessage(raw) {
  let message
  try {
    message = typeof raw === 'string' ? JSON.parse(raw) : raw
  } catch {
    return { ok: false, reason: 'JSON invalide' }
  }
  if (!message || typeof message !== 'object' || Array.isArray(message)) {
    return { ok: false, reason: 'le message n’est pas un objet JSON' }
  }
  if (typeof message.type !== 'string' || !message.type) {
    return { ok: false, reason: 'champ « type » absent' }
  }
  const missing = (REQUIRED_FIELDS[message.type] ?? []).filter((field) => !(field in message))
  if (missing.length) {
    return { ok: false, reason: `champs manquants pour ${message.type} : ${missing.join(', ')}` }
  }
  return { ok: true, message }
}
