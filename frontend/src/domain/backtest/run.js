/**
 * Lancement et suivi d'un backtest (logique pure, testée) : formulaire → corps de l'API,
 * messages WebSocket → état des deux barres de progression (téléchargement, calcul).
 */

import { MessageType } from '../../websocket/messageTypes.js'

export const TIMEFRAMES = Object.freeze(['1m', '3m', '5m', '10m', '15m', '1h', '2h', '4h'])
export const ACTIVE_STATUSES = Object.freeze(['pending', 'downloading', 'running'])
export const STATUS_LABELS = Object.freeze({
  pending: 'En attente',
  downloading: 'Téléchargement',
  running: 'Calcul',
  done: 'Terminé',
  cancelled: 'Annulé',
  error: 'Erreur',
})

/** Types des messages de `/ws/backtest/<id>/` (noms définis dans `websocket/messageTypes.js`). */
export const BacktestMessage = Object.freeze({
  PROGRESS: MessageType.BACKTEST_PROGRESS,
  DONE: MessageType.BACKTEST_DONE,
  ERROR: MessageType.BACKTEST_ERROR,
  CANCELLED: MessageType.BACKTEST_CANCELLED,
})

export const isActive = (status) => ACTIVE_STATUSES.includes(status)

const pad = (n) => String(n).padStart(2, '0')
/** `Date` → « AAAA-MM-JJ » (UTC). */
export const isoDay = (date) => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`

/** Formulaire par défaut : les 30 derniers jours complets, 10 000 USDT, frais 0,1 %. */
export function defaultForm(now = new Date()) {
  const day = 86_400_000
  return {
    strategyId: null,
    brokerId: null,
    symbol: 'BTC/USDT',
    timeframe: '15m',
    startDate: isoDay(new Date(now.getTime() - 30 * day)),
    endDate: isoDay(new Date(now.getTime() - day)),
    initialAmount: '10000',
    feePct: '0.1',
  }
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/

/** Erreurs du formulaire (champ → message français) ; objet vide si tout est bon. */
export function formErrors(form, now = new Date()) {
  const errors = {}
  if (!form.strategyId) errors.strategyId = 'Choisissez une stratégie.'
  if (!form.brokerId) errors.brokerId = 'Choisissez un broker.'
  if (!String(form.symbol ?? '').trim()) errors.symbol = 'Choisissez un symbole.'
  if (!TIMEFRAMES.includes(form.timeframe)) errors.timeframe = 'Unité de temps inconnue.'
  if (!DAY_RE.test(form.startDate ?? '')) errors.startDate = 'Date de début invalide.'
  if (!DAY_RE.test(form.endDate ?? '')) errors.endDate = 'Date de fin invalide.'
  else if (!errors.startDate && form.endDate < form.startDate) errors.endDate = 'La fin doit suivre le début.'
  else if (form.startDate > isoDay(now)) errors.startDate = 'La période doit être passée.'
  const amount = Number(form.initialAmount)
  if (!(Number.isFinite(amount) && amount > 0)) errors.initialAmount = 'Montant strictement positif attendu.'
  const fee = Number(form.feePct)
  if (String(form.feePct ?? '').trim() === '' || !(Number.isFinite(fee) && fee >= 0 && fee <= 10)) {
    errors.feePct = 'Frais entre 0 et 10 %.'
  }
  return errors
}

/** Corps de `POST /api/backtests/` (frais saisis en % → fraction). */
export function buildPayload(form) {
  const fee = Number(form.feePct) / 100
  return {
    strategy: Number(form.strategyId),
    broker: Number(form.brokerId),
    symbol: String(form.symbol).trim().toUpperCase(),
    timeframe: form.timeframe,
    start_date: form.startDate,
    end_date: form.endDate,
    initial_amount: String(form.initialAmount).trim(),
    fee_rate: fee.toFixed(6).replace(/0+$/, '').replace(/\.$/, ''),
  }
}

const clamp = (value) => Math.min(100, Math.max(0, Number(value) || 0))

/** État de progression lu dans une ligne de l'API (rechargement de page). */
export function progressFromBacktest(backtest) {
  if (!backtest) return null
  const status = backtest.status
  return {
    id: backtest.id,
    status,
    phase: ['pending', 'downloading'].includes(status) ? 'download' : 'compute',
    download: clamp(status === 'done' ? 100 : backtest.download_progress),
    compute: clamp(status === 'done' ? 100 : backtest.progress),
    message: '',
    error: status === 'error' ? backtest.error_message : '',
  }
}

/**
 * Applique un message WebSocket à l'état (nouvel objet) : les barres ne reculent jamais, un
 * message d'un autre backtest ou arrivant après la fin est ignoré.
 */
export function applyProgressMessage(state, message) {
  if (!state || !message || message.backtest_id !== state.id) return state
  switch (message.type) {
    case BacktestMessage.PROGRESS:
      if (!isActive(state.status)) return state
      return {
        ...state,
        status: message.status ?? state.status,
        phase: message.phase ?? state.phase,
        download: Math.max(state.download, clamp(message.download_progress)),
        compute: Math.max(state.compute, clamp(message.compute_progress)),
        message: message.message ?? '',
      }
    case BacktestMessage.DONE:
      return { ...state, status: 'done', phase: 'compute', download: 100, compute: 100, message: 'Terminé' }
    case BacktestMessage.ERROR:
      return { ...state, status: 'error', error: message.message ?? 'Erreur', message: '' }
    case BacktestMessage.CANCELLED:
      return { ...state, status: 'cancelled', phase: message.phase ?? state.phase, message: 'Annulé' }
    default:
      return state
  }
}

/** Fin exclusive (minuit) → dernier jour inclus, pour l'affichage « du … au … ». */
export function inclusiveEnd(value) {
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return null
  const isMidnight = date.getUTCHours() === 0 && date.getUTCMinutes() === 0 && date.getUTCSeconds() === 0
  return isMidnight ? new Date(date.getTime() - 1) : date
}
